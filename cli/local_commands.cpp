// `dwh local up|down|status`: the throwaway PostgreSQL 15 cluster the demo and the jobs use
// by default. Where DWH_SOURCE_URL and DWH_WAREHOUSE_URL are set, those servers are used
// instead and nothing is started.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/core/error_codes.hpp"
#include "dwh/local/local_state.hpp"
#include "dwh/local/project_cluster.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/pg/database_url.hpp"

namespace dwh::cli {
namespace {

namespace local = dwh::local;
using local::DatabaseRole;

constexpr int kExitFailure = 1;
constexpr std::chrono::seconds kCheckTimeout{5};
constexpr DatabaseRole kRoles[] = {DatabaseRole::Source, DatabaseRole::Warehouse};

std::optional<std::string> env_url(DatabaseRole role) {
  const char* v = std::getenv(std::string(local::role_env_var(role)).c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

int fail(const Error& e) {
  std::cerr << "dwh local: " << e.message << "\n";
  return core::exit_code(e);
}

// "source    postgresql://... (DWH_SOURCE_URL)"
void print_role(DatabaseRole role, const std::string& url, const std::string& origin) {
  std::string name(local::role_name(role));
  name.resize(10, ' ');
  std::cout << name << pg::redact_database_url(url) << "  (" << origin << ")\n";
}

void print_cluster(const local::ClusterInfo& info) {
  std::cout << "totesys   " << info.url("totesys") << "\n"
            << "warehouse " << info.url("warehouse") << "\n"
            << "socket    " << info.socket_dir.string() << "\n"
            << "data      " << info.data_dir.string() << "\n"
            << "log       " << info.log_file.string() << "\n";
}

// Both roles point at existing servers: check they answer, start nothing.
int use_existing_servers() {
  for (auto role : kRoles) {
    const std::string url = *env_url(role);
    auto conn = pg::connect(url, kCheckTimeout);
    if (!conn) {
      Error e = std::move(conn).error();
      e.message = std::string(local::role_env_var(role)) + ": " + e.message;
      return fail(e);
    }
    print_role(role, url, std::string(local::role_env_var(role)));
  }
  std::cout << "DWH_SOURCE_URL and DWH_WAREHOUSE_URL are set: using those servers, nothing started\n";
  return 0;
}

int up(const std::string& dir, std::optional<int> port) {
  for (auto role : kRoles) {
    if (auto url = env_url(role); url) {
      if (auto v = pg::validate_database_url(*url); !v) {
        Error e = std::move(v).error();
        e.message = std::string(local::role_env_var(role)) + ": " + e.message;
        return fail(e);
      }
    }
  }
  if (env_url(DatabaseRole::Source) && env_url(DatabaseRole::Warehouse)) return use_existing_servers();
  auto r = local::local_up(dir, port);
  if (!r) return fail(r.error());
  std::cout << (r->already_running ? "PostgreSQL 15 already running" : "PostgreSQL 15 started") << " (pid "
            << r->info.pid << ", port " << r->info.port << ")\n";
  print_cluster(r->info);
  for (auto role : kRoles)
    if (auto url = env_url(role)) {
      std::cout << "note: " << local::role_env_var(role) << " is set, so the " << local::role_name(role)
                << " database is " << pg::redact_database_url(*url) << ", not the local "
                << local::role_local_database(role) << "\n";
    }
  return 0;
}

int down(const std::string& dir, bool purge) {
  auto r = local::local_down(dir, purge);
  if (!r) return fail(r.error());
  std::cout << (*r ? "PostgreSQL stopped" : "PostgreSQL was not running");
  if (purge) std::cout << "; data deleted";
  std::cout << "\n";
  return 0;
}

// What each role resolves to, and whether it answers. Exit 0 only when both do.
int status(const std::string& dir) {
  auto running = local::running_local_cluster(dir);
  if (!running) return fail(running.error());
  if (running->has_value())
    std::cout << "local     running (pid " << (*running)->pid << ", port " << (*running)->port << ", data "
              << (*running)->data_dir.string() << ")\n";
  else
    std::cout << "local     not running\n";
  int code = 0;
  for (auto role : kRoles) {
    auto resolved = local::resolve_database(role, std::nullopt, dir);
    if (!resolved) {
      std::cout << local::role_name(role) << ": " << resolved.error().message << "\n";
      code = kExitFailure;
      continue;
    }
    print_role(role, resolved->url, resolved->origin);
    if (auto conn = pg::connect(resolved->url, kCheckTimeout); !conn) {
      std::cout << "          " << conn.error().code << ": " << conn.error().message << "\n";
      code = kExitFailure;
    }
  }
  return code;
}

}  // namespace

void register_local_commands(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("local", "The throwaway local PostgreSQL 15 cluster (source and warehouse)");
  cmd->require_subcommand(1);
  auto dir = std::make_shared<std::string>(local::kDefaultStateDir);
  auto port = std::make_shared<int>(0);
  auto purge = std::make_shared<bool>(false);

  auto* up_cmd = cmd->add_subcommand("up", "Start the cluster (or show it if running) and print its URLs");
  up_cmd->add_option("--dir", *dir, "Directory for data, log and state (git ignores .dwh)")
      ->capture_default_str();
  up_cmd
      ->add_option("--port", *port, "Port on 127.0.0.1 to try first (default: the last one, else a free one)")
      ->check(CLI::Range(1, 65535));
  up_cmd->callback([&exit_code, dir, port] {
    exit_code = up(*dir, *port > 0 ? std::optional<int>(*port) : std::nullopt);
  });

  auto* down_cmd = cmd->add_subcommand("down", "Stop the cluster (keeps its data unless --purge)");
  down_cmd->add_option("--dir", *dir, "Directory given to `dwh local up`")->capture_default_str();
  down_cmd->add_flag("--purge", *purge, "Also delete the data directory and the log");
  down_cmd->callback([&exit_code, dir, purge] { exit_code = down(*dir, *purge); });

  auto* status_cmd = cmd->add_subcommand(
      "status", "Show the cluster and which database each role uses; exit 1 unless both answer");
  status_cmd->add_option("--dir", *dir, "Directory given to `dwh local up`")->capture_default_str();
  status_cmd->callback([&exit_code, dir] { exit_code = status(*dir); });
}

}  // namespace dwh::cli
