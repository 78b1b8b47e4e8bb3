#include "dwh/pipeline/targets.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "dwh/load/warehouse_url.hpp"
#include "dwh/local/resolve_database.hpp"

namespace dwh::pipeline {
namespace {

std::optional<std::string> unless_empty(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

Result<PipelineTargets> resolve_targets(const PipelineConfig& config) {
  PipelineTargets targets;
  auto source = local::resolve_database_url(local::DatabaseRole::Source, unless_empty(config.source_url));
  if (!source) return with_context(std::move(source).error(), "no source database: ");
  targets.source_url = std::move(source).value();
  load::WarehouseOptions options;
  options.warehouse = unless_empty(config.warehouse_url);
  options.secret = unless_empty(config.warehouse_secret);
  options.dialect = config.dialect;
  auto warehouse = load::resolve_warehouse(options);
  if (!warehouse) return with_context(std::move(warehouse).error(), "no warehouse database: ");
  targets.warehouse_url = std::move(warehouse->url);
  targets.dialect = warehouse->dialect;
  return targets;
}

void create_file_stores(const PipelineConfig& config) {
  constexpr std::string_view kFile = "file://";
  for (const std::string& url : {config.landing_url, config.processed_url}) {
    if (url.rfind(kFile, 0) != 0) continue;
    std::error_code ec;
    std::filesystem::create_directories(url.substr(kFile.size()), ec);
  }
}

}  // namespace dwh::pipeline
