// `dwh transform`: landed rows into the processed zone's star schemas (dwh::transform::run_transform).
// Prints the run's report as JSON on stdout; progress goes to stderr as JSON log lines.
#include <iostream>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/transform/report_json.hpp"
#include "dwh/transform/transform.hpp"

namespace dwh::cli {
namespace {

struct TransformArgs {
  std::string landing;
  std::string processed;
  std::string model;
  bool quarantine = false;
  std::string compression = "snappy";
  std::size_t row_group_rows = 1'000'000;
};

int fail(const Error& e) {
  log::error("transform failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh transform: " << e.message << "\n";
  return core::exit_code(e);
}

parquet::Compression compression_of(const std::string& name) {
  if (name == "zstd") return parquet::Compression::Zstd;
  if (name == "none") return parquet::Compression::None;
  return parquet::Compression::Snappy;
}

int run(const TransformArgs& args) {
  transform::TransformOptions options;
  options.landing_url = args.landing;
  options.processed_url = args.processed;
  options.model_dir = args.model;
  options.quarantine = args.quarantine;
  options.compression = compression_of(args.compression);
  options.row_group_rows = args.row_group_rows;
  auto report = transform::run_transform(options);
  if (!report) return fail(report.error());
  std::cout << transform::to_json(*report).dump() << "\n";
  return 0;
}

}  // namespace

void register_transform_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TransformArgs>();
  CLI::App* cmd = app.add_subcommand(
      "transform", "Remodel landed rows into the processed zone's star schemas (Parquet), incrementally");
  cmd->add_option("--landing", args->landing, "Landing store (read): file:///path or s3://bucket/prefix")
      ->required();
  cmd->add_option("--processed", args->processed,
                  "Processed store (written): file:///path or s3://bucket/prefix")
      ->required();
  cmd->add_option("--model", args->model, "Dataset folder of model files, e.g. models/totesys")->required();
  cmd->add_flag("--quarantine", args->quarantine,
                "Set bad records aside under _rejected/<run_id>/ and continue (default: fail the run)");
  cmd->add_option("--compression", args->compression, "Parquet compression: snappy, zstd or none")
      ->check(CLI::IsMember({"snappy", "zstd", "none"}))
      ->capture_default_str();
  cmd->add_option("--row-group-rows", args->row_group_rows,
                  "Rows per Parquet row group at most (the load reads and decodes one row group at a time)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace dwh::cli
