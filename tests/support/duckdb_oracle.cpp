#include "duckdb_oracle.hpp"

#include <filesystem>
#include <stdexcept>

#include "process.hpp"

namespace dwh::test {
namespace {

std::string source_path(const std::string& relative) {
  return std::string(DWH_SOURCE_DIR) + "/" + relative;
}

nlohmann::json run_node_tool(const std::string& tool, std::vector<std::string> args,
                             const std::string& stdin_text) {
  const std::string modules = source_path(".node/node_modules");
  if (!std::filesystem::exists(modules)) {
    throw std::runtime_error("Parquet oracle: " + modules +
                             " is missing (npm install @duckdb/node-api hyparquet "
                             "hyparquet-compressors there)");
  }
  std::vector<std::string> argv{"node", source_path("tests/tools/" + tool)};
  for (auto& a : args) argv.push_back(std::move(a));
  const ProcessResult r = run_process(argv, {{"NODE_PATH", modules}}, stdin_text);
  if (r.exit_code == 127) throw std::runtime_error("Parquet oracle: cannot run `node` (is Node.js on PATH?)");
  if (r.exit_code != 0) {
    throw std::runtime_error("Parquet oracle " + tool + " failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.err);
  }
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("Parquet oracle " + tool + " printed no JSON: " + std::string(e.what()) +
                             "; stderr: " + r.err);
  }
}

}  // namespace

nlohmann::json duckdb_query(const std::string& sql) {
  return run_node_tool("duckdb_query.mjs", {}, sql);
}

nlohmann::json hyparquet_read(const std::string& path) {
  return run_node_tool("hyparquet_read.mjs", {path}, {});
}

std::string sql_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace dwh::test
