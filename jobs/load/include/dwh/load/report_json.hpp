#pragma once
// The load's and `warehouse init`'s reports as the JSON documents `dwh load` and
// `dwh warehouse init` print (and Lambda handlers return).
#include <nlohmann/json.hpp>

#include "dwh/load/load.hpp"
#include "dwh/load/warehouse_schema.hpp"

namespace dwh::load {

// {"status" ("loaded" or "nothing new"), "loaded": [{"run_id", "manifest", "staged", "written",
//  "bytes_read", "largest_read_bytes", "deferred_foreign_keys", "seconds"}], "already_loaded",
//  "rows", "seconds"}
nlohmann::json to_json(const LoadReport& report);

// {"created_tables", "added_columns", "views"}
nlohmann::json to_json(const InitReport& report);

}  // namespace dwh::load
