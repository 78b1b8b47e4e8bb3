// The transform run: state from the newest transform manifest, orphan cleanup, the unconsumed
// ingest runs, the current versions lookups need, every model (tables in parallel), the
// calendar, then state, rejects and the manifest last.
#include "dwh/transform/transform.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "dwh/core/for_each_table.hpp"
#include "dwh/core/log.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ledger/manifests.hpp"
#include "dwh/ledger/run_ledger.hpp"
#include "dwh/model/calendar.hpp"
#include "dwh/model/values.hpp"
#include "dwh/stores/compression.hpp"
#include "internal.hpp"

namespace dwh::transform {
namespace {

using namespace detail;
using json = nlohmann::json;
namespace chr = std::chrono;

// What the newest transform manifest says.
struct PreviousRun {
  std::string run_id;  // "" when none
  std::string last_ingest_run;
  std::map<std::string, std::string> state_keys;  // source table -> state object
  std::map<std::string, DateRange> calendars;     // calendar table -> covered range
};

Result<PreviousRun> read_previous(stores::ObjectStore& processed, const ledger::RunLedger& runs) {
  PreviousRun prev;
  prev.run_id = runs.newest_committed();
  if (prev.run_id.empty()) return prev;
  auto stored = ledger::read_transform_manifest(processed, prev.run_id);
  if (!stored) return std::move(stored).error();
  const auto& m = stored->manifest;
  prev.last_ingest_run = m.last_ingest_run;
  for (const auto& [table, entry] : m.state_current) prev.state_keys[table] = entry.key;
  for (const auto& [table, range] : m.state_calendars) {
    std::int32_t lo = 0, hi = 0;
    if (parse_date_days(range.min, lo) != ValueError::None ||
        parse_date_days(range.max, hi) != ValueError::None) {
      return make_error("ManifestInvalid",
                        stored->key + " is not a valid transform manifest: bad calendar range of " + table);
    }
    prev.calendars[table] = DateRange{lo, hi};
  }
  return prev;
}

// Objects of runs newer than the newest manifest belong to runs that died before committing.
Result<std::vector<std::string>> remove_orphans(ledger::RunLedger& runs, const Dataset& dataset) {
  std::vector<std::string> prefixes;
  for (const auto& m : dataset.models) {
    for (auto& p : runs.orphan_prefixes(m.table + "/")) prefixes.push_back(std::move(p));
  }
  prefixes.emplace_back(kStatePrefix);
  // _rejected/<run_id>/<table>.jsonl: the run id is the folder.
  auto removed = runs.remove_orphans(prefixes, {std::string(kRejectedPrefix)});
  if (!removed) return std::move(removed).error();
  for (const auto& k : *removed) log::info("removed orphan object of an uncommitted run", {{"key", k}});
  return removed;
}

SourceType source_type_of_pg(const std::string& pg) {
  if (pg == "integer" || pg == "smallint" || pg == "bigint") return SourceType::Integer;
  if (pg.rfind("numeric", 0) == 0) return SourceType::Decimal;
  if (pg == "double precision" || pg == "real") return SourceType::Double;
  if (pg == "boolean") return SourceType::Boolean;
  if (pg.rfind("timestamp", 0) == 0) return SourceType::Timestamp;
  if (pg == "date") return SourceType::Date;
  return SourceType::Text;
}

// The source columns of the dataset against what an ingest run says it landed.
Status check_columns(const SourceTable& source, const std::vector<ledger::LandedColumn>& columns,
                     const std::string& ingest_run) {
  std::map<std::string, std::string> landed;
  for (const auto& c : columns) landed[c.name] = c.type;
  std::vector<std::string> problems;
  for (const auto& c : source.columns) {
    const auto it = landed.find(c.name);
    if (it == landed.end()) {
      problems.push_back("column " + c.name + " is not in the landed data");
    } else if (source_type_of_pg(it->second) != c.type) {
      problems.push_back("column " + c.name + " is " + it->second +
                         " in the landed data, sources.toml says " +
                         std::string(model::source_type_name(c.type)));
    }
  }
  if (problems.empty()) return {};
  std::string m =
      "source table " + source.name + " of ingest run " + ingest_run + " does not match sources.toml: ";
  for (std::size_t i = 0; i < problems.size(); ++i) m += (i ? "; " : "") + problems[i];
  return make_error("SchemaDrift", m);
}

struct Landed {
  std::vector<ledger::ConsumedRun> runs;
  std::map<std::string, std::vector<InputObject>> objects;  // source table -> objects, run order
};

// The objects one ingest run landed for the dataset's source tables.
Status add_landed(Landed& out, const Dataset& dataset, const ledger::Stored<ledger::IngestManifest>& stored) {
  const auto& m = stored.manifest;
  const int run = static_cast<int>(out.runs.size());
  out.runs.push_back({m.run_id, stored.key, stored.sha256});
  const auto compression = stores::parse_compression(m.compression);
  if (!compression) {
    return make_error("ManifestInvalid",
                      stored.key + " is not a valid ingest manifest: unknown compression " + m.compression);
  }
  for (const auto& [name, entry] : m.tables) {
    const SourceTable* source = dataset.source(name);
    if (!source) continue;  // landed but not used by this dataset
    if (auto s = check_columns(*source, entry.columns, m.run_id); !s) return std::move(s).error();
    if (!entry.key || entry.rows == 0) continue;
    InputObject o;
    o.key = *entry.key;
    o.run = run;
    o.compression = o.key.ends_with(".zst") ? stores::Compression::Zstd : *compression;
    o.size = entry.bytes;
    o.sha256 = entry.sha256.value_or("");
    o.rows = entry.rows;
    out.objects[name].push_back(std::move(o));
  }
  return {};
}

// Every committed ingest run after `after`, oldest first.
Result<Landed> read_landed(stores::ObjectStore& landing, const Dataset& dataset, const std::string& after) {
  auto ids = ledger::committed_runs(landing, ledger::Job::Ingest);
  if (!ids) return std::move(ids).error();
  Landed out;
  for (const auto& id : *ids) {
    if (id <= after) continue;
    auto stored = ledger::read_ingest_manifest(landing, id);
    if (!stored) return std::move(stored).error();
    if (auto s = add_landed(out, dataset, *stored); !s) return std::move(s).error();
  }
  return out;
}

// Source tables whose current version is kept: what lookups need, plus the sources of
// dimensions with lookups (their rows are re-emitted when a lookup row changes).
std::set<std::string> kept_tables(const Dataset& dataset) {
  std::set<std::string> out;
  for (const auto& t : dataset.tables_needing_current_version()) out.insert(t);
  for (const auto& m : dataset.models) {
    for (const auto& l : m.lookups) out.insert(l.table);
    if (m.kind == ModelKind::Dimension && !m.lookups.empty()) out.insert(m.source);
  }
  return out;
}

int index_in(const SourceTable& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Parses one line of a current table's object, with its cursor. False with `pr` filled if bad.
bool parse_version(LineParser& parser, const CurrentTable& table, std::string_view line, CurrentRow& row,
                   std::int64_t& cursor, Problem& pr) {
  if (!parse_current_row(parser, line, row, pr)) return false;
  if (table.cursor_column < 0) return true;
  const Value& c = row.values[static_cast<std::size_t>(table.cursor_column)];
  if (c.kind == Value::Kind::Text && parse_timestamp_micros(c.text, cursor) == ValueError::None) return true;
  pr.column = table.source->cursor;
  pr.value = value_text(c);
  pr.reason = "bad cursor value";
  return false;
}

// Keeps the version of `row`'s key that is latest by cursor, then run order.
void keep_latest(CurrentTable& table, LineParser& parser, std::string_view line, const CurrentRow& row,
                 std::int64_t cursor, const InputObject& o, std::uint64_t line_no) {
  const std::string key = key_of(row.values, table.key_columns);
  auto it = table.rows.find(key);
  if (it != table.rows.end()) {
    const CurrentRow& old = it->second;
    const bool newer = cursor > old.cursor || (cursor == old.cursor && o.run > old.run);
    if (o.run != kStateRun) it->second.changed = true;
    if (!newer) return;
  } else {
    it = table.rows.emplace(key, CurrentRow{}).first;
  }
  // Parse again in place: the values point into the row's own storage.
  CurrentRow& dst = it->second;
  const bool was_changed = dst.changed;
  Problem pr;
  (void)parse_current_row(parser, line, dst, pr);
  dst.cursor = cursor;
  dst.run = o.run;
  dst.changed = was_changed || o.run != kStateRun;
  dst.origin = o.key;
  dst.origin_line = line_no;
  if (o.run != kStateRun) table.changed = true;
}

// The lines of one object (the previous state, or a landed one) into `table`.
Status add_current_object(RunContext& ctx, CurrentTable& table, LineParser& parser, const InputObject& o,
                          std::vector<std::string>& rejects, std::uint64_t& rejected) {
  auto text = read_whole_object(o.run == kStateRun ? *ctx.processed : *ctx.landing, o);
  if (!text) return std::move(text).error();
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    const std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;
    ++table.rows_in;
    CurrentRow row;
    Problem pr;
    std::int64_t cursor = 0;
    if (!parse_version(parser, table, line, row, cursor, pr)) {
      pr.line = line_no;
      pr.record.assign(line);
      if (!ctx.options->quarantine) return bad_record_error(table.source->name, o.key, pr);
      rejects.push_back(reject_line(o.key, pr));
      ++rejected;
      continue;
    }
    keep_latest(table, parser, line, row, cursor, o, line_no);
  }
  return {};
}

// Previous state, then this run's landed versions (latest by cursor, then run order).
Status load_current(RunContext& ctx, const PreviousRun& prev, const Landed& landed, CurrentTable& table,
                    std::vector<std::string>& rejects, std::uint64_t& rejected) {
  const SourceTable& src = *table.source;
  for (const auto& k : src.primary_key) table.key_columns.push_back(index_in(src, k));
  table.cursor_column = index_in(src, src.cursor);
  const RecordParser spec(src, {});
  auto parser = make_line_parser(spec);
  const auto prev_key = prev.state_keys.find(src.name);
  if (prev_key != prev.state_keys.end()) {
    table.state_key = prev_key->second;
    InputObject o;
    o.key = prev_key->second;
    o.run = kStateRun;
    o.compression = stores::Compression::Gzip;
    if (auto s = add_current_object(ctx, table, *parser, o, rejects, rejected); !s) return s;
  }
  const auto it = landed.objects.find(src.name);
  if (it != landed.objects.end()) {
    for (const auto& o : it->second) {
      if (auto s = add_current_object(ctx, table, *parser, o, rejects, rejected); !s) return s;
    }
  }
  return {};
}

Status write_state(RunContext& ctx, CurrentTable& table, ledger::RunLedger& runs) {
  std::string text;
  for (const auto& [k, row] : table.rows) {
    text += row.line;
    text += '\n';
  }
  std::string gz;
  if (auto s = stores::compress_chunk(stores::Compression::Gzip, text, gz); !s) return s;
  table.state_key = std::string(kStatePrefix) + table.source->name + "/" + ctx.run_id + ".jsonl.gz";
  if (auto s = ctx.processed->put(table.state_key, gz); !s) {
    return with_context(std::move(s).error(), "cannot write state " + table.state_key + ": ");
  }
  runs.wrote(table.state_key);
  return {};
}

json table_log(const TableResult& r) {
  return {{"table", r.table},
          {"rows_in", r.rows_in},
          {"rows_out", r.rows},
          {"rejected", r.rejected},
          {"bytes", r.bytes},
          {"seconds", r.seconds},
          {"key", r.key.empty() ? json(nullptr) : json(r.key)}};
}

Status validate(const TransformOptions& o) {
  if (o.landing_url.empty()) return make_error("InvalidArgument", "--landing is required");
  if (o.processed_url.empty()) return make_error("InvalidArgument", "--processed is required");
  if (o.model_dir.empty()) return make_error("InvalidArgument", "--model is required");
  if (o.chunk_bytes < 4096) return make_error("InvalidArgument", "chunk_bytes must be at least 4096");
  if (o.chunks_in_flight < 1 || o.tables_in_parallel < 1) {
    return make_error("InvalidArgument", "chunks_in_flight and tables_in_parallel must be at least 1");
  }
  return {};
}

// The model and the two stores, all checked before any data is read.
struct Target {
  Dataset dataset;
  std::unique_ptr<stores::ObjectStore> landing;
  std::unique_ptr<stores::ObjectStore> processed;
};

Result<Target> open_target(const TransformOptions& options) {
  if (auto s = validate(options); !s) return std::move(s).error();
  // A model with errors is rejected before any data is read.
  auto dataset = load_dataset(options.model_dir);
  if (!dataset) return std::move(dataset).error();
  auto landing = stores::open_store(options.landing_url, options.s3_options);
  if (!landing) return std::move(landing).error();
  if (auto s = (*landing)->check(); !s) return std::move(s).error();
  auto processed = stores::open_store(options.processed_url, options.s3_options);
  if (!processed) return std::move(processed).error();
  if (auto s = (*processed)->check(); !s) return std::move(s).error();
  return Target{std::move(dataset).value(), std::move(landing).value(), std::move(processed).value()};
}

// What the phases of one run produce, for the next ones and the manifest.
struct Work {
  std::map<std::string, CurrentTable> current;              // the kept source tables
  std::map<std::string, std::vector<std::string>> rejects;  // name -> JSON lines
  std::vector<const Model*> models;                         // every model but the calendars
  std::vector<TableOutcome> outcomes;                       // of `models`
  std::vector<const Model*> calendars;
  std::vector<TableOutcome> calendar_outcomes;  // of `calendars`
  std::map<std::string, DateRange> covered;     // calendar table -> dates covered after this run
};

// Current versions (small lookup tables): previous state plus this run's landed versions.
Status load_current_tables(RunContext& ctx, const PreviousRun& prev, const Landed& landed, Work& work,
                           TransformReport& report) {
  for (const auto& name : kept_tables(*ctx.dataset)) {
    const SourceTable* src = ctx.dataset->source(name);
    if (!src) {
      return make_error("ModelError", ctx.options->model_dir.string() + ": lookup table '" + name +
                                          "' is not in sources.toml");
    }
    CurrentTable& t = work.current[name];
    t.source = src;
    std::uint64_t rejected = 0;
    if (auto s = load_current(ctx, prev, landed, t, work.rejects[name], rejected); !s) return s;
    report.rejected += rejected;
  }
  return {};
}

// Model indexes, biggest landed input first, so the long tables start early.
std::vector<std::size_t> biggest_first(const std::vector<const Model*>& models, const Landed& landed) {
  std::vector<std::size_t> order(models.size());
  std::vector<std::uint64_t> weight(models.size(), 0);
  for (std::size_t i = 0; i < models.size(); ++i) {
    order[i] = i;
    const auto it = landed.objects.find(models[i]->source);
    if (it != landed.objects.end()) {
      for (const auto& o : it->second) weight[i] += o.size.value_or(0);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return weight[a] > weight[b]; });
  return order;
}

// Every non-calendar model; tables in parallel, each internally parallel.
Status run_models(RunContext& ctx, const Landed& landed, Work& work, ledger::RunLedger& runs) {
  for (const auto& m : ctx.dataset->models)
    (m.kind == ModelKind::Calendar ? work.calendars : work.models).push_back(&m);
  std::vector<std::unique_ptr<Evaluator>> evaluators(work.models.size());
  for (std::size_t i = 0; i < work.models.size(); ++i) {
    auto ev = Evaluator::create(*ctx.dataset, *work.models[i], work.current);
    if (!ev) return std::move(ev).error();
    evaluators[i] = std::move(ev).value();
  }
  work.outcomes.resize(work.models.size());
  Status status = core::for_each_table(biggest_first(work.models, landed),
                                       static_cast<std::size_t>(ctx.options->tables_in_parallel), ctx.stop,
                                       [&](std::size_t i) -> Status {
                                         const Model& m = *work.models[i];
                                         TableOutcome& oc = work.outcomes[i];
                                         const auto cur = work.current.find(m.source);
                                         if (m.kind == ModelKind::Dimension && cur != work.current.end()) {
                                           oc = run_current_model(ctx, m, *evaluators[i], cur->second);
                                         } else {
                                           TableInputs inputs;
                                           const auto it = landed.objects.find(m.source);
                                           if (it != landed.objects.end()) inputs.objects = it->second;
                                           oc = run_streamed_model(ctx, m, *evaluators[i], inputs);
                                         }
                                         if (oc.error) return *oc.error;
                                         return {};
                                       });
  for (const auto& oc : work.outcomes) {
    if (!oc.result.key.empty()) runs.wrote(oc.result.key);
  }
  return status;
}

// Calendars: extend the covered range to every date the rows refer to; emit only new dates.
Status run_calendars(RunContext& ctx, const PreviousRun& prev, Work& work, ledger::RunLedger& runs) {
  work.covered = prev.calendars;
  for (const Model* m : work.calendars) {
    DateRange now = work.covered[m->table];
    const DateRange before = now;
    for (const auto& oc : work.outcomes) {
      const auto it = oc.dates.find(m->table);
      if (it != oc.dates.end()) now.merge(it->second);
    }
    auto oc = run_calendar_model(ctx, *m, before, now);
    if (oc.error) return std::move(*oc.error);
    if (!oc.result.key.empty()) runs.wrote(oc.result.key);
    work.covered[m->table] = now;
    work.calendar_outcomes.push_back(std::move(oc));
  }
  return {};
}

// The state that changed, and the rejects, into the processed store and the manifest.
Status write_state_and_rejects(RunContext& ctx, Work& work, ledger::RunLedger& runs,
                               ledger::TransformManifest& manifest, TransformReport& report) {
  for (auto& [name, table] : work.current) {
    if (table.changed) {
      if (auto s = write_state(ctx, table, runs); !s) return s;
    }
    if (!table.state_key.empty())
      manifest.state_current[name] = {table.state_key, table.rows.size(), table.changed};
  }
  for (std::size_t i = 0; i < work.models.size(); ++i) {
    auto& r = work.outcomes[i].rejects;
    auto& to = work.rejects[work.models[i]->table];
    to.insert(to.end(), r.begin(), r.end());
  }
  for (const auto& [name, lines] : work.rejects) {
    if (lines.empty()) continue;
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    const std::string key = std::string(kRejectedPrefix) + ctx.run_id + "/" + name + ".jsonl";
    if (auto s = ctx.processed->put(key, text); !s)
      return with_context(std::move(s).error(), "cannot write " + key + ": ");
    runs.wrote(key);
    report.rejected_keys.push_back(key);
    manifest.rejected[name] = {key, lines.size()};
  }
  return {};
}

// The rest of the manifest (tables in the dataset's order), and the report's totals.
void describe_run(const Dataset& dataset, const Work& work, const PreviousRun& prev, const Landed& landed,
                  ledger::TransformManifest& manifest, TransformReport& report) {
  for (const auto& r : landed.runs) manifest.consumed.push_back(r);
  manifest.previous_run = prev.run_id.empty() ? std::nullopt : std::optional<std::string>(prev.run_id);
  manifest.last_ingest_run = landed.runs.back().run_id;
  std::map<const Model*, const TableOutcome*> by_model;
  for (std::size_t i = 0; i < work.models.size(); ++i) by_model[work.models[i]] = &work.outcomes[i];
  for (std::size_t i = 0; i < work.calendars.size(); ++i)
    by_model[work.calendars[i]] = &work.calendar_outcomes[i];
  for (const auto& m : dataset.models) {
    const TableResult& r = by_model[&m]->result;
    manifest.tables[r.table] = {
        r.key.empty() ? std::nullopt : std::optional<std::string>(r.key),       r.rows,    r.bytes,
        r.sha256.empty() ? std::nullopt : std::optional<std::string>(r.sha256), r.rows_in, r.rejected};
    report.rows += r.rows;
    report.rejected += r.rejected;
    report.tables.push_back(r);
  }
  for (const auto& [name, range] : work.covered) {
    if (range.empty()) continue;
    manifest.state_calendars[name] = {format_date(range.min), format_date(range.max)};
    report.calendar_min = format_date(range.min);
    report.calendar_max = format_date(range.max);
  }
}

void log_committed(TransformReport& report, chr::steady_clock::time_point t0) {
  for (const auto& t : report.tables) log::info("table transformed", table_log(t));
  report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  log::info("transform committed", {{"tables", report.tables.size()},
                                    {"rows", report.rows},
                                    {"rejected", report.rejected},
                                    {"consumed", report.consumed},
                                    {"seconds", report.seconds},
                                    {"manifest", report.manifest_key},
                                    {"orphans_removed", report.orphans_removed.size()}});
}

// The ingest runs this run consumes; the report says what is known before any work.
Result<Landed> consume(const Target& target, const PreviousRun& prev, TransformReport& report) {
  auto landed = read_landed(*target.landing, target.dataset, prev.last_ingest_run);
  if (!landed) return std::move(landed).error();
  for (const auto& r : landed->runs) report.consumed.push_back(r.run_id);
  for (const auto& [table, range] : prev.calendars) {
    if (!range.empty()) {
      report.calendar_min = format_date(range.min);
      report.calendar_max = format_date(range.max);
    }
  }
  report.nothing_new = landed->runs.empty();
  return landed;
}

// Every phase of the work, then the manifest, last.
Status transform_and_commit(RunContext& ctx, const PreviousRun& prev, const Landed& landed,
                            const std::string& started_at, ledger::RunLedger& runs, TransformReport& report) {
  Work work;
  ledger::TransformManifest manifest;
  if (auto s = load_current_tables(ctx, prev, landed, work, report); !s) return s;
  if (auto s = run_models(ctx, landed, work, runs); !s) return s;
  if (auto s = run_calendars(ctx, prev, work, runs); !s) return s;
  if (auto s = write_state_and_rejects(ctx, work, runs, manifest, report); !s) return s;
  describe_run(*ctx.dataset, work, prev, landed, manifest, report);
  crash_point("transform-before-manifest");
  manifest.run_id = ctx.run_id;
  manifest.started_at = started_at;
  manifest.finished_at = core::utc_now_iso();
  manifest.dataset = ctx.dataset->name;
  manifest.quarantine = ctx.options->quarantine;
  if (auto s = runs.commit(ledger::manifest_text(manifest)); !s) return s;
  crash_point("transform-after-manifest");
  report.manifest_key = runs.manifest_key();
  return {};
}

Result<TransformReport> run(const TransformOptions& options) {
  const auto t0 = chr::steady_clock::now();
  const std::string started_at = core::utc_now_iso();
  auto target = open_target(options);
  if (!target) return std::move(target).error();
  auto runs = ledger::RunLedger::begin(*target->processed, ledger::Job::Transform, chr::system_clock::now());
  if (!runs) return std::move(runs).error();
  auto prev = read_previous(*target->processed, *runs);
  if (!prev) return std::move(prev).error();
  log::set_context("transform", runs->run_id());
  crash_point("transform-before-cleanup");

  TransformReport report;
  report.run_id = runs->run_id();
  auto orphans = remove_orphans(*runs, target->dataset);
  if (!orphans) return std::move(orphans).error();
  report.orphans_removed = std::move(orphans).value();
  auto landed = consume(*target, *prev, report);
  if (!landed) return std::move(landed).error();
  if (report.nothing_new) {
    report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
    log::info("nothing new: every committed ingest run is consumed",
              {{"last_ingest_run", prev->last_ingest_run}, {"seconds", report.seconds}});
    return report;
  }

  RunContext ctx;
  ctx.dataset = &target->dataset;
  ctx.landing = target->landing.get();
  ctx.processed = target->processed.get();
  ctx.options = &options;
  ctx.run_id = runs->run_id();
  ctx.writer.compression = options.compression;
  ctx.writer.row_group_rows = options.row_group_rows;
  ctx.writer.row_group_bytes = options.row_group_bytes;
  if (auto s = transform_and_commit(ctx, *prev, *landed, started_at, *runs, report); !s)
    return std::move(s).error();
  log_committed(report, t0);
  return report;
}

}  // namespace

Result<TransformReport> run_transform(const TransformOptions& options) {
  try {
    return run(options);
  } catch (const std::exception& e) {
    // Only programming errors and allocation failures get here; stores and parsers return errors.
    return make_error("TransformFailed", std::string("transform failed: ") + e.what());
  }
}

}  // namespace dwh::transform
