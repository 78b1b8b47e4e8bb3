#include "dwh/pipeline/run.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "dwh/core/log.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ingest/ingest.hpp"
#include "dwh/ledger/manifests.hpp"
#include "dwh/ledger/run_ledger.hpp"
#include "dwh/load/load.hpp"
#include "dwh/model/model.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/stores/object_store.hpp"
#include "dwh/transform/transform.hpp"

namespace dwh::pipeline {
namespace {

namespace chr = std::chrono;
using nlohmann::json;

double since(chr::steady_clock::time_point t0) {
  return chr::duration<double>(chr::steady_clock::now() - t0).count();
}

std::string describe(const Error& e) {
  return e.code + ": " + e.message;
}

// Rows landed by committed ingest runs that no transform run has consumed yet. Reading the
// manifests (small JSON objects) is how the pipeline knows whether transform has work, without
// any state of its own.
Result<std::uint64_t> pending_landed_rows(const PipelineConfig& config, const PipelineTargets& targets) {
  auto landing = stores::open_store(config.landing_url, targets.s3_options);
  if (!landing) return std::move(landing).error();
  auto processed = stores::open_store(config.processed_url, targets.s3_options);
  if (!processed) return std::move(processed).error();
  std::string consumed_up_to;
  auto transforms = ledger::committed_runs(**processed, ledger::Job::Transform);
  if (!transforms) {
    if (transforms.error().code != "StoreUnavailable") return std::move(transforms).error();
  } else if (!transforms->empty()) {
    auto newest = ledger::read_transform_manifest(**processed, transforms->back());
    if (!newest) return std::move(newest).error();
    consumed_up_to = newest->manifest.last_ingest_run;
  }
  auto ingests = ledger::committed_runs(**landing, ledger::Job::Ingest);
  if (!ingests) return std::move(ingests).error();
  std::uint64_t rows = 0;
  for (const auto& id : *ingests) {
    if (id <= consumed_up_to) continue;
    auto stored = ledger::read_ingest_manifest(**landing, id);
    if (!stored) return std::move(stored).error();
    for (const auto& [table, entry] : stored->manifest.tables) rows += entry.rows;
  }
  return rows;
}

// A step that failed: its error becomes the summary's, the rest stays empty.
StageSummary failed(StageSummary s, const Error& e) {
  s.status = StageStatus::Failed;
  s.error = describe(e);
  return s;
}

// Each step fills rows, status and run id; run_pipeline_once names and times it.
StageSummary run_ingest_stage(const PipelineConfig& config, const PipelineTargets& targets) {
  StageSummary s;
  ingest::IngestOptions o;
  o.source_url = targets.source_url;
  o.landing_url = config.landing_url;
  // The dataset's own tables: [model] dir holds its ingest.json beside its models.
  o.config_path = config.model_dir / "ingest.json";
  o.s3_options = targets.s3_options;
  auto r = ingest::run_ingest(o);
  if (!r) return failed(std::move(s), r.error());
  s.run_id = r->run_id;
  for (const auto& t : r->tables) s.rows[t.table] = t.rows;
  s.total_rows = r->rows;
  s.status = r->rows > 0 ? StageStatus::Done : StageStatus::NothingNew;
  return s;
}

StageSummary run_transform_stage(const PipelineConfig& config, const PipelineTargets& targets) {
  StageSummary s;
  auto pending = pending_landed_rows(config, targets);
  if (!pending) return failed(std::move(s), pending.error());
  if (*pending == 0) {
    s.status = StageStatus::NothingNew;
    return s;
  }
  transform::TransformOptions o;
  o.landing_url = config.landing_url;
  o.processed_url = config.processed_url;
  o.model_dir = config.model_dir;
  o.s3_options = targets.s3_options;
  auto r = transform::run_transform(o);
  if (!r) return failed(std::move(s), r.error());
  s.run_id = r->nothing_new ? "" : r->run_id;
  for (const auto& t : r->tables) s.rows[t.table] = t.rows;
  s.total_rows = r->rows;
  s.status = r->nothing_new ? StageStatus::NothingNew : StageStatus::Done;
  return s;
}

StageSummary run_load_stage(const PipelineConfig& config, const PipelineTargets& targets) {
  StageSummary s;
  load::LoadOptions o;
  o.processed_url = config.processed_url;
  o.warehouse_url = targets.warehouse_url;
  o.dialect = targets.dialect;
  o.model_dir = config.model_dir;
  o.s3_options = targets.s3_options;
  auto r = load::run_load(o);
  if (!r) return failed(std::move(s), r.error());
  for (const auto& m : r->loaded) {
    s.run_id = m.run_id;
    for (const auto& [table, n] : m.written) s.rows[table] += n;
  }
  s.total_rows = r->rows;
  s.status = r->loaded.empty() ? StageStatus::NothingNew : StageStatus::Done;
  return s;
}

void read_freshness(const PipelineTargets& targets, RunSummary& summary) {
  auto conn = pg::connect(targets.warehouse_url);
  if (!conn) {
    log::warn("cannot read the warehouse's freshness", {{"error", conn.error().message}});
    return;
  }
  try {
    pqxx::work tx(**conn);
    // The source writes UTC wall-clock timestamps (cursor_timezone); compare in UTC.
    const auto row = tx.exec1(
        "SELECT to_char(newest_source_change, 'YYYY-MM-DD HH24:MI:SS.MS'), "
        "EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - newest_source_change) FROM warehouse_freshness");
    if (!row[0].is_null()) {
      summary.newest_source_change = row[0].as<std::string>();
      summary.freshness_seconds = row[1].as<double>();
    }
  } catch (const std::exception& e) {
    log::warn("cannot read the warehouse's freshness", {{"error", e.what()}});
  }
}

const char* status_name(StageStatus s) {
  switch (s) {
    case StageStatus::Done:
      return "done";
    case StageStatus::NothingNew:
      return "nothing new";
    case StageStatus::Failed:
      return "FAILED";
    case StageStatus::NotRun:
      return "not run";
  }
  return "";
}

std::string human_duration(double seconds) {
  char buf[48];
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else if (seconds < 172800)
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  else
    std::snprintf(buf, sizeof buf, "%.1f days", seconds / 86400);
  return buf;
}

}  // namespace

Status prepare_warehouse(const PipelineConfig& config, const PipelineTargets& targets) {
  auto dataset = model::load_dataset(config.model_dir);
  if (!dataset) return std::move(dataset).error();
  auto r = load::init_warehouse(targets.warehouse_url, *dataset, targets.dialect);
  if (!r) return std::move(r).error();
  return {};
}

RunSummary run_pipeline_once(const PipelineConfig& config, const PipelineTargets& targets,
                             const std::atomic<bool>* stop) {
  RunSummary summary;
  summary.started_at = core::utc_now_iso();
  const auto t0 = chr::steady_clock::now();
  using StageFn = StageSummary (*)(const PipelineConfig&, const PipelineTargets&);
  const std::pair<const char*, StageFn> steps[] = {
      {"ingest", run_ingest_stage}, {"transform", run_transform_stage}, {"load", run_load_stage}};
  for (const auto& [name, fn] : steps) {
    if (!summary.ok || (stop != nullptr && stop->load())) {
      StageSummary skipped;
      skipped.stage = name;
      summary.stages.push_back(std::move(skipped));
      continue;
    }
    log::set_context(name, "");
    const auto step_start = chr::steady_clock::now();
    StageSummary s = fn(config, targets);
    s.stage = name;
    s.seconds = since(step_start);
    log::set_context("run", "");
    if (s.status == StageStatus::Failed) {
      summary.ok = false;
      summary.failed_stage = name;
      log::error("pipeline step failed", {{"step", name}, {"error", s.error}});
    }
    summary.stages.push_back(std::move(s));
  }
  read_freshness(targets, summary);
  summary.stale = summary.freshness_seconds &&
                  *summary.freshness_seconds > static_cast<double>(config.max_freshness.count());
  summary.seconds = since(t0);
  return summary;
}

std::string format_summary(const RunSummary& s) {
  std::string out = "run " + s.started_at + (s.ok ? "  ok" : "  FAILED at " + s.failed_stage) + "  (" +
                    human_duration(s.seconds) + ")\n";
  for (const auto& st : s.stages) {
    char head[96];
    std::snprintf(head, sizeof head, "  %-10s %-12s %8.2f s  %10llu rows", st.stage.c_str(),
                  status_name(st.status), st.seconds, static_cast<unsigned long long>(st.total_rows));
    out += head;
    std::string detail;
    for (const auto& [table, n] : st.rows) {
      if (n > 0) detail += (detail.empty() ? "" : ", ") + table + " " + std::to_string(n);
    }
    if (!detail.empty()) out += "   " + detail;
    if (!st.error.empty()) out += "\n             " + st.error;
    out += "\n";
  }
  if (s.freshness_seconds) {
    out += "  freshness  newest source change in the warehouse: " + s.newest_source_change + " UTC, " +
           human_duration(*s.freshness_seconds) + " ago" +
           (s.stale ? "  (STALE: above alerts.max_freshness)" : "") + "\n";
  } else {
    out += "  freshness  the warehouse holds no facts yet\n";
  }
  return out;
}

std::string summary_json(const RunSummary& s) {
  json stages = json::array();
  for (const auto& st : s.stages) {
    stages.push_back({{"stage", st.stage},
                      {"status", status_name(st.status)},
                      {"seconds", st.seconds},
                      {"rows", st.total_rows},
                      {"tables", st.rows},
                      {"run_id", st.run_id.empty() ? json(nullptr) : json(st.run_id)},
                      {"error", st.error.empty() ? json(nullptr) : json(st.error)}});
  }
  return json{
      {"started_at", s.started_at},
      {"ok", s.ok},
      {"failed_stage", s.failed_stage.empty() ? json(nullptr) : json(s.failed_stage)},
      {"seconds", s.seconds},
      {"stages", stages},
      {"newest_source_change", s.newest_source_change.empty() ? json(nullptr) : json(s.newest_source_change)},
      {"freshness_seconds", s.freshness_seconds ? json(*s.freshness_seconds) : json(nullptr)},
      {"stale", s.stale}}
      .dump();
}

}  // namespace dwh::pipeline
