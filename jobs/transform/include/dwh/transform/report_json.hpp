#pragma once
// A transform run's report as the JSON document `dwh transform` prints (and a Lambda handler
// returns): {"run_id", "status" ("committed" or "nothing new"), "manifest" (null when nothing
// new), "consumed", "rows", "rejected", "rejected_keys", "calendar": {"min", "max"},
// "orphans_removed" (a count), "seconds",
// "tables": [{"table", "rows", "rows_in", "rejected", "bytes", "seconds", "key" (null without rows)}]}
#include <nlohmann/json.hpp>

#include "dwh/transform/transform.hpp"

namespace dwh::transform {

nlohmann::json to_json(const TransformReport& report);

}  // namespace dwh::transform
