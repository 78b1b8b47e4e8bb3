// The ingest run: state from the newest manifests, orphan cleanup, one exported snapshot, the
// tables in parallel over a bounded number of connections, and the manifest last.
#include "dwh/ingest/ingest.hpp"

#include <tbb/concurrent_queue.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <optional>
#include <set>

#include "cursor_index.hpp"
#include "dwh/core/for_each_table.hpp"
#include "dwh/core/log.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ingest/layout.hpp"
#include "dwh/ledger/manifests.hpp"
#include "dwh/ledger/run_ledger.hpp"
#include "dwh/pg/database_url.hpp"
#include "internal.hpp"

namespace dwh::ingest {
namespace {

using namespace ingest_detail;
using json = nlohmann::json;
namespace chr = std::chrono;

// The committed state: for each table, the entry of the newest manifest that covers it.
struct PreviousTable {
  std::string run_id;
  ledger::IngestTableEntry entry;
  std::string pg_snapshot;
};

using State = std::map<std::string, PreviousTable>;

// The newest committed manifests, newest first, until every wanted table is covered.
Result<State> read_state(ObjectStore& store, const ledger::RunLedger& runs,
                         const std::vector<IngestTable>& wanted) {
  State state;
  std::set<std::string> missing;
  for (const auto& t : wanted) missing.insert(t.name);
  const auto& ids = runs.committed();
  for (auto it = ids.rbegin(); it != ids.rend() && !missing.empty(); ++it) {
    auto stored = ledger::read_ingest_manifest(store, *it);
    if (!stored) return std::move(stored).error();
    auto& m = stored->manifest;
    for (auto& [name, entry] : m.tables) {
      if (missing.erase(name)) state[name] = {*it, std::move(entry), m.snapshot.pg_snapshot};
    }
  }
  return state;
}

// Objects of runs newer than the newest manifest belong to runs that died before committing.
Result<std::vector<std::string>> remove_orphans(ledger::RunLedger& runs,
                                                const std::vector<IngestTable>& tables) {
  std::vector<std::string> prefixes;
  for (const auto& t : tables) {
    for (auto& p : runs.orphan_prefixes(t.name + "/")) prefixes.push_back(std::move(p));
  }
  auto removed = runs.remove_orphans(prefixes);
  if (!removed) return std::move(removed).error();
  for (const auto& k : *removed) log::info("removed orphan object of an uncommitted run", {{"key", k}});
  return removed;
}

struct Horizon {
  std::optional<std::string> next_floor;  // for the next run: min(now, oldest open transaction) - slack
  std::string oldest_xact_start;
  double oldest_xact_age_seconds = 0;
  long invisible_sessions = 0;
};

struct Snapshot {
  std::string id;           // pg_export_snapshot()
  std::string pg_snapshot;  // "xmin:xmax:xip,..."
  std::uint64_t xmin = 0;
  std::uint64_t xmax = 0;
  std::vector<std::uint64_t> xip;
  std::string taken_at;
};

std::string cursor_floor_expr(const IngestConfig& c) {
  return "LEAST(clock_timestamp(), min(xact_start)) AT TIME ZONE " + sql_literal(c.cursor_timezone) +
         " - interval '" + std::to_string(c.cursor_slack.count()) + " milliseconds'";
}

// Read BEFORE the snapshot: every transaction open at the snapshot was either open here (so its
// xact_start is counted) or began after this moment (so after clock_timestamp() here).
Result<Horizon> read_horizon(pg::Connection& s, const IngestConfig& config) {
  auto rows = s.query(
      "SELECT to_char(" + cursor_floor_expr(config) +
      ", 'YYYY-MM-DD HH24:MI:SS.US'), "
      "to_char(min(xact_start) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
      "extract(epoch FROM clock_timestamp() - min(xact_start))::float8, "
      // Without pg_read_all_stats, another role's session shows with state, backend_type and
      // xact_start all NULL (PostgreSQL 15); only its datid remains. Only sessions
      // in this database can write the source tables.
      "count(*) FILTER (WHERE state IS NULL AND (backend_type IS NULL OR backend_type = 'client backend') "
      "AND datid = (SELECT oid FROM pg_database WHERE datname = current_database())) "
      "FROM pg_stat_activity");
  if (!rows) return std::move(rows).error();
  const auto& r = rows->at(0);
  Horizon h;
  h.next_floor = r[0];
  h.oldest_xact_start = r[1].value_or("");
  h.oldest_xact_age_seconds = r[2] ? std::stod(*r[2]) : 0;
  h.invisible_sessions = r[3] ? std::stol(*r[3]) : 0;
  // Sessions of other users whose transactions we cannot see (no pg_read_all_stats): we cannot
  // bound their start, so the floor must not advance.
  if (h.invisible_sessions > 0) h.next_floor.reset();
  return h;
}

Result<Snapshot> take_snapshot(pg::Connection& s) {
  if (auto st = s.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !st) return std::move(st).error();
  auto rows = s.query(
      "SELECT pg_export_snapshot(), pg_current_snapshot()::text, "
      "pg_snapshot_xmin(pg_current_snapshot())::text, "
      "pg_snapshot_xmax(pg_current_snapshot())::text, "
      "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
  if (!rows) return std::move(rows).error();
  const auto& r = rows->at(0);
  Snapshot snap;
  snap.id = r[0].value_or("");
  snap.pg_snapshot = r[1].value_or("");
  snap.xmin = std::stoull(r[2].value_or("0"));
  snap.xmax = std::stoull(r[3].value_or("0"));
  snap.taken_at = r[4].value_or("");
  const auto last_colon = snap.pg_snapshot.rfind(':');
  std::string xip = snap.pg_snapshot.substr(last_colon + 1);
  for (std::size_t pos = 0; pos < xip.size();) {
    const auto comma = xip.find(',', pos);
    snap.xip.push_back(std::stoull(xip.substr(pos, comma - pos)));
    pos = comma == std::string::npos ? xip.size() : comma + 1;
  }
  return snap;
}

Result<std::vector<SourceColumn>> read_columns(pg::Connection& s, const std::string& schema,
                                               const std::string& table, bool& can_select) {
  auto rows = s.query(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
      "CASE WHEN t.typtype = 'd' THEN bt.typname ELSE t.typname END, has_table_privilege(c.oid, "
      "'SELECT')::text "
      "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
      "JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON bt.oid = t.typbasetype "
      "WHERE n.nspname = " +
      sql_literal(schema) + " AND c.relname = " + sql_literal(table) +
      " AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY a.attnum");
  if (!rows) return std::move(rows).error();
  std::vector<SourceColumn> cols;
  can_select = false;
  for (const auto& r : *rows) {
    cols.push_back({r[0].value_or(""), r[1].value_or(""), r[2].value_or("")});
    can_select = r[3].value_or("") == "true";
  }
  return cols;
}

std::vector<ledger::LandedColumn> landed_columns(const std::vector<SourceColumn>& cols) {
  std::vector<ledger::LandedColumn> out;
  out.reserve(cols.size());
  for (const auto& c : cols) out.push_back({c.name, c.type});
  return out;
}

// Differences against the columns the previous manifest recorded, by name.
Status check_schema(const std::string& table, const std::vector<SourceColumn>& now,
                    const std::vector<ledger::LandedColumn>& before, SchemaChangePolicy policy) {
  std::map<std::string, std::string> old_types;
  for (const auto& c : before) old_types[c.name] = c.type;
  std::vector<std::string> problems;
  std::set<std::string> present;
  for (const auto& c : now) {
    present.insert(c.name);
    const auto it = old_types.find(c.name);
    if (it == old_types.end()) {
      if (policy != SchemaChangePolicy::AcceptAddedColumns)
        problems.push_back("column " + c.name + " added (" + c.type + ")");
    } else if (it->second != c.type) {
      std::string problem = "column " + c.name;
      problem.append(" changed type from ").append(it->second).append(" to ").append(c.type);
      problems.push_back(std::move(problem));
    }
  }
  for (const auto& [name, type] : old_types) {
    if (!present.count(name))
      problems.push_back(
          std::string("column ").append(name).append(" dropped (was ").append(type).append(")"));
  }
  if (problems.empty()) return {};
  std::string message = "source schema of table " + table + " changed since the last run: ";
  for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  message +=
      ". No data was landed. To land added columns, rerun with --on-schema-change accept-added-columns.";
  return make_error("SchemaChanged", message);
}

std::string select_list(const std::vector<SourceColumn>& cols) {
  std::string out;
  for (std::size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + sql_identifier(cols[i].name);
  return out;
}

// The row versions visible in this run's snapshot but not in `previous_snapshot`: those whose
// inserting transaction (xmin) the previous snapshot did not see. xmin is a 32-bit xid and
// PostgreSQL 15 has no xid -> xid8 cast, so the epoch is taken from this snapshot's xmax: every
// xmin of a row visible now is below that xmax and less than 2^31 transactions older (the
// wraparound horizon PostgreSQL itself enforces), so an xmin above xmax's low 32 bits belongs
// to the previous epoch.
std::string new_versions_predicate(const std::string& previous_snapshot, std::uint64_t xmax) {
  const std::uint64_t epoch = xmax >> 32;
  const std::uint64_t low = xmax & 0xffffffffULL;
  const std::string x = "xmin::text::bigint";
  return "NOT pg_visible_in_snapshot(((GREATEST(0, " + std::to_string(epoch) + " - CASE WHEN " + x + " > " +
         std::to_string(low) + " THEN 1 ELSE 0 END) << 32) | " + x + ")::text::xid8, " +
         sql_literal(previous_snapshot) + "::pg_snapshot)";
}

Result<TablePlan> plan_table(pg::Connection& coordinator, const IngestConfig& config,
                             const IngestTable& table, const State& state, const Snapshot& snap,
                             SchemaChangePolicy policy) {
  bool can_select = false;
  auto cols = read_columns(coordinator, config.schema, table.name, can_select);
  if (!cols) return std::move(cols).error();
  const std::string qualified = config.schema + "." + table.name;
  if (cols->empty()) return make_error("NoSuchTable", "source has no table " + qualified);
  if (!can_select) {
    return make_error("PermissionDenied",
                      "permission denied: the source user may not SELECT from table " + qualified);
  }
  TablePlan plan;
  plan.table = table;
  plan.columns = std::move(cols).value();
  for (std::size_t i = 0; i < plan.columns.size(); ++i) {
    if (plan.columns[i].name == table.cursor) plan.cursor_index = static_cast<int>(i);
  }
  if (plan.cursor_index < 0) {
    return make_error("NoCursorColumn", "table " + qualified + " has no cursor column " + table.cursor +
                                            " (configured in the ingest configuration)");
  }
  const auto& cursor = plan.columns[static_cast<std::size_t>(plan.cursor_index)];
  if (cursor.typname != "timestamp" && cursor.typname != "timestamptz") {
    return make_error("NoCursorColumn", "cursor column " + table.cursor + " of table " + qualified + " is " +
                                            cursor.type + ", not a timestamp");
  }
  for (const auto& k : table.primary_key) {
    if (std::none_of(plan.columns.begin(), plan.columns.end(), [&](const auto& c) { return c.name == k; })) {
      std::string message = "table " + qualified;
      message.append(" has no key column ").append(k);
      return make_error("NoSuchColumn", std::move(message));
    }
  }
  plan.select_sql = "SELECT " + select_list(plan.columns) + " FROM " + sql_identifier(config.schema) + "." +
                    sql_identifier(table.name);
  const auto prev = state.find(table.name);
  if (prev == state.end()) return plan;

  if (auto s = check_schema(table.name, plan.columns, prev->second.entry.columns, policy); !s) {
    return std::move(s).error();
  }
  plan.incremental = true;
  plan.previous_run = prev->second.run_id;
  std::string where = new_versions_predicate(prev->second.pg_snapshot, snap.xmax);
  plan.cursor_floor = prev->second.entry.next_cursor_floor;
  if (plan.cursor_floor) {
    const std::string literal = sql_literal(*plan.cursor_floor) + "::timestamp";
    const std::string bound = cursor.typname == "timestamptz" ? "(" + literal + " AT TIME ZONE " +
                                                                    sql_literal(config.cursor_timezone) + ")"
                                                              : literal;
    where = sql_identifier(table.cursor) + " >= " + bound + " AND " + where;
  }
  plan.select_sql += " WHERE " + where;
  return plan;
}

Status validate(const IngestOptions& o) {
  if (o.source_url.empty()) return make_error("InvalidArgument", "--source is required");
  if (o.landing_url.empty()) return make_error("InvalidArgument", "--landing is required");
  if (o.max_connections < 1) return make_error("InvalidArgument", "max_connections must be at least 1");
  if (o.chunk_bytes < 4096) return make_error("InvalidArgument", "chunk_bytes must be at least 4096");
  if (!compression_available(o.compression)) {
    return make_error("InvalidArgument",
                      "compression " + std::string(compression_name(o.compression)) +
                          " is not available in this build (install libzstd-dev and rebuild)");
  }
  return {};
}

Result<std::vector<IngestTable>> select_tables(const IngestConfig& config,
                                               const std::vector<std::string>& names) {
  if (names.empty()) return config.tables;
  std::vector<IngestTable> out;
  for (const auto& n : names) {
    const auto it =
        std::find_if(config.tables.begin(), config.tables.end(), [&](const auto& t) { return t.name == n; });
    if (it == config.tables.end()) {
      std::string known;
      for (const auto& t : config.tables) {
        if (!known.empty()) known += ", ";
        known += t.name;
      }
      return make_error("InvalidArgument", std::string("table '")
                                               .append(n)
                                               .append("' is not in the ingest configuration (")
                                               .append(known)
                                               .append(")"));
    }
    if (std::none_of(out.begin(), out.end(), [&](const auto& t) { return t.name == n; })) out.push_back(*it);
  }
  return out;
}

json table_log(const TableReport& r) {
  return {{"table", r.table},
          {"mode", r.mode},
          {"rows", r.rows},
          {"bytes", r.bytes},
          {"seconds", r.seconds},
          {"cursor_min", r.cursor_min.empty() ? json(nullptr) : json(r.cursor_min)},
          {"cursor_max", r.cursor_max.empty() ? json(nullptr) : json(r.cursor_max)},
          {"key", r.key.empty() ? json(nullptr) : json(r.key)}};
}

// Warns about (or, when asked, creates) missing cursor indexes before the snapshot is taken.
Status check_cursor_indexes(pg::Connection& session, const IngestConfig& config,
                            const std::vector<IngestTable>& tables, bool create) {
  auto missing = tables_without_cursor_index(session, config, tables);
  if (!missing) return std::move(missing).error();
  if (missing->empty()) return {};
  if (create) return create_cursor_indexes(session, config, *missing);
  for (const auto& table : *missing) {
    log::warn(
        "no index on the cursor column: every incremental run reads the whole table; "
        "rerun once with --create-cursor-indexes (CREATE INDEX CONCURRENTLY) to fix",
        {{"table", table}});
  }
  return {};
}

constexpr const char* kSessionSettings =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; "
    "SET extra_float_digits = 3; SET client_encoding = 'UTF8'; SET bytea_output = 'hex'";

// What a run reads and where it writes, all checked before any data is read.
struct Target {
  IngestConfig config;
  std::vector<IngestTable> tables;
  std::unique_ptr<ObjectStore> store;
  std::string source;  // host:port/database, for the manifest
};

Result<Target> open_target(const IngestOptions& options) {
  if (auto s = validate(options); !s) return std::move(s).error();
  auto config_path = options.config_path.empty() ? default_ingest_config_path()
                                                 : Result<std::filesystem::path>(options.config_path);
  if (!config_path) return std::move(config_path).error();
  auto config = load_ingest_config(*config_path);
  if (!config) return std::move(config).error();
  auto tables = select_tables(*config, options.tables);
  if (!tables) return std::move(tables).error();

  auto store = open_store(options.landing_url, options.s3_options);
  if (!store) return std::move(store).error();
  if (auto s = (*store)->check(); !s) return std::move(s).error();

  auto url = pg::validate_database_url(options.source_url);
  if (!url) return std::move(url).error();
  {
    // dwh::pg::connect names what failed (unreachable, auth, no database) without the password.
    auto probe = pg::connect(options.source_url, options.connect_timeout);
    if (!probe) return std::move(probe).error();
  }
  return Target{std::move(config).value(), std::move(tables).value(), std::move(store).value(), url->where()};
}

// The snapshot every table is read in, exported by the coordinator session, which holds it open
// until the manifest is written.
struct SourceSnapshot {
  std::unique_ptr<pg::Connection> coordinator;
  Horizon horizon;
  Snapshot snap;
};

Result<SourceSnapshot> open_snapshot(const IngestOptions& options, const Target& target) {
  auto coordinator = pg::Connection::open(options.source_url, {options.connect_timeout, "dwh ingest"});
  if (!coordinator) return std::move(coordinator).error();
  if (auto s = (*coordinator)->exec(kSessionSettings); !s) return std::move(s).error();
  if (auto s =
          check_cursor_indexes(**coordinator, target.config, target.tables, options.create_cursor_indexes);
      !s) {
    return std::move(s).error();
  }
  auto horizon = read_horizon(**coordinator, target.config);
  if (!horizon) return std::move(horizon).error();
  if (horizon->invisible_sessions > 0) {
    log::warn(
        "cannot see the transactions of other users' sessions (grant pg_read_all_stats): the cursor floor "
        "will not advance, so later runs scan more",
        {{"sessions", horizon->invisible_sessions}});
  }
  auto snap = take_snapshot(**coordinator);
  if (!snap) return std::move(snap).error();
  crash_point("after-snapshot");
  return SourceSnapshot{std::move(coordinator).value(), std::move(horizon).value(), std::move(snap).value()};
}

Result<std::vector<TablePlan>> plan_tables(pg::Connection& coordinator, const IngestOptions& options,
                                           const Target& target, const State& state, const Snapshot& snap) {
  std::vector<TablePlan> plans;
  for (const auto& t : target.tables) {
    auto plan = plan_table(coordinator, target.config, t, state, snap, options.on_schema_change);
    if (!plan) return std::move(plan).error();
    plans.push_back(std::move(plan).value());
  }
  return plans;
}

// Every planned table in parallel, each over a worker connection that joined the exported
// snapshot (at most max_connections are open). The objects are recorded in `runs`, so a run that
// fails removes them; the reports are in plan order.
Result<std::vector<TableReport>> extract_tables(const IngestOptions& options, ObjectStore& store,
                                                const std::vector<TablePlan>& plans,
                                                const std::string& snapshot_id, ledger::RunLedger& runs) {
  tbb::concurrent_queue<std::unique_ptr<pg::Connection>> pool;
  auto acquire = [&]() -> Result<std::unique_ptr<pg::Connection>> {
    std::unique_ptr<pg::Connection> s;
    if (pool.try_pop(s)) return s;
    auto fresh = pg::Connection::open(options.source_url, {options.connect_timeout, "dwh ingest"});
    if (!fresh) return std::move(fresh).error();
    if (auto st =
            (*fresh)->exec(std::string(kSessionSettings) +
                           "; BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT " +
                           sql_literal(snapshot_id));
        !st) {
      return std::move(st).error();
    }
    return fresh;
  };
  const ExtractSettings settings{options.compression, options.chunk_bytes, options.chunks_in_flight};
  std::vector<std::optional<TableReport>> results(plans.size());
  std::vector<std::size_t> order(plans.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::atomic<bool> stop{false};
  const Status status = core::for_each_table(
      order, static_cast<std::size_t>(std::min<int>(options.max_connections, static_cast<int>(plans.size()))),
      stop, [&](std::size_t i) -> Status {
        auto session = acquire();
        if (!session) return std::move(session).error();
        const std::string key =
            object_key(plans[i].table.name, runs.run_id(), compression_suffix(options.compression));
        auto report = extract_table(**session, store, plans[i], key, settings);
        // A session whose COPY failed is in an unknown state: it is closed rather than reused.
        if (!report) return std::move(report).error();
        pool.push(std::move(session).value());
        results[i] = std::move(report).value();
        return {};
      });
  std::vector<TableReport> done;
  for (auto& r : results) {
    if (!r) continue;
    if (!r->key.empty()) runs.wrote(r->key);
    done.push_back(std::move(*r));
  }
  if (!status) return status.error();
  return done;
}

std::optional<std::string> unless_empty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

ledger::IngestTableEntry manifest_entry(const TableReport& r, const TablePlan& p, const State& state,
                                        const Horizon& horizon) {
  const auto prev = state.find(p.table.name);
  ledger::IngestTableEntry e;
  e.mode = r.mode;
  e.key = unless_empty(r.key);
  e.rows = r.rows;
  e.bytes = r.bytes;
  e.sha256 = unless_empty(r.sha256);
  e.primary_key = p.table.primary_key;
  e.cursor_column = p.table.cursor;
  e.cursor_min = unless_empty(r.cursor_min);
  e.cursor_max = unless_empty(r.cursor_max);
  e.cursor_floor = p.cursor_floor;
  // Without a bound on other users' transactions the floor stays where it was.
  e.next_cursor_floor = horizon.next_floor    ? horizon.next_floor
                        : prev != state.end() ? prev->second.entry.next_cursor_floor
                                              : std::nullopt;
  e.previous_run = unless_empty(p.previous_run);
  e.columns = landed_columns(p.columns);
  return e;
}

ledger::IngestManifest make_manifest(const IngestOptions& options, const Target& target,
                                     const std::string& run_id, const std::string& started_at,
                                     const SourceSnapshot& source, const std::vector<TablePlan>& plans,
                                     const std::vector<TableReport>& done, const State& state) {
  ledger::IngestManifest m;
  m.run_id = run_id;
  m.started_at = started_at;
  m.compression = compression_name(options.compression);
  m.source = target.source;
  const Snapshot& snap = source.snap;
  m.snapshot = {snap.pg_snapshot,
                snap.xmin,
                snap.xmax,
                snap.xip,
                snap.taken_at,
                source.horizon.oldest_xact_start,
                source.horizon.invisible_sessions};
  for (std::size_t i = 0; i < done.size(); ++i)
    m.tables[done[i].table] = manifest_entry(done[i], plans[i], state, source.horizon);
  m.finished_at = core::utc_now_iso();
  return m;
}

void log_committed(IngestReport& report, std::vector<TableReport> done, const SourceSnapshot& source,
                   chr::steady_clock::time_point t0) {
  for (const auto& r : done) {
    report.rows += r.rows;
    report.bytes += r.bytes;
    log::info("table landed", table_log(r));
  }
  report.tables = std::move(done);
  report.seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  log::info("ingest committed", {{"tables", report.tables.size()},
                                 {"rows", report.rows},
                                 {"bytes", report.bytes},
                                 {"seconds", report.seconds},
                                 {"manifest", report.manifest_key},
                                 {"snapshot", source.snap.pg_snapshot},
                                 {"oldest_open_xact_start", source.horizon.oldest_xact_start},
                                 {"orphans_removed", report.orphans_removed.size()}});
}

Result<IngestReport> run(const IngestOptions& options) {
  const auto t0 = chr::steady_clock::now();
  const std::string started_at = core::utc_now_iso();
  auto target = open_target(options);
  if (!target) return std::move(target).error();
  auto runs = ledger::RunLedger::begin(*target->store, ledger::Job::Ingest, chr::system_clock::now());
  if (!runs) return std::move(runs).error();
  auto state = read_state(*target->store, *runs, target->tables);
  if (!state) return std::move(state).error();
  log::set_context("ingest", runs->run_id());
  crash_point("before-cleanup");

  IngestReport report;
  report.run_id = runs->run_id();
  auto orphans = remove_orphans(*runs, target->tables);
  if (!orphans) return std::move(orphans).error();
  report.orphans_removed = std::move(orphans).value();

  auto source = open_snapshot(options, *target);
  if (!source) return std::move(source).error();
  auto plans = plan_tables(*source->coordinator, options, *target, *state, source->snap);
  if (!plans) return std::move(plans).error();
  auto done = extract_tables(options, *target->store, *plans, source->snap.id, *runs);
  if (!done) return std::move(done).error();
  crash_point("before-manifest");

  const auto manifest =
      make_manifest(options, *target, runs->run_id(), started_at, *source, *plans, *done, *state);
  if (auto s = runs->commit(ledger::manifest_text(manifest)); !s) return std::move(s).error();
  crash_point("after-manifest");
  (void)source->coordinator->exec("COMMIT");
  report.manifest_key = runs->manifest_key();
  log_committed(report, std::move(done).value(), *source, t0);
  return report;
}

// The source connection's errors carry the server's SQLSTATE; ingest's codes say whose move it
// is: the source's owner grants privileges (42501), anything else is the source failing.
Error source_error(Error e) {
  if (pg::is_connection_error_code(e.code)) e.code = e.code == "42501" ? "PermissionDenied" : "SourceError";
  return e;
}

}  // namespace

Result<IngestReport> run_ingest(const IngestOptions& options) {
  try {
    auto report = run(options);
    if (!report) return source_error(std::move(report).error());
    return report;
  } catch (const std::exception& e) {
    // Only programming errors and allocation failures get here; libpq and stores return errors.
    return make_error("IngestFailed", std::string("ingest failed: ") + e.what());
  }
}

}  // namespace dwh::ingest
