// The transform run: state from the newest transform manifest, orphan cleanup, the unconsumed
// ingest runs, the current versions lookups need, every model (tables in parallel), the
// calendar, then state, rejects and the manifest last.
#include "dwh/transform/transform.hpp"

#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "dwh/core/hash.hpp"
#include "dwh/core/log.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ingest/layout.hpp"
#include "dwh/model/calendar.hpp"
#include "dwh/model/values.hpp"
#include "dwh/stores/compression.hpp"
#include "internal.hpp"

namespace dwh::transform {
namespace {

using namespace detail;
using json = nlohmann::json;
namespace chr = std::chrono;

constexpr int kManifestFormat = 1;

std::string transform_manifest_key(const std::string& run_id) {
  return std::string(kTransformManifestPrefix) + run_id + ".json";
}

// What the newest transform manifest says.
struct PreviousRun {
  std::string run_id;  // "" when none
  std::string last_ingest_run;
  std::map<std::string, std::string> state_keys;  // source table -> state object
  std::map<std::string, DateRange> calendars;     // calendar table -> covered range
};

Result<std::vector<std::string>> run_ids_under(stores::ObjectStore& store, std::string_view prefix) {
  auto listed = store.list(std::string(prefix));
  if (!listed) return with_context(std::move(listed).error(), "cannot list " + std::string(prefix) + ": ");
  std::vector<std::string> ids;
  for (const auto& o : *listed) {
    if (!o.key.ends_with(".json")) continue;
    std::string id = core::run_id_of_key(o.key);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<PreviousRun> read_previous(stores::ObjectStore& processed) {
  auto ids = run_ids_under(processed, kTransformManifestPrefix);
  if (!ids) return std::move(ids).error();
  PreviousRun prev;
  if (ids->empty()) return prev;
  prev.run_id = ids->back();
  const std::string key = transform_manifest_key(prev.run_id);
  auto text = processed.get(key);
  if (!text) return with_context(std::move(text).error(), "cannot read " + key + ": ");
  try {
    const json m = json::parse(*text);
    prev.last_ingest_run = m.at("last_ingest_run").get<std::string>();
    for (const auto& [table, entry] : m.at("state").at("current").items()) {
      prev.state_keys[table] = entry.at("key").get<std::string>();
    }
    for (const auto& [table, entry] : m.at("state").at("calendars").items()) {
      std::int32_t lo = 0, hi = 0;
      if (parse_date_days(entry.at("min").get<std::string>(), lo) != ValueError::None ||
          parse_date_days(entry.at("max").get<std::string>(), hi) != ValueError::None) {
        throw std::runtime_error("bad calendar range of " + table);
      }
      prev.calendars[table] = DateRange{lo, hi};
    }
  } catch (const std::exception& e) {
    return make_error("StoreError", key + " is not a valid transform manifest: " + e.what());
  }
  return prev;
}

// Days from the date of `from_id` to that of `to_id`, as "YYYY/MM/DD".
std::vector<std::string> date_paths_between(const std::string& from_id, const std::string& to_id) {
  std::vector<std::string> out;
  std::int32_t from = 0, to = 0;
  auto day = [](const std::string& id, std::int32_t& d) {
    return id.size() >= 8 && parse_date_days(id.substr(0, 4) + "-" + id.substr(4, 2) + "-" + id.substr(6, 2),
                                             d) == ValueError::None;
  };
  if (!day(from_id, from) || !day(to_id, to)) return out;
  for (std::int64_t d = from; d <= to; ++d) {
    std::string s = format_date(d);  // YYYY-MM-DD
    std::replace(s.begin(), s.end(), '-', '/');
    out.push_back(s);
  }
  return out;
}

// Objects of runs newer than the newest manifest belong to runs that died before committing.
Result<std::vector<std::string>> remove_orphans(stores::ObjectStore& store, const Dataset& dataset,
                                                const PreviousRun& prev, const std::string& run_id) {
  std::vector<std::string> prefixes;
  for (const auto& m : dataset.models) {
    if (prev.run_id.empty()) {
      prefixes.push_back(m.table + "/");
      continue;
    }
    for (const auto& day : date_paths_between(prev.run_id, run_id))
      prefixes.push_back(m.table + "/" + day + "/");
  }
  prefixes.emplace_back(kStatePrefix);
  if (auto s = store.remove_incomplete(std::string(kTransformManifestPrefix)); !s)
    return std::move(s).error();
  std::vector<std::string> removed;
  auto newer = [&](const std::string& id) { return !id.empty() && id > prev.run_id && id != run_id; };
  for (const auto& prefix : prefixes) {
    if (auto s = store.remove_incomplete(prefix); !s) return std::move(s).error();
    auto listed = store.list(prefix);
    if (!listed) return with_context(std::move(listed).error(), "cannot list " + prefix + ": ");
    for (const auto& o : *listed) {
      if (!newer(core::run_id_of_key(o.key))) continue;
      if (auto s = store.remove(o.key); !s)
        return with_context(std::move(s).error(), "cannot remove orphan " + o.key + ": ");
      removed.push_back(o.key);
    }
  }
  // _rejected/<run_id>/<table>.jsonl: the run id is the folder.
  if (auto s = store.remove_incomplete(std::string(kRejectedPrefix)); !s) return std::move(s).error();
  auto rejected = store.list(std::string(kRejectedPrefix));
  if (!rejected) return std::move(rejected).error();
  for (const auto& o : *rejected) {
    const std::string rest = o.key.substr(kRejectedPrefix.size());
    const std::string id = rest.substr(0, rest.find('/'));
    if (!core::run_id_date_path(id) || !newer(id)) continue;
    if (auto s = store.remove(o.key); !s) return std::move(s).error();
    removed.push_back(o.key);
  }
  return removed;
}

// One consumed ingest run.
struct IngestRun {
  std::string run_id;
  std::string manifest_key;
  std::string manifest_sha256;
};

SourceType source_type_of_pg(const std::string& pg) {
  if (pg == "integer" || pg == "smallint" || pg == "bigint") return SourceType::Integer;
  if (pg.rfind("numeric", 0) == 0) return SourceType::Decimal;
  if (pg == "double precision" || pg == "real") return SourceType::Double;
  if (pg == "boolean") return SourceType::Boolean;
  if (pg.rfind("timestamp", 0) == 0) return SourceType::Timestamp;
  if (pg == "date") return SourceType::Date;
  return SourceType::Text;
}

std::string_view source_type_name(SourceType t) {
  switch (t) {
    case SourceType::Integer:
      return "integer";
    case SourceType::Decimal:
      return "decimal";
    case SourceType::Double:
      return "double";
    case SourceType::Boolean:
      return "boolean";
    case SourceType::Text:
      return "text";
    case SourceType::Timestamp:
      return "timestamp";
    case SourceType::Date:
      return "date";
  }
  return "?";
}

// The source columns of the dataset against what an ingest run says it landed.
Status check_columns(const SourceTable& source, const json& columns, const std::string& ingest_run) {
  std::map<std::string, std::string> landed;
  for (const auto& c : columns) landed[c.at("name").get<std::string>()] = c.at("type").get<std::string>();
  std::vector<std::string> problems;
  for (const auto& c : source.columns) {
    const auto it = landed.find(c.name);
    if (it == landed.end()) {
      problems.push_back("column " + c.name + " is not in the landed data");
    } else if (source_type_of_pg(it->second) != c.type) {
      problems.push_back("column " + c.name + " is " + it->second +
                         " in the landed data, sources.toml says " + std::string(source_type_name(c.type)));
    }
  }
  if (problems.empty()) return {};
  std::string m =
      "source table " + source.name + " of ingest run " + ingest_run + " does not match sources.toml: ";
  for (std::size_t i = 0; i < problems.size(); ++i) m += (i ? "; " : "") + problems[i];
  return make_error("SchemaDrift", m);
}

struct Landed {
  std::vector<IngestRun> runs;
  std::map<std::string, std::vector<InputObject>> objects;  // source table -> objects, run order
};

Result<Landed> read_landed(stores::ObjectStore& landing, const Dataset& dataset, const std::string& after) {
  auto ids = run_ids_under(landing, ingest::kIngestManifestPrefix);
  if (!ids) return std::move(ids).error();
  Landed out;
  for (const auto& id : *ids) {
    if (id <= after) continue;
    const std::string key = ingest::manifest_key(id);
    auto text = landing.get(key);
    if (!text) return with_context(std::move(text).error(), "cannot read ingest manifest " + key + ": ");
    const int run = static_cast<int>(out.runs.size());
    out.runs.push_back({id, key, core::sha256_hex(*text)});
    try {
      const json m = json::parse(*text);
      const auto compression = stores::parse_compression(m.value("compression", "gzip"));
      if (!compression) throw std::runtime_error("unknown compression " + m.value("compression", ""));
      for (const auto& [name, entry] : m.at("tables").items()) {
        const SourceTable* source = dataset.source(name);
        if (!source) continue;  // landed but not used by this dataset
        if (auto s = check_columns(*source, entry.at("columns"), id); !s) return std::move(s).error();
        if (entry.at("key").is_null() || entry.value("rows", 0) == 0) continue;
        InputObject o;
        o.key = entry.at("key").get<std::string>();
        o.run = run;
        o.compression = o.key.ends_with(".zst") ? stores::Compression::Zstd : *compression;
        o.size = entry.at("bytes").get<std::uint64_t>();
        o.sha256 = entry.value("sha256", "");
        o.rows = entry.value("rows", std::uint64_t{0});
        out.objects[name].push_back(std::move(o));
      }
    } catch (const std::exception& e) {
      return make_error("StoreError", "ingest manifest " + key + " is not valid: " + e.what());
    }
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

// Previous state, then this run's landed versions (latest by cursor, then run order).
Status load_current(RunContext& ctx, const PreviousRun& prev, const Landed& landed, CurrentTable& table,
                    std::vector<std::string>& rejects, std::uint64_t& rejected) {
  const SourceTable& src = *table.source;
  for (const auto& k : src.primary_key) table.key_columns.push_back(index_in(src, k));
  table.cursor_column = index_in(src, src.cursor);
  const RecordParser spec(src, {});
  auto parser = make_line_parser(spec);
  auto add_object = [&](const InputObject& o) -> Status {
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
      bool ok = parse_current_row(*parser, line, row, pr);
      if (ok && table.cursor_column >= 0) {
        const Value& c = row.values[static_cast<std::size_t>(table.cursor_column)];
        if (c.kind != Value::Kind::Text || parse_timestamp_micros(c.text, cursor) != ValueError::None) {
          pr.column = src.cursor;
          pr.value = value_text(c);
          pr.reason = "bad cursor value";
          ok = false;
        }
      }
      if (!ok) {
        pr.line = line_no;
        pr.record.assign(line);
        if (!ctx.options->quarantine) return bad_record_error(src.name, o.key, pr);
        rejects.push_back(reject_line(o.key, pr));
        ++rejected;
        continue;
      }
      const std::string key = key_of(row.values, table.key_columns);
      auto it = table.rows.find(key);
      if (it != table.rows.end()) {
        const CurrentRow& old = it->second;
        const bool newer = cursor > old.cursor || (cursor == old.cursor && o.run > old.run);
        if (o.run != kStateRun) it->second.changed = true;
        if (!newer) continue;
      } else {
        it = table.rows.emplace(key, CurrentRow{}).first;
      }
      // Parse again in place: the values point into the row's own storage.
      CurrentRow& dst = it->second;
      const bool was_changed = dst.changed;
      (void)parse_current_row(*parser, line, dst, pr);
      dst.cursor = cursor;
      dst.run = o.run;
      dst.changed = was_changed || o.run != kStateRun;
      dst.origin = o.key;
      dst.origin_line = line_no;
      if (o.run != kStateRun) table.changed = true;
    }
    return {};
  };
  const auto prev_key = prev.state_keys.find(src.name);
  if (prev_key != prev.state_keys.end()) {
    table.state_key = prev_key->second;
    InputObject o;
    o.key = prev_key->second;
    o.run = kStateRun;
    o.compression = stores::Compression::Gzip;
    if (auto s = add_object(o); !s) return s;
  }
  const auto it = landed.objects.find(src.name);
  if (it != landed.objects.end()) {
    for (const auto& o : it->second) {
      if (auto s = add_object(o); !s) return s;
    }
  }
  return {};
}

Status write_state(RunContext& ctx, CurrentTable& table, std::vector<std::string>& written) {
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
  written.push_back(table.state_key);
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

void remove_all(stores::ObjectStore& store, const std::vector<std::string>& keys) {
  for (const auto& k : keys) (void)store.remove(k);
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

Result<TransformReport> run(const TransformOptions& options) {
  const auto t0 = chr::steady_clock::now();
  const std::string started_at = core::utc_now_iso();
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

  auto prev = read_previous(**processed);
  if (!prev) return std::move(prev).error();
  const std::string run_id = core::make_run_id(chr::system_clock::now());
  if (run_id <= prev->run_id) {
    return make_error("ClockBehind",
                      "this machine's clock is behind the newest transform run " + prev->run_id);
  }
  log::set_context("transform", run_id);
  crash_point("transform-before-cleanup");

  TransformReport report;
  report.run_id = run_id;
  auto orphans = remove_orphans(**processed, *dataset, *prev, run_id);
  if (!orphans) return std::move(orphans).error();
  report.orphans_removed = std::move(orphans).value();
  for (const auto& k : report.orphans_removed)
    log::info("removed orphan object of an uncommitted run", {{"key", k}});

  auto landed = read_landed(**landing, *dataset, prev->last_ingest_run);
  if (!landed) return std::move(landed).error();
  for (const auto& r : landed->runs) report.consumed.push_back(r.run_id);
  for (const auto& [table, range] : prev->calendars) {
    if (!range.empty()) {
      report.calendar_min = format_date(range.min);
      report.calendar_max = format_date(range.max);
    }
  }
  if (landed->runs.empty()) {
    report.nothing_new = true;
    report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
    log::info("nothing new: every committed ingest run is consumed",
              {{"last_ingest_run", prev->last_ingest_run}, {"seconds", report.seconds}});
    return report;
  }

  RunContext ctx;
  ctx.dataset = &*dataset;
  ctx.landing = landing->get();
  ctx.processed = processed->get();
  ctx.options = &options;
  ctx.run_id = run_id;
  ctx.writer.compression = options.compression;
  ctx.writer.row_group_rows = options.row_group_rows;
  ctx.writer.row_group_bytes = options.row_group_bytes;

  std::vector<std::string> written;                         // removed again if the run fails
  std::map<std::string, std::vector<std::string>> rejects;  // name -> JSON lines
  auto fail = [&](Error e) -> Result<TransformReport> {
    remove_all(**processed, written);
    return e;
  };

  // Current versions (small lookup tables): previous state plus this run's landed versions.
  std::map<std::string, CurrentTable> current;
  for (const auto& name : kept_tables(*dataset)) {
    const SourceTable* src = dataset->source(name);
    if (!src)
      return make_error("ModelError",
                        options.model_dir.string() + ": lookup table '" + name + "' is not in sources.toml");
    CurrentTable& t = current[name];
    t.source = src;
    std::uint64_t rejected = 0;
    if (auto s = load_current(ctx, *prev, *landed, t, rejects[name], rejected); !s)
      return fail(std::move(s).error());
    report.rejected += rejected;
  }

  // Every non-calendar model; tables in parallel, each internally parallel.
  std::vector<const Model*> models, calendars;
  for (const auto& m : dataset->models) (m.kind == ModelKind::Calendar ? calendars : models).push_back(&m);
  std::vector<std::unique_ptr<Evaluator>> evaluators(models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    auto ev = Evaluator::create(*dataset, *models[i], current);
    if (!ev) return fail(std::move(ev).error());
    evaluators[i] = std::move(ev).value();
  }
  std::vector<TableOutcome> outcomes(models.size());
  // Biggest inputs first, so the long tables start early.
  std::vector<std::size_t> order(models.size());
  std::vector<std::uint64_t> weight(models.size(), 0);
  for (std::size_t i = 0; i < models.size(); ++i) {
    order[i] = i;
    const auto it = landed->objects.find(models[i]->source);
    if (it != landed->objects.end()) {
      for (const auto& o : it->second) weight[i] += o.size.value_or(0);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return weight[a] > weight[b]; });
  std::size_t next = 0;
  tbb::parallel_pipeline(
      static_cast<std::size_t>(options.tables_in_parallel),
      tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& fc) -> std::size_t {
                                            if (next == order.size() || ctx.stop.load()) {
                                              fc.stop();
                                              return 0;
                                            }
                                            return order[next++];
                                          }) &
          tbb::make_filter<std::size_t, void>(tbb::filter_mode::parallel, [&](std::size_t i) {
            const Model& m = *models[i];
            const auto cur = current.find(m.source);
            if (m.kind == ModelKind::Dimension && cur != current.end()) {
              outcomes[i] = run_current_model(ctx, m, *evaluators[i], cur->second);
            } else {
              TableInputs inputs;
              const auto it = landed->objects.find(m.source);
              if (it != landed->objects.end()) inputs.objects = it->second;
              outcomes[i] = run_streamed_model(ctx, m, *evaluators[i], inputs);
            }
            if (outcomes[i].error) ctx.stop = true;
          }));

  std::optional<Error> failure;
  for (std::size_t i : order) {
    auto& oc = outcomes[i];
    if (oc.error && oc.error->code != "Stopped" && !failure) failure = *oc.error;
    if (!oc.result.key.empty()) written.push_back(oc.result.key);
  }
  if (failure) return fail(std::move(*failure));

  // Calendars: extend the covered range to every date the rows refer to; emit only new dates.
  std::map<std::string, DateRange> covered = prev->calendars;
  std::vector<TableOutcome> calendar_outcomes;
  for (const Model* m : calendars) {
    DateRange now = covered[m->table];
    const DateRange before = now;
    for (const auto& oc : outcomes) {
      const auto it = oc.dates.find(m->table);
      if (it != oc.dates.end()) now.merge(it->second);
    }
    auto oc = run_calendar_model(ctx, *m, before, now);
    if (oc.error) return fail(std::move(*oc.error));
    if (!oc.result.key.empty()) written.push_back(oc.result.key);
    covered[m->table] = now;
    calendar_outcomes.push_back(std::move(oc));
  }

  // State that changed, and the rejects.
  for (auto& [name, table] : current) {
    if (!table.changed) continue;
    if (auto s = write_state(ctx, table, written); !s) return fail(std::move(s).error());
  }
  for (std::size_t i = 0; i < models.size(); ++i) {
    auto& r = outcomes[i].rejects;
    rejects[models[i]->table].insert(rejects[models[i]->table].end(), r.begin(), r.end());
  }
  json rejected_json = json::object();
  for (const auto& [name, lines] : rejects) {
    if (lines.empty()) continue;
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    const std::string key = std::string(kRejectedPrefix) + run_id + "/" + name + ".jsonl";
    if (auto s = (*processed)->put(key, text); !s)
      return fail(with_context(std::move(s).error(), "cannot write " + key + ": "));
    written.push_back(key);
    report.rejected_keys.push_back(key);
    rejected_json[name] = {{"key", key}, {"records", lines.size()}};
  }

  // The manifest, last.
  json consumed = json::array();
  for (const auto& r : landed->runs) {
    consumed.push_back({{"run_id", r.run_id}, {"manifest", r.manifest_key}, {"sha256", r.manifest_sha256}});
  }
  json tables = json::object();
  auto add_table = [&](const TableOutcome& oc) {
    const auto& r = oc.result;
    tables[r.table] = {{"key", r.key.empty() ? json(nullptr) : json(r.key)},
                       {"rows", r.rows},
                       {"bytes", r.bytes},
                       {"sha256", r.sha256.empty() ? json(nullptr) : json(r.sha256)},
                       {"rows_in", r.rows_in},
                       {"rejected", r.rejected}};
    report.rows += r.rows;
    report.rejected += r.rejected;
    report.tables.push_back(r);
  };
  std::map<const Model*, const TableOutcome*> by_model;
  for (std::size_t i = 0; i < models.size(); ++i) by_model[models[i]] = &outcomes[i];
  for (std::size_t i = 0; i < calendars.size(); ++i) by_model[calendars[i]] = &calendar_outcomes[i];
  for (const auto& m : dataset->models) add_table(*by_model[&m]);

  json state_current = json::object();
  for (const auto& [name, table] : current) {
    if (table.state_key.empty()) continue;
    state_current[name] = {{"key", table.state_key}, {"rows", table.rows.size()}, {"changed", table.changed}};
  }
  json state_calendars = json::object();
  for (const auto& [name, range] : covered) {
    if (range.empty()) continue;
    state_calendars[name] = {{"min", format_date(range.min)}, {"max", format_date(range.max)}};
    report.calendar_min = format_date(range.min);
    report.calendar_max = format_date(range.max);
  }
  crash_point("transform-before-manifest");
  json manifest = {{"format", kManifestFormat},
                   {"job", "transform"},
                   {"run_id", run_id},
                   {"started_at", started_at},
                   {"finished_at", core::utc_now_iso()},
                   {"dataset", dataset->name},
                   {"quarantine", options.quarantine},
                   {"consumed", consumed},
                   // The load job checks this chain: a manifest missing from the middle is a gap.
                   {"previous_run", prev->run_id.empty() ? json(nullptr) : json(prev->run_id)},
                   {"last_ingest_run", landed->runs.back().run_id},
                   {"tables", tables},
                   {"state", {{"current", state_current}, {"calendars", state_calendars}}},
                   {"rejected", rejected_json}};
  report.manifest_key = transform_manifest_key(run_id);
  if (auto s = (*processed)->put(report.manifest_key, manifest.dump(2) + "\n"); !s) {
    return fail(with_context(std::move(s).error(), "cannot write manifest " + report.manifest_key + ": "));
  }
  crash_point("transform-after-manifest");

  for (const auto& t : report.tables) log::info("table transformed", table_log(t));
  report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  log::info("transform committed", {{"tables", report.tables.size()},
                                    {"rows", report.rows},
                                    {"rejected", report.rejected},
                                    {"consumed", report.consumed},
                                    {"seconds", report.seconds},
                                    {"manifest", report.manifest_key},
                                    {"orphans_removed", report.orphans_removed.size()}});
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
