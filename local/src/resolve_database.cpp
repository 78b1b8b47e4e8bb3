// Resolving which database a command uses.
#include "dwh/local/resolve_database.hpp"

#include <cstdlib>
#include <string>

#include "dwh/local/local_state.hpp"
#include "dwh/pg/database_url.hpp"

namespace dwh::local {

std::string_view role_name(DatabaseRole role) {
  return role == DatabaseRole::Source ? "source" : "warehouse";
}

std::string_view role_env_var(DatabaseRole role) {
  return role == DatabaseRole::Source ? "DWH_SOURCE_URL" : "DWH_WAREHOUSE_URL";
}

std::string_view role_local_database(DatabaseRole role) {
  return role == DatabaseRole::Source ? "totesys" : "warehouse";
}

Result<ResolvedDatabase> resolve_database(DatabaseRole role, std::optional<std::string> explicit_url,
                                          const std::filesystem::path& state_dir) {
  auto checked = [](std::string url, std::string origin) -> Result<ResolvedDatabase> {
    auto v = pg::validate_database_url(url);
    if (!v) {
      Error e = std::move(v).error();
      e.message = origin + ": " + e.message;
      return e;
    }
    return ResolvedDatabase{std::move(url), std::move(origin)};
  };
  if (explicit_url) return checked(std::move(*explicit_url), "--url");
  const std::string env_name(role_env_var(role));
  if (const char* env = std::getenv(env_name.c_str()); env != nullptr && *env != '\0')
    return checked(env, env_name);
  auto running = running_local_cluster(state_dir);
  if (!running) return std::move(running).error();
  if (running->has_value())
    return ResolvedDatabase{(*running)->url(role_local_database(role)),
                            "local cluster (" + state_dir.string() + ")"};
  auto state = read_state(state_dir);
  const bool stopped = state.ok() && state->has_value();
  return make_error(
      "NoDatabaseConfigured",
      "no " + std::string(role_name(role)) + " database: " +
          (stopped ? "the local cluster in " + state_dir.string() + " is not running; " : std::string()) +
          "set " + env_name + ", pass --url, or run `dwh local up`");
}

Result<std::string> resolve_database_url(DatabaseRole role, std::optional<std::string> explicit_url,
                                         const std::filesystem::path& state_dir) {
  auto r = resolve_database(role, std::move(explicit_url), state_dir);
  if (!r) return std::move(r).error();
  return std::move(r->url);
}

}  // namespace dwh::local
