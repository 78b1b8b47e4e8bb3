#pragma once
// The warehouse options of `dwh warehouse init`, `load` and `report`: --warehouse,
// --warehouse-secret and --dialect, filled into what dwh::load::resolve_warehouse reads.
#include <CLI/CLI.hpp>

#include "dwh/load/warehouse_url.hpp"

namespace dwh::cli {

void add_warehouse_options(CLI::App& cmd, load::WarehouseOptions& options);

}  // namespace dwh::cli
