#pragma once
// An ingest run's report as the JSON document `dwh ingest` prints (and a Lambda handler returns):
//   {"run_id", "manifest", "rows", "bytes", "seconds",
//    "tables": [{"table", "mode", "rows", "bytes", "key" (null without rows)}]}
#include <nlohmann/json.hpp>

#include "dwh/ingest/ingest.hpp"

namespace dwh::ingest {

nlohmann::json to_json(const IngestReport& report);

}  // namespace dwh::ingest
