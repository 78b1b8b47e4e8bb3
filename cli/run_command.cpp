// `dwh run`: the pipeline (ingest -> transform -> load) once, or every N minutes until Ctrl-C.
// Configuration: dwh.toml, DWH_* environment, flags (dwh/pipeline/config.hpp, docs/run.md).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/model/model.hpp"
#include "dwh/pipeline/config.hpp"
#include "dwh/pipeline/run.hpp"
#include "dwh/pipeline/targets.hpp"
#include "progress_display.hpp"

namespace dwh::cli {
namespace {

constexpr int kExitFailure = 1;

std::atomic<bool> g_stop{false};

void on_interrupt(int) {
  // The first Ctrl-C lets the current step finish; a second one ends the process now.
  if (g_stop.exchange(true)) _exit(130);
  static const char kMessage[] = "\ndwh run: stopping after the current step (Ctrl-C again to abort now)\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

struct RunArgs {
  std::optional<std::string> config;
  std::optional<std::string> source, landing, processed, warehouse, secret, dialect, model, every;
  bool json = false;
  bool show_config = false;
};

int fail(const Error& e) {
  log::error("run failed", {{"code", e.code}, {"error", e.message}});
  std::cerr << "dwh run: " << e.message << "\n";
  return core::exit_code(e);
}

int fail(const std::string& what, const Error& e) {
  return fail(with_context(e, what + ": "));
}

int run(RunArgs& args) {
  pipeline::ConfigOverrides overrides;
  auto put = [&](const char* key, const std::optional<std::string>& v) {
    if (v) overrides.values[key] = *v;
  };
  put("source.url", args.source);
  put("landing.url", args.landing);
  put("processed.url", args.processed);
  put("warehouse.url", args.warehouse);
  put("warehouse.secret", args.secret);
  put("warehouse.dialect", args.dialect);
  put("model.dir", args.model);
  put("schedule.every", args.every);
  std::optional<std::filesystem::path> file;
  if (args.config) file = *args.config;
  auto config = pipeline::load_pipeline_config(file, overrides);
  if (!config) return fail("invalid configuration", config.error());
  if (args.show_config) {
    for (const auto& [key, origin] : config->origin) std::cout << key << "  (" << origin << ")\n";
  }

  auto targets = pipeline::resolve_targets(*config);
  if (!targets) return fail(targets.error());  // says which database
  pipeline::create_file_stores(*config);

  auto dataset = model::load_dataset(config->model_dir);
  if (!dataset) return fail("invalid model", dataset.error());
  ProgressDisplay progress(isatty(STDERR_FILENO) == 1);
  progress.expect_tables("ingest", dataset->sources.size());
  progress.expect_tables("transform", dataset->models.size());
  progress.expect_tables("load", dataset->models.size());
  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  if (auto s = pipeline::prepare_warehouse(*config, *targets); !s) {
    progress.finish();
    return fail("cannot prepare the warehouse", s.error());
  }
  int exit_code = 0;
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    progress.begin_run();
    const auto summary = pipeline::run_pipeline_once(*config, *targets, &g_stop);
    progress.finish();
    std::cout << (args.json ? pipeline::summary_json(summary) + "\n" : pipeline::format_summary(summary))
              << std::flush;
    log::write(summary.ok ? log::Level::Info : log::Level::Error, "pipeline run finished",
               nlohmann::json::parse(pipeline::summary_json(summary)));
    if (summary.stale)
      log::warn("the warehouse is staler than alerts.max_freshness",
                {{"freshness_seconds", *summary.freshness_seconds}});
    exit_code = summary.ok ? 0 : kExitFailure;
    if (!summary.ok) std::cerr << "dwh run: step '" << summary.failed_stage << "' failed\n";
    if (config->every.count() == 0 || g_stop) break;
    const auto next = started + config->every;
    while (!g_stop && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (g_stop) break;
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  return exit_code;
}

}  // namespace

void register_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd =
      app.add_subcommand("run", "Run the pipeline (ingest -> transform -> load) once, or on a schedule");
  cmd->add_option("--config", args->config, "Pipeline configuration file (TOML; see docs/run.md)");
  cmd->add_option("--source", args->source, "Source database (libpq URI)  [source.url, DWH_SOURCE_URL]");
  cmd->add_option("--landing", args->landing, "Landing store URL  [landing.url, DWH_LANDING_URL]");
  cmd->add_option("--processed", args->processed, "Processed store URL  [processed.url, DWH_PROCESSED_URL]");
  cmd->add_option("--warehouse", args->warehouse, "Warehouse (libpq URI or redshift://)  [warehouse.url]");
  cmd->add_option("--warehouse-secret", args->secret,
                  "Secrets Manager secret for the warehouse  [warehouse.secret]");
  cmd->add_option("--dialect", args->dialect, "postgres or redshift  [warehouse.dialect]");
  cmd->add_option("--model", args->model, "Model folder  [model.dir, DWH_MODEL]");
  cmd->add_option("--every", args->every,
                  "Repeat every interval (90s, 15m, 1h) until Ctrl-C  [schedule.every]");
  cmd->add_flag("--json", args->json, "Print each run's summary as one JSON object");
  cmd->add_flag("--show-config", args->show_config, "Print where every setting came from");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace dwh::cli
