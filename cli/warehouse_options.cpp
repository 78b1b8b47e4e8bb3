#include "warehouse_options.hpp"

namespace dwh::cli {

void add_warehouse_options(CLI::App& cmd, load::WarehouseOptions& options) {
  CLI::Option* url = cmd.add_option(
      "--warehouse", options.warehouse,
      "Warehouse database: postgresql://... or redshift://... (default: --warehouse-secret, then "
      "DWH_WAREHOUSE_SECRET, the PG* environment, DWH_WAREHOUSE_URL, the local cluster)");
  CLI::Option* secret = cmd.add_option(
      "--warehouse-secret", options.secret,
      "AWS Secrets Manager secret (name or ARN) holding PG_USER, PG_PASSWORD, PG_HOST, PG_DATABASE and "
      "PG_PORT (default: DWH_WAREHOUSE_SECRET)");
  url->excludes(secret);
  cmd.add_option("--dialect", options.dialect, "postgres or redshift (default: from the URL scheme)")
      ->check(CLI::IsMember({"postgres", "redshift"}));
}

}  // namespace dwh::cli
