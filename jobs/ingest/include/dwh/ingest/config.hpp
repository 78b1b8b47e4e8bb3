#pragma once
// Which tables an ingest copies, as data (models/<dataset>/ingest.json), so the engine knows no
// dataset:
//   {"schema": "public", "cursor_timezone": "UTC", "cursor_slack_ms": 1000,
//    "tables": [{"name": "sales_order", "primary_key": ["sales_order_id"], "cursor": "last_updated"}, ...]}
// cursor_timezone: the zone in which the application writes the cursor column (a timestamp
// without time zone); cursor_slack_ms: how far the application's clock may lag the server's.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::ingest {

struct IngestTable {
  std::string name;
  std::vector<std::string> primary_key;
  std::string cursor;
};

struct IngestConfig {
  std::string schema = "public";
  std::string cursor_timezone = "UTC";
  std::chrono::milliseconds cursor_slack{1000};
  std::vector<IngestTable> tables;
};

// "InvalidConfig" naming the file and the problem.
Result<IngestConfig> parse_ingest_config(const std::string& json_text, const std::string& origin);
Result<IngestConfig> load_ingest_config(const std::filesystem::path& path);
// ingest.json of the default dataset's folder (dwh::model::default_dataset_dir: DWH_MODEL, else
// the models folder found at run time). "InvalidConfig" when there is none.
Result<std::filesystem::path> default_ingest_config_path();

}  // namespace dwh::ingest
