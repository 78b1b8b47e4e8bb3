#include "warehouse_url.hpp"

#include "dwh/local/database_url.hpp"

namespace dwh::cli {

void add_warehouse_options(CLI::App& cmd, std::optional<std::string>& warehouse, std::string& dialect) {
  cmd.add_option("--warehouse", warehouse,
                 "Warehouse database: postgresql://... or redshift://... (default: DWH_WAREHOUSE_URL, then the "
                 "local cluster)");
  cmd.add_option("--dialect", dialect, "postgres or redshift (default: from the URL scheme)")
      ->check(CLI::IsMember({"postgres", "redshift"}));
}

Result<WarehouseTarget> resolve_warehouse(const std::optional<std::string>& warehouse, const std::string& dialect) {
  WarehouseTarget target;
  std::optional<std::string> explicit_url = warehouse;
  constexpr std::string_view kRedshift = "redshift://";
  if (explicit_url && explicit_url->rfind(kRedshift, 0) == 0) {
    // Redshift speaks the PostgreSQL protocol; the scheme only selects the dialect.
    explicit_url = "postgresql://" + explicit_url->substr(kRedshift.size());
    target.dialect = load::Dialect::Redshift;
  }
  if (dialect == "redshift") target.dialect = load::Dialect::Redshift;
  if (dialect == "postgres") target.dialect = load::Dialect::Postgres;
  auto url = local::resolve_database_url(local::DatabaseRole::Warehouse, explicit_url);
  if (!url) return std::move(url).error();
  target.url = *url;
  return target;
}

}  // namespace dwh::cli
