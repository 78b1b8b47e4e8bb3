#pragma once
// One pipeline run: ingest -> transform -> load, each step skipped when there is nothing new
// for it, and a summary (rows per table at each stage, seconds per stage, freshness). The
// manifests of the three jobs are the pipeline's whole state, so a run stopped anywhere and
// started again loses and duplicates nothing; this layer keeps no state of its own.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "dwh/core/result.hpp"
#include "dwh/load/warehouse_schema.hpp"
#include "dwh/pipeline/config.hpp"

namespace dwh::pipeline {

struct PipelineTargets {
  std::string source_url;  // resolved libpq URIs (never printed with their passwords)
  std::string warehouse_url;
  load::Dialect dialect = load::Dialect::Postgres;
  aws::ClientOptions s3_options;
};

enum class StageStatus { Done, NothingNew, Failed, NotRun };

struct StageSummary {
  std::string stage;  // "ingest", "transform", "load"
  StageStatus status = StageStatus::NotRun;
  double seconds = 0;
  std::map<std::string, std::uint64_t> rows;  // per table
  std::uint64_t total_rows = 0;
  std::string run_id;  // the job's run id, when it committed one
  std::string error;   // when Failed: "<code>: <message>"
};

struct RunSummary {
  std::string started_at;  // UTC ISO
  std::vector<StageSummary> stages;
  // Age of the newest source change visible in the warehouse, at the end of the run.
  std::optional<double> freshness_seconds;
  std::string newest_source_change;  // "YYYY-MM-DD HH:MM:SS.mmm" (UTC), empty when none
  bool ok = true;
  std::string failed_stage;
  bool stale = false;  // freshness above the configured max_freshness
  double seconds = 0;
};

// Runs the three steps once. `stop` is checked between steps: when set, the remaining steps
// are not started (the current one always finishes, so nothing is left half done).
RunSummary run_pipeline_once(const PipelineConfig& config, const PipelineTargets& targets,
                             const std::atomic<bool>* stop = nullptr);

// Creates or migrates the warehouse schema (idempotent) before the first load.
Status prepare_warehouse(const PipelineConfig& config, const PipelineTargets& targets);

// The human summary (a few aligned lines) and the JSON form (one object).
std::string format_summary(const RunSummary& summary);
std::string summary_json(const RunSummary& summary);

}  // namespace dwh::pipeline
