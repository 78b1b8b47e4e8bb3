// `dwh load`: committed transform manifests into the warehouse, each exactly once, in one
// transaction with data-quality checks (dwh::load::run_load). Prints the report as JSON on
// stdout; progress goes to stderr as JSON log lines.
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/load/load.hpp"
#include "dwh/load/report_json.hpp"
#include "warehouse_options.hpp"

namespace dwh::cli {
namespace {

struct LoadArgs {
  std::string processed;
  load::WarehouseOptions warehouse;
  std::string model;
  std::string iam_role;
  int threads = 2;
  std::uint64_t defer_foreign_keys_from = load::LoadOptions{}.defer_foreign_keys_from_rows;
};

int fail(const Error& e) {
  log::error("load failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh load: " << e.message << "\n";
  return core::exit_code(e);
}

int run(const LoadArgs& args) {
  log::set_context("load", "");
  auto target = load::resolve_warehouse(args.warehouse);
  if (!target) return fail(target.error());
  load::LoadOptions options;
  options.processed_url = args.processed;
  options.warehouse_url = target->url;
  options.dialect = target->dialect;
  options.model_dir = args.model;
  options.iam_role = args.iam_role;
  options.decode_threads = args.threads;
  options.defer_foreign_keys_from_rows = args.defer_foreign_keys_from;
  auto report = load::run_load(options);
  if (!report) return fail(report.error());
  std::cout << load::to_json(*report).dump() << "\n";
  return 0;
}

}  // namespace

void register_load_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LoadArgs>();
  CLI::App* cmd = app.add_subcommand("load",
                                     "Load every committed transform run not yet loaded into the warehouse, "
                                     "each in one checked transaction");
  cmd->add_option("--processed", args->processed,
                  "Processed store (read): file:///path or s3://bucket/prefix")
      ->required();
  add_warehouse_options(*cmd, args->warehouse);
  cmd->add_option(
      "--model", args->model,
      "Dataset folder of model files (default: DWH_MODEL, else models/<dataset> found at run time, "
      "<dataset> as the manifests name it)");
  cmd->add_option("--iam-role", args->iam_role,
                  "Redshift: the IAM role ARN its COPY uses to read the processed bucket");
  cmd->add_option("--threads", args->threads, "Parquet row groups decoded in parallel")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option(
         "--defer-foreign-keys-from", args->defer_foreign_keys_from,
         "PostgreSQL: a fact batch of at least this many rows (and 1/20 of the table) is appended with "
         "the fact's foreign keys dropped, then adds them back, validated, in the same transaction "
         "(faster than per-row checks; readers of the fact and its dimensions wait for the commit). "
         "0: never")
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace dwh::cli
