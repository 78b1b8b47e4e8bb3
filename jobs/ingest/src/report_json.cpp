#include "dwh/ingest/report_json.hpp"

namespace dwh::ingest {

nlohmann::json to_json(const IngestReport& report) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : report.tables) {
    tables.push_back({{"table", t.table},
                      {"mode", t.mode},
                      {"rows", t.rows},
                      {"bytes", t.bytes},
                      {"key", t.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.key)}});
  }
  return {{"run_id", report.run_id}, {"manifest", report.manifest_key}, {"rows", report.rows},
          {"bytes", report.bytes},   {"seconds", report.seconds},       {"tables", tables}};
}

}  // namespace dwh::ingest
