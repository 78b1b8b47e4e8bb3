// `dwh ingest`: copy new and changed source rows into the landing zone (dwh::ingest::run_ingest).
// Prints the run's report as JSON on stdout; progress goes to stderr as JSON log lines.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/ingest/ingest.hpp"
#include "dwh/ingest/report_json.hpp"
#include "dwh/local/resolve_database.hpp"

namespace dwh::cli {
namespace {

struct IngestArgs {
  std::optional<std::string> source;
  std::string landing;
  std::vector<std::string> tables;
  std::string compression = "gzip";
  std::string on_schema_change = "fail";
  std::string config;
  int connections = 4;
  bool create_cursor_indexes = false;
};

int fail(const Error& e) {
  log::error("ingest failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh ingest: " << e.message << "\n";
  return core::exit_code(e);
}

int run(const IngestArgs& args) {
  auto source = local::resolve_database_url(local::DatabaseRole::Source, args.source);
  if (!source) return fail(source.error());
  ingest::IngestOptions options;
  options.source_url = *source;
  options.landing_url = args.landing;
  options.tables = args.tables;
  options.compression = *stores::parse_compression(args.compression);
  options.on_schema_change = args.on_schema_change == "accept-added-columns"
                                 ? ingest::SchemaChangePolicy::AcceptAddedColumns
                                 : ingest::SchemaChangePolicy::Fail;
  options.config_path = args.config;
  options.max_connections = args.connections;
  options.create_cursor_indexes = args.create_cursor_indexes;
  auto report = ingest::run_ingest(options);
  if (!report) return fail(report.error());
  std::cout << ingest::to_json(*report).dump() << "\n";
  return 0;
}

}  // namespace

void register_ingest_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd =
      app.add_subcommand("ingest", "Copy new and changed source rows into the landing zone, exactly once");
  cmd->add_option("--source", args->source,
                  "libpq URI of the totesys database (default: DWH_SOURCE_URL, then the local cluster)");
  cmd->add_option("--landing", args->landing, "Landing store: file:///path or s3://bucket/prefix")
      ->required();
  cmd->add_option("--tables", args->tables, "Tables to ingest, comma-separated (default: all configured)")
      ->delimiter(',');
  cmd->add_option("--compression", args->compression, "gzip or zstd")
      ->check(CLI::IsMember({"gzip", "zstd"}))
      ->capture_default_str();
  cmd->add_option("--on-schema-change", args->on_schema_change,
                  "When source columns changed since the last run: fail, or accept-added-columns")
      ->check(CLI::IsMember({"fail", "accept-added-columns"}))
      ->capture_default_str();
  cmd->add_option("--config", args->config,
                  "Ingest configuration (default: ingest.json of DWH_MODEL, else of models/totesys found "
                  "next to dwh, in <prefix>/share/dwhkit/models or the source tree)");
  cmd->add_option("--connections", args->connections, "Source connections reading tables at once")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--create-cursor-indexes", args->create_cursor_indexes,
                "Create a missing index on each table's cursor column first (CREATE INDEX CONCURRENTLY), "
                "so incremental runs read only new rows");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace dwh::cli
