#pragma once
// How warehouse users (`dwh warehouse init`, `load`, `report`, `run`, the Lambda handlers) find
// their database and dialect, first match wins (docs/warehouse-credentials.md):
//   1. --warehouse URL: a libpq URI, or redshift://... (the same URI for a Redshift endpoint);
//   2. --warehouse-secret NAME, else DWH_WAREHOUSE_SECRET: an AWS Secrets Manager secret in the
//      seeds' JSON format (PG_USER, PG_PASSWORD, PG_HOST, PG_DATABASE, PG_PORT);
//   3. the PG* environment, when PGHOST, PGHOSTADDR, PGDATABASE or PGSERVICE is set: libpq
//      reads it (PGPORT, PGUSER, PGPASSWORD, ... too) from an empty URI, postgresql://;
//   4. DWH_WAREHOUSE_URL, else the local cluster (`dwh local up`).
// --dialect overrides the scheme. One info log line says which was used, without a password.
#include <optional>
#include <string>

#include "dwh/core/result.hpp"
#include "dwh/load/warehouse_schema.hpp"

namespace dwh::load {

inline constexpr const char* kWarehouseSecretEnv = "DWH_WAREHOUSE_SECRET";

struct WarehouseTarget {
  std::string url;  // postgresql://...; may hold a password: never print it
  Dialect dialect = Dialect::Postgres;
  std::string origin;  // where it came from: "--warehouse", "--warehouse-secret 'x'", "PG* environment", ...
};

// What the caller was given; empty members fall through to the next step of the order.
struct WarehouseOptions {
  std::optional<std::string> warehouse;  // --warehouse: a URL
  std::optional<std::string> secret;     // --warehouse-secret: a secret's name or ARN
  std::string dialect;                   // --dialect: "", "postgres" or "redshift"
};

// The target by the order above, its dialect overridden by options.dialect when set. Logs the
// choice. Errors keep their code (InvalidDatabaseUrl, InvalidDatabaseSecret, the service's
// code, NoDatabaseConfigured, ...) with the origin in front of the message.
Result<WarehouseTarget> resolve_warehouse(const WarehouseOptions& options);

}  // namespace dwh::load
