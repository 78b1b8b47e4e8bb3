#include "dwh/ingest/config.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "dwh/model/models_dir.hpp"

namespace dwh::ingest {
namespace {

Error invalid(const std::string& origin, const std::string& what) {
  return make_error("InvalidConfig", "ingest configuration " + origin + ": " + what);
}

bool is_identifier(const std::string& s) {
  static const std::regex kIdent("[A-Za-z_][A-Za-z0-9_$]*");
  return std::regex_match(s, kIdent);
}

}  // namespace

Result<IngestConfig> parse_ingest_config(const std::string& json_text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return invalid(origin, std::string("not JSON: ") + e.what());
  }
  try {
    IngestConfig c;
    c.schema = j.value("schema", c.schema);
    c.cursor_timezone = j.value("cursor_timezone", c.cursor_timezone);
    c.cursor_slack = std::chrono::milliseconds(j.value("cursor_slack_ms", 1000));
    if (!is_identifier(c.schema))
      return invalid(origin, "schema '" + c.schema + "' is not a plain identifier");
    if (c.cursor_slack.count() < 0) return invalid(origin, "cursor_slack_ms must not be negative");
    if (!j.contains("tables") || !j["tables"].is_array() || j["tables"].empty()) {
      return invalid(origin, "'tables' must be a non-empty list");
    }
    std::set<std::string> seen;
    for (const auto& t : j["tables"]) {
      IngestTable table;
      table.name = t.at("name").get<std::string>();
      table.cursor = t.at("cursor").get<std::string>();
      table.primary_key = t.at("primary_key").get<std::vector<std::string>>();
      // Names go into SQL quoted; plain identifiers keep the configuration readable and safe.
      if (!is_identifier(table.name))
        return invalid(origin, "table name '" + table.name + "' is not a plain identifier");
      if (!is_identifier(table.cursor))
        return invalid(origin, "table " + table.name + ": bad cursor column name");
      if (table.primary_key.empty()) return invalid(origin, "table " + table.name + " has no primary_key");
      for (const auto& k : table.primary_key) {
        if (!is_identifier(k)) return invalid(origin, "table " + table.name + ": bad key column '" + k + "'");
      }
      if (!seen.insert(table.name).second) return invalid(origin, "table " + table.name + " is listed twice");
      c.tables.push_back(std::move(table));
    }
    return c;
  } catch (const nlohmann::json::exception& e) {
    return invalid(origin, e.what());
  }
}

Result<IngestConfig> load_ingest_config(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return make_error("InvalidConfig", "cannot read ingest configuration " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_ingest_config(text.str(), path.string());
}

Result<std::filesystem::path> default_ingest_config_path() {
  auto dataset = model::default_dataset_dir();
  // The configuration cannot be found: the same input error as one that cannot be read.
  if (!dataset) return make_error("InvalidConfig", "ingest configuration: " + dataset.error().message);
  return *dataset / "ingest.json";
}

}  // namespace dwh::ingest
