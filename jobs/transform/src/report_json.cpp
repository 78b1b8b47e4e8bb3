#include "dwh/transform/report_json.hpp"

namespace dwh::transform {
namespace {

nlohmann::json null_if_empty(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json to_json(const TransformReport& report) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : report.tables) {
    tables.push_back({{"table", t.table},
                      {"rows", t.rows},
                      {"rows_in", t.rows_in},
                      {"rejected", t.rejected},
                      {"bytes", t.bytes},
                      {"seconds", t.seconds},
                      {"key", null_if_empty(t.key)}});
  }
  return {{"run_id", report.run_id},
          {"status", report.nothing_new ? "nothing new" : "committed"},
          {"manifest", null_if_empty(report.manifest_key)},
          {"consumed", report.consumed},
          {"rows", report.rows},
          {"rejected", report.rejected},
          {"rejected_keys", report.rejected_keys},
          {"calendar", {{"min", report.calendar_min}, {"max", report.calendar_max}}},
          {"orphans_removed", report.orphans_removed.size()},
          {"seconds", report.seconds},
          {"tables", tables}};
}

}  // namespace dwh::transform
