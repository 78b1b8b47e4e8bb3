#include "dwh/load/report_json.hpp"

namespace dwh::load {

nlohmann::json to_json(const LoadReport& report) {
  nlohmann::json loaded = nlohmann::json::array();
  for (const auto& m : report.loaded) {
    loaded.push_back({{"run_id", m.run_id},
                      {"manifest", m.manifest_key},
                      {"staged", m.staged},
                      {"written", m.written},
                      {"bytes_read", m.bytes_read},
                      {"largest_read_bytes", m.largest_read},
                      {"deferred_foreign_keys", m.deferred_foreign_keys},
                      {"seconds", m.seconds}});
  }
  return {{"status", report.loaded.empty() ? "nothing new" : "loaded"},
          {"loaded", loaded},
          {"already_loaded", report.already_loaded},
          {"rows", report.rows},
          {"seconds", report.seconds}};
}

nlohmann::json to_json(const InitReport& report) {
  return {{"created_tables", report.created_tables},
          {"added_columns", report.added_columns},
          {"views", report.views}};
}

}  // namespace dwh::load
