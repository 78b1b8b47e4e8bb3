#include "dwh/report/report_json.hpp"

namespace dwh::report {

nlohmann::json to_json(const ReportSummary& summary) {
  return {{"out", summary.out.string()}, {"bytes", summary.bytes}, {"marks", summary.marks}};
}

}  // namespace dwh::report
