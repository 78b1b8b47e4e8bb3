#pragma once
// The dashboard's summary as the JSON document `dwh report` prints (and a Lambda handler
// returns): {"out", "bytes", "marks": {chart: count}}.
#include <nlohmann/json.hpp>

#include "dwh/report/report.hpp"

namespace dwh::report {

nlohmann::json to_json(const ReportSummary& summary);

}  // namespace dwh::report
