// `dwh source init|generate`: the totesys source database. `simulate` joins the same
// subcommand (source_simulate_command.cpp) through the App* returned here.
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/core/log.hpp"
#include "dwh/local/local_state.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/source/generate.hpp"
#include "dwh/source/schema_init.hpp"
#include "dwh/source/totesys_schema.hpp"

namespace dwh::cli {
namespace {

namespace local = dwh::local;
namespace source = dwh::source;

struct SourceOptions {
  std::string url;  // empty: DWH_SOURCE_URL, else the local cluster
  std::string dir = local::kDefaultStateDir;
  std::string scale = "1";  // parsed here, so a bad value gets our message rather than CLI11's
  std::uint64_t seed = 1;
  bool replace = false;
};

int fail(const Error& e) {
  std::cerr << "dwh source: " << e.message << "\n";
  return core::exit_code(e);
}

Result<std::string> resolve_url(const SourceOptions& o) {
  return local::resolve_database_url(local::DatabaseRole::Source,
                                     o.url.empty() ? std::nullopt : std::optional<std::string>(o.url), o.dir);
}

Result<double> parse_scale(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    return make_error("InvalidArgument", "--scale must be a number greater than 0 (got '" + text + "')");
  return value;
}

int init(const SourceOptions& o) {
  auto url = resolve_url(o);
  if (!url) return fail(url.error());
  auto conn = pg::connect(*url);
  if (!conn) return fail(conn.error());
  auto outcome = source::init_schema(**conn);
  if (!outcome) return fail(outcome.error());
  const std::string where = pg::redact_database_url(*url);
  if (*outcome == source::InitOutcome::AlreadyInitialised)
    std::cout << "totesys schema already initialised in " << where << "\n";
  else
    std::cout << "totesys schema created in " << where << " (" << source::totesys_tables().size()
              << " tables, " << source::totesys_enums().size() << " enum types)\n";
  return 0;
}

int generate(const SourceOptions& o) {
  auto scale = parse_scale(o.scale);
  if (!scale) return fail(scale.error());
  source::GenerateOptions options;
  options.scale = *scale;
  options.seed = o.seed;
  options.existing = o.replace ? source::ExistingData::Replace : source::ExistingData::Refuse;
  if (auto v = source::validate(options); !v) return fail(v.error());
  auto url = resolve_url(o);
  if (!url) return fail(url.error());
  options.url = *url;

  auto report = source::generate(options);
  if (!report) return fail(report.error());

  const auto& r = *report;
  const auto rows = static_cast<double>(r.counts.total());
  std::cout << "generated totesys at scale " << *scale << ", seed " << o.seed << " into "
            << pg::redact_database_url(*url) << "\n";
  for (const auto& t : source::totesys_tables()) {
    std::string name(t.name);
    name.resize(16, ' ');
    std::cout << "  " << name << std::setw(12) << r.counts.of(t.name) << "\n";
  }
  std::cout << std::fixed << std::setprecision(2) << "  " << std::left << std::setw(16) << "total"
            << std::right << std::setw(12) << r.counts.total() << " rows in " << r.seconds << " s ("
            << std::setprecision(0) << rows / r.seconds << " rows/s)\n"
            << std::setprecision(2) << "  phases (s): prepare " << r.phases.prepare << ", load "
            << r.phases.load << ", indexes " << r.phases.indexes << ", foreign keys " << r.phases.foreign_keys
            << ", finish " << r.phases.finish << "\n";
  nlohmann::json counts;
  for (const auto& t : source::totesys_tables()) counts[std::string(t.name)] = r.counts.of(t.name);
  log::info("source generate finished", {{"scale", *scale},
                                         {"seed", o.seed},
                                         {"rows", r.counts.total()},
                                         {"seconds", r.seconds},
                                         {"streams", r.streams},
                                         {"phases",
                                          {{"prepare", r.phases.prepare},
                                           {"load", r.phases.load},
                                           {"indexes", r.phases.indexes},
                                           {"foreign_keys", r.phases.foreign_keys},
                                           {"finish", r.phases.finish}}},
                                         {"counts", counts}});
  return 0;
}

}  // namespace

CLI::App* register_source_commands(CLI::App& app, int& exit_code) {
  auto* cmd =
      app.add_subcommand("source", "The totesys source database: schema, generated data, live workload");
  cmd->require_subcommand(1);
  auto o = std::make_shared<SourceOptions>();
  auto add_target = [o](CLI::App* sub) {
    sub->add_option(
        "--url", o->url,
        "libpq URI of the totesys database (default: DWH_SOURCE_URL, else the `dwh local up` cluster)");
    sub->add_option("--dir", o->dir, "Directory given to `dwh local up`")->capture_default_str();
  };

  auto* init_cmd = cmd->add_subcommand(
      "init",
      "Create the totesys schema exactly as the real database has it (idempotent; refuses another schema)");
  add_target(init_cmd);
  init_cmd->callback([&exit_code, o] { exit_code = init(*o); });

  auto* gen_cmd = cmd->add_subcommand(
      "generate",
      "Fill the initialised, empty totesys database with realistic data (deterministic per seed)");
  add_target(gen_cmd);
  gen_cmd->add_option("--scale", o->scale, "Size relative to the real database (1 = 11.2k sales orders); > 0")
      ->capture_default_str();
  gen_cmd->add_option("--seed", o->seed, "Random seed: the same seed gives the same rows")
      ->capture_default_str();
  gen_cmd->add_flag("--replace", o->replace,
                    "Empty every totesys table first (otherwise rows present are an error)");
  gen_cmd->callback([&exit_code, o] { exit_code = generate(*o); });
  return cmd;
}

}  // namespace dwh::cli
