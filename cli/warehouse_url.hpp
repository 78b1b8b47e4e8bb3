#pragma once
// How warehouse commands (`warehouse init`, `load`, `report`) find their database and dialect,
// first match wins (docs/warehouse-credentials.md):
//   1. --warehouse URL: a libpq URI, or redshift://... (the same URI for a Redshift endpoint);
//   2. --warehouse-secret NAME, else DWH_WAREHOUSE_SECRET: an AWS Secrets Manager secret in the
//      seeds' JSON format (PG_USER, PG_PASSWORD, PG_HOST, PG_DATABASE, PG_PORT);
//   3. the PG* environment, when PGHOST, PGHOSTADDR, PGDATABASE or PGSERVICE is set: libpq
//      reads it (PGPORT, PGUSER, PGPASSWORD, ... too) from an empty URI, postgresql://;
//   4. DWH_WAREHOUSE_URL, else the local cluster (`dwh local up`).
// --dialect overrides the scheme. One info log line says which was used, without a password.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "dwh/core/result.hpp"
#include "dwh/load/warehouse_schema.hpp"

namespace dwh::cli {

inline constexpr const char* kWarehouseSecretEnv = "DWH_WAREHOUSE_SECRET";

struct WarehouseTarget {
  std::string url;  // postgresql://...; may hold a password: never print it
  load::Dialect dialect = load::Dialect::Postgres;
  std::string origin;  // where it came from: "--warehouse", "--warehouse-secret 'x'", "PG* environment", ...
};

struct WarehouseOptions {
  std::optional<std::string> warehouse;  // --warehouse
  std::optional<std::string> secret;     // --warehouse-secret
  std::string dialect;                   // --dialect: "", "postgres" or "redshift"
};

// --warehouse, --warehouse-secret and --dialect.
void add_warehouse_options(CLI::App& cmd, WarehouseOptions& options);
Result<WarehouseTarget> resolve_warehouse(const WarehouseOptions& options);

// Without --warehouse-secret (DWH_WAREHOUSE_SECRET and the PG* environment still apply).
void add_warehouse_options(CLI::App& cmd, std::optional<std::string>& warehouse, std::string& dialect);
Result<WarehouseTarget> resolve_warehouse(const std::optional<std::string>& warehouse,
                                          const std::string& dialect);

}  // namespace dwh::cli
