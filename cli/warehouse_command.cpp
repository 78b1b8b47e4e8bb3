// `dwh warehouse init`: create or migrate the warehouse schema from the models
// (dwh::load::init_warehouse). Idempotent; an incompatible model change is refused.
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/load/report_json.hpp"
#include "dwh/load/warehouse_schema.hpp"
#include "dwh/load/warehouse_url.hpp"
#include "dwh/model/model.hpp"
#include "dwh/pg/database_url.hpp"
#include "warehouse_options.hpp"

namespace dwh::cli {
namespace {

struct WarehouseInitArgs {
  load::WarehouseOptions warehouse;
  std::string model;
};

int fail(const Error& e) {
  log::error("warehouse init failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh warehouse init: " << e.message << "\n";
  return core::exit_code(e);
}

int run_init(const WarehouseInitArgs& args) {
  log::set_context("warehouse", "");
  auto target = load::resolve_warehouse(args.warehouse);
  if (!target) return fail(target.error());
  auto dataset = model::load_dataset(args.model);
  if (!dataset) return fail(dataset.error());
  auto report = load::init_warehouse(target->url, *dataset, target->dialect);
  if (!report) return fail(report.error());
  log::info("warehouse ready", {{"created_tables", report->created_tables.size()},
                                {"added_columns", report->added_columns.size()},
                                {"views", report->views.size()}});
  std::cout << load::to_json(*report).dump() << "\n";
  return 0;
}

}  // namespace

void register_warehouse_commands(CLI::App& app, int& exit_code) {
  CLI::App* warehouse = app.add_subcommand("warehouse", "The warehouse schema");
  warehouse->require_subcommand(1);
  auto args = std::make_shared<WarehouseInitArgs>();
  CLI::App* init = warehouse->add_subcommand(
      "init", "Create the warehouse tables, control table and views from the models; migrate added columns");
  add_warehouse_options(*init, args->warehouse);
  init->add_option("--model", args->model, "Model folder, e.g. models/totesys")->required();
  init->callback([args, &exit_code] { exit_code = run_init(*args); });
}

}  // namespace dwh::cli
