// `dwh report --warehouse URL --out FILE.html`: the dashboard over the warehouse views
// (dwh::report::write_report). Stdout: {"out", "bytes", "marks": {chart: count}}.
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/report/report.hpp"
#include "dwh/report/report_json.hpp"
#include "warehouse_options.hpp"

namespace dwh::cli {
namespace {

struct ReportArgs {
  load::WarehouseOptions warehouse;
  std::string out;
};

int fail(const Error& e) {
  log::error("report failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh report: " << e.message << "\n";
  return core::exit_code(e);
}

int run_report(const ReportArgs& args) {
  log::set_context("report", "");
  auto target = load::resolve_warehouse(args.warehouse);
  if (!target) return fail(target.error());
  // The queries are plain SELECTs over the views, the same on both dialects.
  auto summary = report::write_report(target->url, args.out);
  if (!summary) return fail(summary.error());
  std::cout << report::to_json(*summary).dump() << "\n";
  return 0;
}

}  // namespace

void register_report_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write the dashboard (one self-contained HTML file with SVG charts) from the warehouse views");
  add_warehouse_options(*cmd, args->warehouse);
  cmd->add_option("--out", args->out, "The HTML file to write, e.g. report.html")->required();
  cmd->callback([args, &exit_code] { exit_code = run_report(*args); });
}

}  // namespace dwh::cli
