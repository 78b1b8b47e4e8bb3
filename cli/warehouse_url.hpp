#pragma once
// How warehouse commands (`warehouse init`, `load`, `report`) find their database and dialect:
// --warehouse URL (a libpq URI, or redshift://... which is the same URI for a Redshift
// endpoint), else DWH_WAREHOUSE_URL, else the local cluster; --dialect overrides the scheme.
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "dwh/load/warehouse_schema.hpp"
#include "dwh/result.hpp"

namespace dwh::cli {

struct WarehouseTarget {
  std::string url;  // postgresql://...
  load::Dialect dialect = load::Dialect::Postgres;
};

void add_warehouse_options(CLI::App& cmd, std::optional<std::string>& warehouse, std::string& dialect);
Result<WarehouseTarget> resolve_warehouse(const std::optional<std::string>& warehouse, const std::string& dialect);

}  // namespace dwh::cli
