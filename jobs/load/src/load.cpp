// The load job: the transform manifests not yet in the control table, oldest first, each in one
// warehouse transaction (see dwh/load/load.hpp for the steps).
#include "dwh/load/load.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "dwh/core/crash_point.hpp"
#include "dwh/core/log.hpp"
#include "dwh/ledger/layout.hpp"
#include "dwh/ledger/manifests.hpp"
#include "dwh/ledger/run_ledger.hpp"
#include "dwh/model/model.hpp"
#include "dwh/model/models_dir.hpp"
#include "dwh/pg/connection.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/stores/object_store.hpp"
#include "sql.hpp"
#include "stage.hpp"

namespace dwh::load {
namespace {

using namespace detail;
using model::Model;
using model::ModelKind;
namespace chr = std::chrono;
using Manifest = ledger::Stored<ledger::TransformManifest>;

bool is_simple_name(const std::string& s) {
  return !s.empty() &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
             std::string::npos;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string first_value(const pg::Rows& rows) {
  return rows.empty() || rows[0].empty() || !rows[0][0] ? std::string() : *rows[0][0];
}

struct Context {
  const LoadOptions& options;
  stores::ObjectStore& store;
  const model::Dataset& dataset;
  pg::Connection& conn;
};

enum class Outcome { Loaded, AlreadyLoaded };

// The data-quality checks on the staged rows of one model: not null, then unique keys.
Status check_staged(pg::Connection& conn, const Model& model) {
  const std::string nulls_sql = sql::count_nulls(model);
  if (!nulls_sql.empty()) {
    auto counts = conn.query(nulls_sql);
    if (!counts) return std::move(counts).error();
    const auto columns = sql::not_null_columns(model);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string n = (*counts)[0][i].value_or("0");
      if (n == "0") continue;
      auto keys = conn.query(sql::null_examples(model, columns[i]));
      if (!keys) return std::move(keys).error();
      std::vector<std::string> shown;
      for (const auto& r : *keys) shown.push_back(r[0].value_or("NULL"));
      return make_error("CheckFailed", "not-null check failed: " + model.table + "." + columns[i] +
                                           " is NULL in " + n + " staged row(s); " + join(model.natural_key) +
                                           " = " + join(shown));
    }
  }
  const std::string dup_sql = sql::duplicate_keys(model);
  if (!dup_sql.empty()) {
    auto dups = conn.query(dup_sql);
    if (!dups) return std::move(dups).error();
    if (!dups->empty()) {
      std::vector<std::string> shown;
      for (const auto& r : *dups)
        shown.push_back(r[0].value_or("NULL") + " (" + r[1].value_or("?") + " rows)");
      return make_error("CheckFailed", "unique-key check failed: " + model.table + "." +
                                           join(model.unique_key) +
                                           " is not unique among the staged rows: " + join(shown));
    }
  }
  return {};
}

// Every staged foreign key value has a row in the table it references (after the upserts).
Status check_references(pg::Connection& conn, const Model& model) {
  for (const auto& c : model.columns) {
    if (c.references_table.empty()) continue;
    auto missing = conn.query(sql::unresolved_references(model, c));
    if (!missing) return std::move(missing).error();
    if (missing->empty()) continue;
    std::vector<std::string> shown;
    for (const auto& r : *missing) shown.push_back(r[0].value_or("NULL"));
    return make_error("CheckFailed", "foreign-key check failed: " + model.table + "." + c.name +
                                         " references " + c.references_table + "." + c.references_column +
                                         ", which has no row for: " + join(shown));
  }
  return {};
}

// The foreign keys to drop for this append and add back after it (see
// LoadOptions::defer_foreign_keys_from_rows); none when the per-row checks cost less, or when
// this role could not add them back.
Result<std::vector<sql::ForeignKey>> keys_to_defer(pg::Connection& conn, const Model& model,
                                                   std::uint64_t staged, std::uint64_t from_rows) {
  std::vector<sql::ForeignKey> keys;
  if (from_rows == 0 || staged < from_rows) return keys;
  auto size = conn.query(sql::estimated_rows(model));
  if (!size) return std::move(size).error();
  if (size->empty() || (*size)[0].size() < 3 || (*size)[0][2].value_or("f") != "t") return keys;
  const long long rows = std::stoll((*size)[0][0].value_or("-1"));
  const long long pages = std::stoll((*size)[0][1].value_or("0"));
  // Never analysed yet not empty: its size is unknown, so keep the checks that cost per row.
  if (rows < 0 && pages > 0) return keys;
  if (static_cast<long double>(staged) * 20 < static_cast<long double>(std::max(rows, 0LL))) return keys;
  auto found = conn.query(sql::foreign_keys_of(model));
  if (!found) return std::move(found).error();
  for (const auto& r : *found) {
    if (r.size() < 3 || r[2].value_or("f") != "t") return std::vector<sql::ForeignKey>{};
    keys.push_back({r[0].value_or(""), r[1].value_or("")});
  }
  return keys;
}

// Redshift reads the object itself, through a COPY manifest written next to the data.
Status stage_redshift(Context& ctx, const Model& model, const std::string& run_id,
                      const ledger::TransformTableEntry& entry, std::uint64_t& staged) {
  const std::string object_url = ctx.options.processed_url + "/" + *entry.key;
  const std::string manifest_key = "_load/redshift/" + run_id + "/" + model.table + ".manifest";
  if (auto s = ctx.store.put(manifest_key, sql::copy_manifest(object_url, entry.bytes)); !s) {
    return with_context(std::move(s).error(), "cannot write the COPY manifest " + manifest_key + ": ");
  }
  for (const auto& stmt : {sql::drop_stage(model), sql::create_stage(model, Dialect::Redshift)}) {
    if (auto r = ctx.conn.exec(stmt); !r) return std::move(r).error();
  }
  auto copied = ctx.conn.exec(
      sql::copy_from_s3(model, ctx.options.processed_url + "/" + manifest_key, ctx.options.iam_role));
  if (!copied) {
    Error e = std::move(copied).error();
    ctx.conn.rollback();
    std::string causes;
    if (auto rows = ctx.conn.query(sql::load_errors()); rows) {
      for (const auto& r : *rows) {
        causes += "; " + r[0].value_or("?") + " column " + r[1].value_or("?") + ": " + r[3].value_or("?") +
                  " (error " + r[2].value_or("?") + ")";
      }
    }
    return make_error("CopyFailed", "COPY into " + model.table + " failed: " + e.message +
                                        (causes.empty() ? "" : " (sys_load_error_detail" + causes + ")"));
  }
  auto counted = ctx.conn.query("SELECT count(*) FROM " + sql::stage_table(model));
  if (!counted) return std::move(counted).error();
  staged = std::stoull(first_value(*counted));
  return {};
}

// One manifest's load in progress: the step it is at names where a failure happened.
struct LoadRun {
  Context& ctx;
  const Manifest& m;
  LoadedManifest& out;
  std::string step = "begin";
};

// Why `m` cannot follow the last loaded run.
std::string gap_reason(const Manifest& m, const std::string& last_run, const std::string& store_url) {
  const auto& previous = m.manifest.previous_run;
  if (!previous) {
    return "it is a first transform run, but the warehouse already holds run " + last_run +
           " (a processed zone that was started again?)";
  }
  const std::string missing = ledger::transform_manifest_key(*previous) + " is missing from " + store_url;
  if (last_run.empty()) {
    return "it follows transform run " + *previous + ", which was never loaded; its manifest " + missing;
  }
  if (*previous < last_run) {
    return "it follows transform run " + *previous + ", but the warehouse has already loaded " + last_run;
  }
  return "it follows transform run " + *previous + ", but the last loaded run is " + last_run +
         "; the manifest " + missing;
}

// Takes the load lock; AlreadyLoaded when another loader recorded the run meanwhile, and
// "ManifestGap" when the run does not follow the last loaded one.
Result<Outcome> lock_in_order(LoadRun& r) {
  if (auto x = r.ctx.conn.exec("BEGIN"); !x) return std::move(x).error();
  r.step = "lock";
  if (auto x = r.ctx.conn.exec(sql::lock(r.ctx.options.dialect)); !x) return std::move(x).error();
  auto loaded = r.ctx.conn.query(sql::is_loaded(r.m.manifest.run_id));
  if (!loaded) return std::move(loaded).error();
  if (first_value(*loaded) != "0") return Outcome::AlreadyLoaded;
  r.step = "order";
  auto last = r.ctx.conn.query(sql::last_loaded_run());
  if (!last) return std::move(last).error();
  const std::string last_run = first_value(*last);
  if (r.m.manifest.previous_run.value_or("") != last_run) {
    return make_error("ManifestGap", "gap in the transform runs: cannot load " + r.m.manifest.run_id + ": " +
                                         gap_reason(r.m, last_run, r.ctx.store.url()) +
                                         ". Nothing after the gap is loaded.");
  }
  return Outcome::Loaded;
}

// One model's rows of the manifest into its stage table; returns how many were staged.
Result<std::uint64_t> stage_model(LoadRun& r, const Model& model, const ledger::TransformTableEntry& entry) {
  Context& ctx = r.ctx;
  const Dialect dialect = ctx.options.dialect;
  std::uint64_t staged = 0;
  if (entry.key) {
    const ExpectedObject object{*entry.key, entry.bytes, entry.sha256.value_or("")};
    if (dialect == Dialect::Redshift) {
      // The checksum is still ours to verify: Redshift would load whatever the object holds.
      auto read = verify_object(ctx.store, object);
      if (!read) return std::move(read).error();
      r.out.bytes_read += read->bytes_read;
      r.out.largest_read = std::max(r.out.largest_read, read->largest_read);
      if (auto s = stage_redshift(ctx, model, r.m.manifest.run_id, entry, staged); !s)
        return std::move(s).error();
    } else {
      if (auto x = ctx.conn.exec(sql::create_stage(model, dialect)); !x) return std::move(x).error();
      auto read = stage_postgres(ctx.conn, model, ctx.store, object, ctx.options.decode_threads);
      if (!read) return std::move(read).error();
      staged = read->rows;
      r.out.bytes_read += read->bytes_read;
      r.out.largest_read = std::max(r.out.largest_read, read->largest_read);
    }
  } else if (dialect == Dialect::Postgres) {
    // An empty stage keeps the later statements uniform.
    if (auto x = ctx.conn.exec(sql::create_stage(model, dialect)); !x) return std::move(x).error();
  } else {
    for (const auto& stmt : {sql::drop_stage(model), sql::create_stage(model, dialect)}) {
      if (auto x = ctx.conn.exec(stmt); !x) return std::move(x).error();
    }
  }
  return staged;
}

// Every model staged, its row count checked against the manifest, and its rows checked.
Status stage_all(LoadRun& r) {
  for (const auto& model : r.ctx.dataset.models) {
    r.step = "stage " + model.table;
    auto it = r.m.manifest.tables.find(model.table);
    if (it == r.m.manifest.tables.end()) {
      return make_error("ManifestInvalid", r.m.key + " has no entry for model table " + model.table);
    }
    auto staged = stage_model(r, model, it->second);
    if (!staged) return std::move(staged).error();
    if (*staged != it->second.rows) {
      return make_error("CheckFailed", "row-count check failed: " + model.table + ": staged " +
                                           std::to_string(*staged) + " rows, the manifest says " +
                                           std::to_string(it->second.rows));
    }
    r.out.staged[model.table] = *staged;
    r.step = "check " + model.table;
    if (*staged > 0) {
      if (auto s = check_staged(r.ctx.conn, model); !s) return s;
    }
  }
  core::crash_point("load-after-stage");
  return {};
}

// One fact's staged rows appended, its foreign keys dropped for the append and validated again
// after it when that costs less than checking every row.
Status append_fact(LoadRun& r, const Model& model) {
  Context& ctx = r.ctx;
  r.step = "append " + model.table;
  std::vector<sql::ForeignKey> deferred;
  if (ctx.options.dialect == Dialect::Postgres) {
    auto keys =
        keys_to_defer(ctx.conn, model, r.out.staged[model.table], ctx.options.defer_foreign_keys_from_rows);
    if (!keys) return std::move(keys).error();
    deferred = std::move(*keys);
  }
  if (!deferred.empty()) {
    r.step = "drop the foreign keys of " + model.table;
    if (auto x = ctx.conn.exec(sql::drop_foreign_keys(model, deferred)); !x) return std::move(x).error();
    core::crash_point("load-after-dropping-foreign-keys");
    r.step = "append " + model.table;
  }
  auto n = ctx.conn.exec(sql::append_facts(model, ctx.options.dialect));
  if (!n) return std::move(n).error();
  r.out.written[model.table] = *n;
  if (deferred.empty()) return {};
  // The keys were checked against the staged rows above; this validates the whole table
  // again, so the warehouse ends with the same, valid, constraints it started with.
  r.step = "validate the foreign keys of " + model.table;
  const auto v0 = chr::steady_clock::now();
  if (auto x = ctx.conn.exec(sql::add_foreign_keys(model, deferred)); !x) return std::move(x).error();
  r.out.deferred_foreign_keys.push_back(model.table);
  log::info("foreign keys added back and validated after the append",
            {{"table", model.table},
             {"foreign_keys", deferred.size()},
             {"rows", *n},
             {"seconds", chr::duration<double>(chr::steady_clock::now() - v0).count()}});
  return {};
}

// Dimensions upserted, every staged reference checked, then the facts appended.
Status apply_staged(LoadRun& r) {
  const auto& models = r.ctx.dataset.models;
  for (const auto& model : models) {
    if (model.kind == ModelKind::Fact || r.out.staged[model.table] == 0) continue;
    r.step = "upsert " + model.table;
    auto n = r.ctx.conn.exec(sql::upsert_dimension(model, r.ctx.options.dialect));
    if (!n) return std::move(n).error();
    r.out.written[model.table] = *n;
  }
  core::crash_point("load-after-dimensions");
  for (const auto& model : models) {
    if (r.out.staged[model.table] == 0) continue;
    r.step = "check references of " + model.table;
    if (auto s = check_references(r.ctx.conn, model); !s) return s;
  }
  for (const auto& model : models) {
    if (model.kind != ModelKind::Fact || r.out.staged[model.table] == 0) continue;
    if (auto s = append_fact(r, model); !s) return s;
  }
  core::crash_point("load-after-facts");
  return {};
}

// The run recorded in the control table, in the same transaction, which then commits.
Status record_and_commit(LoadRun& r, chr::steady_clock::time_point t0) {
  Context& ctx = r.ctx;
  r.step = "record";
  std::vector<const Model*> staged_facts;
  for (const auto& model : ctx.dataset.models) {
    if (model.kind == ModelKind::Fact && r.out.staged[model.table] > 0) staged_facts.push_back(&model);
  }
  std::string newest_change;
  if (const std::string query = sql::newest_source_change(staged_facts, sql::Rows::Staged); !query.empty()) {
    auto newest = ctx.conn.query(query);
    if (!newest) return std::move(newest).error();
    newest_change = first_value(*newest);
  }
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& [table, n] : r.out.staged)
    counts[table] = {{"staged", n}, {"written", r.out.written[table]}};
  r.out.run_id = r.m.manifest.run_id;
  r.out.manifest_key = r.m.key;
  r.out.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  if (auto x = ctx.conn.exec(sql::record_manifest(r.m.manifest.run_id, r.m.key, r.m.sha256, ctx.dataset.name,
                                                  counts.dump(), r.out.seconds, newest_change));
      !x) {
    return std::move(x).error();
  }
  if (ctx.options.dialect == Dialect::Redshift) {
    for (const auto& model : ctx.dataset.models) {
      if (auto x = ctx.conn.exec(sql::drop_stage(model)); !x) return std::move(x).error();
    }
  }
  core::crash_point("load-before-commit");
  r.step = "commit";
  if (auto x = ctx.conn.exec("COMMIT"); !x) return std::move(x).error();
  core::crash_point("load-after-commit");
  return {};
}

Result<Outcome> load_one(Context& ctx, const Manifest& m, LoadedManifest& out) {
  const auto t0 = chr::steady_clock::now();
  LoadRun r{ctx, m, out};
  auto fail = [&](Error e) -> Result<Outcome> {
    ctx.conn.rollback();
    e.message = "transform run " + m.manifest.run_id + ", step " + r.step + ": " + e.message +
                " (rolled back; nothing loaded)";
    return e;
  };
  auto outcome = lock_in_order(r);
  if (!outcome) return fail(std::move(outcome).error());
  if (*outcome == Outcome::AlreadyLoaded) {
    ctx.conn.rollback();
    return Outcome::AlreadyLoaded;
  }
  core::crash_point("load-after-lock");
  Status s = stage_all(r);
  if (s) s = apply_staged(r);
  if (s) s = record_and_commit(r, t0);
  if (!s) return fail(std::move(s).error());
  out.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  return Outcome::Loaded;
}

Status check_initialized(pg::Connection& conn, const model::Dataset& dataset, const std::string& where) {
  std::string names = sql::literal(kControlTable);
  for (const auto& m : dataset.models) names += ", " + sql::literal(m.table);
  auto rows = conn.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
      "AND table_name IN (" +
      names + ")");
  if (!rows) return std::move(rows).error();
  std::set<std::string> present;
  for (const auto& r : *rows) present.insert(r[0].value_or(""));
  std::vector<std::string> missing;
  if (!present.count(kControlTable)) missing.emplace_back(kControlTable);
  for (const auto& m : dataset.models) {
    if (!present.count(m.table)) missing.push_back(m.table);
  }
  if (missing.empty()) return {};
  return make_error("WarehouseNotInitialized", "the warehouse " + where + " has no " + join(missing) +
                                                   ": run `dwh warehouse init --warehouse URL --model " +
                                                   dataset.dir.string() + "` first");
}

// The model: as given, else the dataset the (newest) manifest names.
Result<model::Dataset> load_model(const LoadOptions& options, stores::ObjectStore& store,
                                  const std::string& newest_run) {
  std::filesystem::path model_dir = options.model_dir;
  if (model_dir.empty()) {
    auto newest = ledger::read_transform_manifest(store, newest_run);
    if (!newest) return std::move(newest).error();
    const std::string& dataset = newest->manifest.dataset;
    if (!is_simple_name(dataset)) {
      return make_error("ManifestInvalid", newest->key + ": dataset '" + dataset + "' is not a dataset name");
    }
    auto dir = model::default_dataset_dir(dataset);
    if (!dir) return std::move(dir).error();
    model_dir = std::move(dir).value();
  }
  return model::load_dataset(model_dir);
}

// Every run not in the control table, oldest first, each in its own transaction.
Status load_pending(Context& ctx, const std::vector<std::string>& runs, const std::set<std::string>& loaded,
                    LoadReport& report) {
  for (const auto& run_id : runs) {
    if (loaded.count(run_id)) continue;
    log::set_context("load", run_id);
    auto m = ledger::read_transform_manifest(ctx.store, run_id);
    if (!m) return std::move(m).error();
    if (m->manifest.dataset != ctx.dataset.name) {
      return make_error("ManifestInvalid", m->key + " is for dataset '" + m->manifest.dataset +
                                               "', the model is '" + ctx.dataset.name + "' (" +
                                               ctx.dataset.dir.string() + ")");
    }
    LoadedManifest lm;
    auto outcome = load_one(ctx, *m, lm);
    if (!outcome) {
      log::error("load failed", {{"code", outcome.error().code}, {"error", outcome.error().message}});
      return std::move(outcome).error();
    }
    if (*outcome == Outcome::AlreadyLoaded) {
      log::info("already loaded by another loader", {{"manifest", m->key}});
      report.already_loaded.push_back(run_id);
      continue;
    }
    std::uint64_t rows = 0;
    for (const auto& [t, n] : lm.staged) rows += n;
    report.rows += rows;
    log::info("manifest loaded", {{"manifest", m->key},
                                  {"rows", rows},
                                  {"written", lm.written},
                                  {"bytes_read", lm.bytes_read},
                                  {"largest_read_bytes", lm.largest_read},
                                  {"deferred_foreign_keys", lm.deferred_foreign_keys},
                                  {"seconds", lm.seconds}});
    report.loaded.push_back(std::move(lm));
  }
  return {};
}

Status validate(const LoadOptions& options) {
  if (options.processed_url.empty()) return make_error("InvalidArgument", "no processed store given");
  if (options.dialect == Dialect::Redshift) {
    if (options.processed_url.rfind("s3://", 0) != 0) {
      return make_error("InvalidArgument", "Redshift loads from S3: the processed store must be s3://, not " +
                                               options.processed_url);
    }
    if (options.iam_role.empty())
      return make_error("InvalidArgument", "Redshift COPY needs an IAM role (--iam-role)");
  }
  return {};
}

Result<LoadReport> run(const LoadOptions& options) {
  const auto t0 = chr::steady_clock::now();
  log::set_context("load", "");
  if (auto s = validate(options); !s) return std::move(s).error();
  auto store = stores::open_store(options.processed_url, options.s3_options);
  if (!store) return std::move(store).error();
  if (auto s = (*store)->check(); !s) return std::move(s).error();
  auto runs = ledger::committed_runs(**store, ledger::Job::Transform);
  if (!runs) return std::move(runs).error();

  auto parsed_url = pg::validate_database_url(options.warehouse_url);
  if (!parsed_url) return std::move(parsed_url).error();
  const std::string where = parsed_url->where();
  if (auto probe = pg::connect(options.warehouse_url); !probe) return std::move(probe).error();
  auto conn = pg::Connection::open(options.warehouse_url, {pg::kDefaultConnectTimeout, "dwh load"});
  if (!conn) return std::move(conn).error();

  LoadReport report;
  if (runs->empty()) {
    log::info("nothing to load", {{"processed", options.processed_url}});
    return report;
  }
  auto dataset = load_model(options, **store, runs->back());
  if (!dataset) return std::move(dataset).error();
  if (auto s = check_initialized(**conn, *dataset, where); !s) return std::move(s).error();

  auto done = (*conn)->query(std::string("SELECT run_id FROM ") + kControlTable);
  if (!done) return std::move(done).error();
  std::set<std::string> loaded;
  for (const auto& r : *done) loaded.insert(r[0].value_or(""));

  Context ctx{options, **store, *dataset, **conn};
  if (auto s = load_pending(ctx, *runs, loaded, report); !s) return std::move(s).error();
  report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  return report;
}

}  // namespace

Result<LoadReport> run_load(const LoadOptions& options) {
  try {
    auto report = run(options);
    // The warehouse connection's errors carry the server's SQLSTATE; load's code is one.
    if (!report && pg::is_connection_error_code(report.error().code)) {
      Error e = std::move(report).error();
      e.code = "WarehouseError";
      return e;
    }
    return report;
  } catch (const std::exception& e) {
    // Only programming errors and allocation failures get here; I/O returns errors.
    return make_error("LoadFailed", std::string("load failed: ") + e.what());
  }
}

}  // namespace dwh::load
