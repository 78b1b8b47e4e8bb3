// `dwh source simulate`: runs the live totesys workload (dwh::source::simulate) and prints what
// it did: a table on stdout and one JSON line with the same figures on stderr.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/source/simulate.hpp"

namespace dwh::cli {
namespace {

constexpr int kExitUsage = 2;

struct SimulateArgs {
  std::optional<std::string> url;
  double rate = 10.0;
  std::string duration = "60s";
  std::uint64_t seed = 1;
  int concurrency = 3;
  std::optional<std::string> day_length;
  std::string late_hold = "3s";
};

// Ctrl-C ends the run early and still prints the report. A lock-free atomic is safe to set
// from a signal handler.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
}

int usage_error(const std::string& message) {
  std::cerr << "dwh source simulate: " << message << "\n";
  return kExitUsage;
}

void print_table(const source::SimulateReport& report) {
  std::cout << "kind                              count\n";
  for (const auto& field : source::simulation_count_fields()) {
    std::printf("%-30s %9lld\n", std::string(field.label).c_str(),
                static_cast<long long>(report.counts.*field.member));
  }
  std::fflush(stdout);
  for (const auto& late : report.late_commits) {
    std::cout << "late commit: " << late.table << " " << late.id << " (last_updated " << late.last_updated
              << ") committed after " << late.overtaken_by_table << " " << late.overtaken_by_id
              << " (last_updated " << late.overtaken_by_last_updated << ")\n";
  }
  if (report.interrupted) std::cout << "interrupted: the run ended early\n";
  if (report.skipped_operations > 0) {
    std::cout << report.skipped_operations << " of " << report.planned_operations
              << " operations left out: the database did not keep up with --rate\n";
  }
}

nlohmann::json figures(const source::SimulateOptions& options, const source::SimulateReport& report) {
  nlohmann::json f = nlohmann::json::object();
  for (const auto& field : source::simulation_count_fields())
    f[std::string(field.key)] = report.counts.*field.member;
  f["planned_operations"] = report.planned_operations;
  f["skipped_operations"] = report.skipped_operations;
  f["interrupted"] = report.interrupted;
  f["started_at"] = report.started_at;
  f["elapsed_ms"] = report.elapsed.count();
  f["rate"] = options.rate;
  f["duration_ms"] = options.duration.count();
  f["seed"] = options.seed;
  f["concurrency"] = options.concurrency;
  nlohmann::json late = nlohmann::json::array();
  for (const auto& l : report.late_commits) {
    late.push_back({{"table", l.table},
                    {"id", l.id},
                    {"last_updated", l.last_updated},
                    {"overtaken_by",
                     {{"table", l.overtaken_by_table},
                      {"id", l.overtaken_by_id},
                      {"last_updated", l.overtaken_by_last_updated}}}});
  }
  f["late_commit_rows"] = std::move(late);
  return f;
}

int run_simulate(const SimulateArgs& args) {
  log::set_context("source-simulate", "");
  source::SimulateOptions options;
  options.rate = args.rate;
  options.seed = args.seed;
  options.concurrency = args.concurrency;
  auto duration = source::parse_duration(args.duration);
  if (!duration) return usage_error("--duration " + duration.error().message);
  options.duration = *duration;
  if (args.day_length) {
    auto day = source::parse_duration(*args.day_length);
    if (!day) return usage_error("--day-length " + day.error().message);
    options.day_length = *day;
  }
  auto hold = source::parse_duration(args.late_hold);
  if (!hold) return usage_error("--late-hold " + hold.error().message);
  options.late_hold = *hold;

  auto url = local::resolve_database_url(local::DatabaseRole::Source, args.url);
  if (!url) return usage_error(url.error().message);
  options.url = *url;
  if (auto valid = source::validate(options); !valid) return usage_error(valid.error().message);

  g_interrupted.store(false);
  options.stop = &g_interrupted;
  auto previous = std::signal(SIGINT, on_interrupt);
  auto report = source::simulate(options);
  std::signal(SIGINT, previous);
  if (!report) {
    const Error& e = report.error();
    std::cerr << "dwh source simulate: " << e.message << "\n";
    return core::exit_code(e);
  }
  print_table(*report);
  log::info("simulation finished", figures(options, *report));
  return 0;
}

}  // namespace

void register_source_simulate_command(CLI::App& source, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  auto* cmd = source.add_subcommand(
      "simulate",
      "Run a live workload on a generated totesys database: new orders with their transactions and "
      "payments, new staff/designs/counterparties, order amendments, department/address/counterparty "
      "changes, a daily payment settlement batch, and long transactions that commit late");
  cmd->add_option("--url", args->url,
                  "libpq URI of the totesys database (default: $DWH_SOURCE_URL, then `dwh local up`)");
  cmd->add_option("--rate", args->rate, "operations per second (default 10)");
  cmd->add_option("--duration", args->duration, "how long to run: 30s, 2m, 1h, 1500ms (default 60s)");
  cmd->add_option("--seed", args->seed, "seed of the workload: the same seed gives the same mix (default 1)");
  cmd->add_option("--concurrency", args->concurrency, "writer connections (default 3)");
  cmd->add_option("--day-length", args->day_length,
                  "length of one simulated business day; the settlement batch opens each new day "
                  "(default: a quarter of the duration, between 1s and 60s)");
  cmd->add_option(
      "--late-hold", args->late_hold,
      "how long a long transaction stays open before it commits (default 3s, at most half the duration)");
  cmd->callback([args, &exit_code] { exit_code = run_simulate(*args); });
}

}  // namespace dwh::cli
