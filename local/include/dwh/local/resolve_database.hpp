#pragma once
// Which database a command uses: a --url option, else the role's environment variable, else
// the dev cluster `dwh local up` started. Here rather than in dwh::pg because the last fallback
// is the dev cluster; the URLs themselves are checked by dwh/pg/database_url.hpp.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::local {

enum class DatabaseRole { Source, Warehouse };

// "source" / "warehouse".
std::string_view role_name(DatabaseRole role);
// "DWH_SOURCE_URL" / "DWH_WAREHOUSE_URL".
std::string_view role_env_var(DatabaseRole role);
// The database `dwh local up` creates for the role: "totesys" / "warehouse".
std::string_view role_local_database(DatabaseRole role);

// Where a role's database is: explicit_url (a --url option) if given, else the role's
// environment variable (DWH_SOURCE_URL / DWH_WAREHOUSE_URL) if set and non-empty, else the
// local cluster recorded in `state_dir` (`dwh local up`) if it is running, else an error
// "NoDatabaseConfigured" saying how to configure one. The URL returned is validated
// (dwh::pg::validate_database_url).
Result<std::string> resolve_database_url(DatabaseRole role, std::optional<std::string> explicit_url,
                                         const std::filesystem::path& state_dir = ".dwh");

// The same, also saying where the URL came from: "--url", "DWH_SOURCE_URL", ... or
// "local cluster (.dwh)".
struct ResolvedDatabase {
  std::string url;
  std::string origin;
};
Result<ResolvedDatabase> resolve_database(DatabaseRole role, std::optional<std::string> explicit_url,
                                          const std::filesystem::path& state_dir = ".dwh");

}  // namespace dwh::local
