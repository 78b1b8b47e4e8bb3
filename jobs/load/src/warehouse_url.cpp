#include "dwh/load/warehouse_url.hpp"

#include <cstdlib>
#include <utility>

#include "dwh/aws/secretsmanager.hpp"
#include "dwh/core/log.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/pg/database_url.hpp"

namespace dwh::load {
namespace {

constexpr std::string_view kRedshift = "redshift://";
// libpq's connection defaults; only the ones that say WHERE to connect select the PG* path
// (PGUSER or PGPASSWORD alone are commonly set for psql and would silently override
// DWH_WAREHOUSE_URL). The rest are read by libpq whichever URL is chosen, unless the URL sets them.
constexpr const char* kPgTargetVariables[] = {"PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"};
constexpr const char* kPgShownVariables[] = {"PGHOST",     "PGHOSTADDR", "PGPORT",
                                             "PGDATABASE", "PGSERVICE",  "PGUSER"};
// An empty URI: libpq fills host, port, user, password and database from PG*, ~/.pgpass and
// pg_service.conf, as psql does.
constexpr const char* kEnvironmentUrl = "postgresql://";

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool pg_environment_names_a_target() {
  for (const char* name : kPgTargetVariables)
    if (env(name)) return true;
  return false;
}

// The seeds' secret, fetched and turned into a URI. The secret's value stays in this function.
Result<std::string> url_from_secret(const std::string& name, const std::string& origin) {
  aws::ClientOptions options;
  if (auto region = aws::secretsmanager::region_of_arn(name)) options.region = *region;
  auto client = aws::secretsmanager::Client::create(std::move(options));
  if (!client) {
    Error e = std::move(client).error();
    e.message = "cannot reach AWS Secrets Manager: " + e.message;
    return with_context(std::move(e), origin + ": ");
  }
  auto value = (*client)->get_secret_value(name);
  if (!value) {
    Error e = std::move(value).error();
    const std::string what = e.to_string();
    e.message = "cannot read the secret: " + what;
    return with_context(std::move(e), origin + ": ");
  }
  auto secret = aws::secretsmanager::parse_database_secret(value->secret_string, name);
  if (!secret) return with_context(std::move(secret).error(), origin + ": ");
  return aws::secretsmanager::to_postgres_url(*secret);
}

Result<WarehouseTarget> checked(std::string url, std::string origin) {
  auto parsed = pg::validate_database_url(url);
  if (!parsed) return with_context(std::move(parsed).error(), origin + ": ");
  WarehouseTarget target;
  target.url = std::move(url);
  target.origin = std::move(origin);
  return target;
}

Result<WarehouseTarget> resolve_url(const WarehouseOptions& options) {
  if (options.warehouse) {
    std::string url = *options.warehouse;
    const bool redshift = url.rfind(kRedshift, 0) == 0;
    // Redshift speaks the PostgreSQL protocol; the scheme only selects the dialect.
    if (redshift) url = "postgresql://" + url.substr(kRedshift.size());
    auto target = checked(std::move(url), "--warehouse");
    if (target && redshift) target->dialect = Dialect::Redshift;
    return target;
  }
  std::optional<std::string> secret = options.secret;
  std::string origin = "--warehouse-secret";
  if (!secret) {
    secret = env(kWarehouseSecretEnv);
    origin = kWarehouseSecretEnv;
  }
  if (secret) {
    origin += " '" + *secret + "'";
    auto url = url_from_secret(*secret, origin);
    if (!url) return std::move(url).error();
    return checked(std::move(url).value(), origin);
  }
  if (pg_environment_names_a_target()) return checked(kEnvironmentUrl, "PG* environment");
  auto resolved = local::resolve_database(local::DatabaseRole::Warehouse, std::nullopt);
  if (!resolved) {
    Error e = std::move(resolved).error();
    if (e.code == "NoDatabaseConfigured")
      e.message =
          "no warehouse database: pass --warehouse URL or --warehouse-secret NAME, set "
          "DWH_WAREHOUSE_URL, DWH_WAREHOUSE_SECRET or PGHOST/PGDATABASE, or run `dwh local up`";
    return e;
  }
  WarehouseTarget target;
  target.url = std::move(resolved->url);
  target.origin = std::move(resolved->origin);
  return target;
}

void log_choice(const WarehouseTarget& target) {
  nlohmann::json figures{{"from", target.origin},
                         {"dialect", target.dialect == Dialect::Redshift ? "redshift" : "postgres"}};
  if (auto parsed = pg::validate_database_url(target.url)) figures["url"] = parsed->redacted;
  if (target.origin == "PG* environment") {
    for (const char* name : kPgShownVariables)
      if (auto value = env(name)) figures[name] = *value;
    figures["PGPASSWORD"] = env("PGPASSWORD") ? "set" : "not set";  // never the value
  }
  log::info("warehouse connection", figures);
}

}  // namespace

Result<WarehouseTarget> resolve_warehouse(const WarehouseOptions& options) {
  auto target = resolve_url(options);
  if (!target) return target;
  if (options.dialect == "redshift") target->dialect = Dialect::Redshift;
  if (options.dialect == "postgres") target->dialect = Dialect::Postgres;
  log_choice(*target);
  return target;
}

}  // namespace dwh::load
