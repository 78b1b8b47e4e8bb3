// `dwh demo`: the embedded default end to end, with no cloud and no setup. It starts the local
// PostgreSQL (`dwh local up`), creates and fills a totesys source at scale 1, runs the whole
// pipeline into a file:// lake under .dwh/demo/, lets `source simulate` change the source for a
// few seconds, runs the pipeline again (incremental), writes the dashboard and says where
// everything is. Each demo starts from fresh databases and a fresh lake, so it can be rerun.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/local/project_cluster.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/pipeline/config.hpp"
#include "dwh/pipeline/run.hpp"
#include "dwh/report/report.hpp"
#include "dwh/source/generate.hpp"
#include "dwh/source/schema_init.hpp"
#include "dwh/source/simulate.hpp"

namespace dwh::cli {
namespace {

namespace fs = std::filesystem;
namespace chr = std::chrono;

constexpr const char* kSourceDb = "demo_totesys";
constexpr const char* kWarehouseDb = "demo_warehouse";

struct DemoArgs {
  bool keep = false;
  double scale = 1.0;
  int simulate_seconds = 5;
  std::string state_dir = ".dwh";
};

int fail(const std::string& step, const Error& e) {
  log::error("demo failed", {{"step", step}, {"code", e.code}, {"error", e.message}});
  std::cerr << "dwh demo: " << step << ": " << e.message << "\n";
  return core::exit_code(e);
}

void say(const std::string& text) {
  std::cout << text << std::endl;
}

Status recreate_database(const std::string& admin_url, const std::string& name) {
  auto conn = pg::connect(admin_url);
  if (!conn) return std::move(conn).error();
  try {
    pqxx::nontransaction tx(**conn);
    tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    return make_error("DemoFailed", std::string("cannot create database ") + name + ": " + e.what());
  }
  return {};
}

// The closing list of where the demo put each thing (database URLs without their passwords).
void print_locations(const std::string& source_url, const pipeline::PipelineConfig& config,
                     const std::string& warehouse_url, const fs::path& html) {
  std::cout << "\nwhere everything is:\n"
            << "  source     " << pg::redact_database_url(source_url) << "\n"
            << "  landing    " << config.landing_url << "\n"
            << "  processed  " << config.processed_url << "\n"
            << "  warehouse  " << pg::redact_database_url(warehouse_url) << "\n"
            << "  dashboard  " << html.string() << "\n";
}

int run_demo(const DemoArgs& args) {
  const auto t0 = chr::steady_clock::now();
  auto elapsed = [&] { return chr::duration<double>(chr::steady_clock::now() - t0).count(); };
  const fs::path state = fs::absolute(args.state_dir);
  const fs::path demo_dir = state / "demo";

  say("1. starting the local PostgreSQL (dwh local up)");
  auto up = local::local_up(state);
  if (!up) return fail("local up", up.error());
  const std::string source_url = up->info.url(kSourceDb);
  const std::string warehouse_url = up->info.url(kWarehouseDb);
  for (const char* db : {kSourceDb, kWarehouseDb}) {
    if (auto s = recreate_database(up->info.url("postgres"), db); !s)
      return fail("create databases", s.error());
  }

  say("2. creating totesys and filling it at scale " + std::to_string(args.scale).substr(0, 4));
  {
    auto conn = pg::connect(source_url);
    if (!conn) return fail("source connect", conn.error());
    if (auto r = source::init_schema(**conn); !r) return fail("source init", r.error());
  }
  source::GenerateOptions gen;
  gen.url = source_url;
  gen.scale = args.scale;
  auto generated = source::generate(gen);
  if (!generated) return fail("source generate", generated.error());

  std::error_code ec;
  fs::remove_all(demo_dir / "lake", ec);
  fs::create_directories(demo_dir / "lake" / "landing");
  fs::create_directories(demo_dir / "lake" / "processed");
  pipeline::ConfigOverrides overrides;
  overrides.values["landing.url"] = "file://" + (demo_dir / "lake" / "landing").string();
  overrides.values["processed.url"] = "file://" + (demo_dir / "lake" / "processed").string();
  auto config = pipeline::load_pipeline_config(std::nullopt, overrides, state);
  if (!config) return fail("config", config.error());
  pipeline::PipelineTargets targets;
  targets.source_url = source_url;
  targets.warehouse_url = warehouse_url;
  if (auto s = pipeline::prepare_warehouse(*config, targets); !s) return fail("warehouse init", s.error());

  say("3. full pipeline run: ingest -> transform -> load");
  const auto first = pipeline::run_pipeline_once(*config, targets);
  std::cout << pipeline::format_summary(first);
  if (!first.ok)
    return fail("pipeline", make_error("PipelineFailed", "step " + first.failed_stage + " failed"));

  say("4. simulating the shop for " + std::to_string(args.simulate_seconds) +
      " s (dwh source simulate), then an incremental run");
  source::SimulateOptions sim;
  sim.url = source_url;
  sim.duration = chr::seconds(args.simulate_seconds);
  sim.rate = 40;
  auto simulated = source::simulate(sim);
  if (!simulated) return fail("source simulate", simulated.error());
  const auto second = pipeline::run_pipeline_once(*config, targets);
  std::cout << pipeline::format_summary(second);
  if (!second.ok)
    return fail("pipeline", make_error("PipelineFailed", "step " + second.failed_stage + " failed"));

  say("5. writing the dashboard");
  const fs::path html = demo_dir / "report.html";
  if (auto r = report::write_report(warehouse_url, html); !r) return fail("report", r.error());

  print_locations(source_url, *config, warehouse_url, html);
  char took[64];
  std::snprintf(took, sizeof took, "demo finished in %.1f s\n", elapsed());
  std::cout << took;
  if (args.keep) {
    std::cout << "PostgreSQL keeps running (stop it with `dwh local down`). Explore with:\n"
              << "  psql '" << source_url << "'\n"
              << "  psql '" << warehouse_url << "' -c 'SELECT * FROM sales_revenue_by_month_currency'\n";
  } else if (auto down = local::local_down(state, false); !down) {
    return fail("local down", down.error());
  }
  return 0;
}

}  // namespace

void register_demo_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Run the whole pipeline locally on generated data and write a dashboard");
  cmd->add_flag("--keep", args->keep, "Leave PostgreSQL running afterwards and print how to connect");
  cmd->add_option("--scale", args->scale, "Source size (1 = the real totesys: about 11,000 sales orders)")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  cmd->add_option("--simulate-seconds", args->simulate_seconds,
                  "How long the source changes before the incremental run")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();
  cmd->add_option("--state-dir", args->state_dir, "Where the local cluster and the lake live")
      ->capture_default_str();
  cmd->callback([args, &exit_code] { exit_code = run_demo(*args); });
}

}  // namespace dwh::cli
