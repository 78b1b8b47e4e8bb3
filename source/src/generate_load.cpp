// The load, in the order pg_restore uses for speed:
//   1. one transaction on a control connection: empty every table, COPY the small tables
//      (with their constraints in place; they are tiny), drop the big tables' constraints;
//   2. one connection per big table, in parallel: TRUNCATE + COPY ... (FORMAT binary, FREEZE)
//      in one transaction, the rows made by a TBB pipeline (chunks encoded in parallel, sent in
//      order);
//   3. the seven unique indexes (primary keys included) and ANALYZE as a queue of jobs shared by
//      the four connections, biggest first, then the primary keys attached to their indexes;
//   4. foreign keys added NOT VALID (instant), then validated, each table's in a chain on its own
//      connection: VALIDATE takes only a SHARE UPDATE EXCLUSIVE lock, so tables sharing a parent
//      do not wait for each other as ADD FOREIGN KEY's locks would make them;
//   5. sequences set past the generated ids.
// If anything fails after step 1, every table is emptied and the constraints are put back.
#include "generate_load.hpp"

#include <tbb/parallel_pipeline.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <thread>

#include "dwh/core/log.hpp"
#include "dwh/pg/connection.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/source/generate_rows.hpp"
#include "generate_constraints.hpp"

namespace dwh::source {
namespace {

using Clock = std::chrono::steady_clock;
using gen::BigTable;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Orders per chunk: big enough that a chunk's few MB amortise the pipeline's per-item cost,
// small enough that tokens x chunks stays a few tens of MB.
constexpr std::int64_t kChunkOrders = 16'384;
constexpr std::size_t kTokensPerStream = 4;

// Session settings for bulk work: no wait for WAL flush at commit (the load is redone from
// the seed if lost), and memory for sorting the index builds and hashing the FK checks.
constexpr const char* kSessionSettings =
    "SET search_path TO public; SET synchronous_commit = off; SET maintenance_work_mem = '512MB'; "
    "SET work_mem = '256MB'; SET max_parallel_maintenance_workers = 0";

const char* const kSmallTables[] = {"address", "counterparty", "currency",    "department",
                                    "design",  "staff",        "payment_type"};

using Connections = std::array<std::unique_ptr<pg::Connection>, 4>;

std::string all_tables_list() {
  std::string list;
  for (const auto& t : totesys_tables()) list += (list.empty() ? "" : ", ") + std::string(t.name);
  return list;
}

std::string setval_sql(const TableDef& t, std::int64_t rows) {
  const std::string seq =
      "pg_get_serial_sequence('" + std::string(t.name) + "', '" + std::string(t.columns.front().name) + "')";
  return rows > 0 ? "SELECT setval(" + seq + ", " + std::to_string(rows) + ", true)"
                  : "SELECT setval(" + seq + ", 1, false)";
}

Status prepare(pg::Connection& ctl, const gen::Model& model) {
  if (auto s = ctl.exec("BEGIN"); !s) return std::move(s).error();
  if (auto s = ctl.exec("TRUNCATE " + all_tables_list() + " RESTART IDENTITY"); !s)
    return std::move(s).error();
  for (const char* table : kSmallTables) {
    const std::string rows = gen::small_table_rows(table, model);
    if (auto s = ctl.begin_copy_in("COPY " + std::string(table) + " FROM STDIN (FREEZE)"); !s) return s;
    if (auto s = ctl.put_copy_data(rows); !s) return s;
    if (auto s = ctl.end_copy_in(); !s) return std::move(s).error();
    if (auto s = ctl.exec(setval_sql(totesys_table(table), model.counts().of(table))); !s)
      return std::move(s).error();
  }
  for (const auto& sql : drop_bulk_constraints_sql())
    if (auto s = ctl.exec(sql); !s) return std::move(s).error();
  if (auto s = ctl.exec("COMMIT"); !s) return std::move(s).error();
  return {};
}

struct Chunk {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;
};

// One table's COPY: chunks of the order stream are formatted in parallel and sent in order.
Status stream_table(pg::Connection& conn, BigTable table, const gen::Model& model) {
  const std::string name(gen::table_name(table));
  if (auto s = conn.exec("BEGIN"); !s) return std::move(s).error();
  // Truncating in the same transaction lets COPY FREEZE write the rows frozen and all-visible,
  // so nothing has to revisit them later (hint bits, vacuum, index-only scans for the FK checks).
  if (auto s = conn.exec("TRUNCATE " + name); !s) return std::move(s).error();
  if (auto s = conn.begin_copy_in("COPY " + name + " FROM STDIN (FORMAT binary, FREEZE)"); !s) return s;
  if (auto s = conn.put_copy_data(gen::kBinaryCopyHeader); !s) return s;

  const std::int64_t orders = model.orders();
  const std::int64_t chunks = (orders + kChunkOrders - 1) / kChunkOrders;
  std::int64_t next = 0;
  std::atomic<bool> failed{false};
  Status failure;
  tbb::parallel_pipeline(
      kTokensPerStream,
      tbb::make_filter<void, std::int64_t>(tbb::filter_mode::serial_in_order,
                                           [&](tbb::flow_control& fc) -> std::int64_t {
                                             if (next >= chunks || failed.load()) {
                                               fc.stop();
                                               return 0;
                                             }
                                             return next++;
                                           }) &
          tbb::make_filter<std::int64_t, Chunk>(
              tbb::filter_mode::parallel,
              [&](std::int64_t c) {
                const std::int64_t begin = c * kChunkOrders;
                const std::int64_t end = std::min(orders, begin + kChunkOrders);
                Chunk chunk;
                chunk.data = std::make_unique_for_overwrite<char[]>(static_cast<std::size_t>(end - begin) *
                                                                    gen::kMaxRowBytes);
                chunk.size = gen::format_chunk(table, model, begin, end, chunk.data.get());
                return chunk;
              }) &
          tbb::make_filter<Chunk, void>(tbb::filter_mode::serial_in_order, [&](Chunk chunk) {
            if (failed.load()) return;
            if (auto s = conn.put_copy_data(std::string_view(chunk.data.get(), chunk.size)); !s) {
              failure = std::move(s);
              failed = true;
            }
          }));
  if (failed) {
    conn.abort_copy_in("load abandoned");
    return failure;
  }
  if (auto s = conn.put_copy_data(gen::kBinaryCopyTrailer); !s) return s;
  if (auto s = conn.end_copy_in(); !s) return std::move(s).error();
  if (auto s = conn.exec("COMMIT"); !s) return std::move(s).error();
  return {};
}

// Joins between two big tables (transaction -> sales_order, payment -> transaction) are
// cheapest as a merge of the two unique indexes, which COPY FREEZE made index-only; the planner
// picks a hash join that first builds a hash table of the whole parent (2x slower, measured).
bool parent_is_bulk(const ForeignKeyDef& fk) {
  for (const TableDef* t : bulk_tables())
    if (t->name == fk.parent_table) return true;
  return false;
}

Status validate_foreign_keys(pg::Connection& conn, const TableDef& table) {
  std::vector<const ForeignKeyDef*> chain;
  for (const auto& fk : table.foreign_keys)
    if (parent_is_bulk(fk)) chain.push_back(&fk);
  for (const auto& fk : table.foreign_keys)
    if (!parent_is_bulk(fk)) chain.push_back(&fk);
  for (const ForeignKeyDef* fk : chain) {
    const bool merge = parent_is_bulk(*fk);
    if (merge)
      if (auto s = conn.exec("SET enable_hashjoin = off"); !s) return std::move(s).error();
    if (auto s = conn.exec("ALTER TABLE " + std::string(table.name) + " VALIDATE CONSTRAINT " +
                           std::string(fk->name));
        !s)
      return std::move(s).error();
    if (merge)
      if (auto s = conn.exec("RESET enable_hashjoin"); !s) return std::move(s).error();
  }
  return {};
}

// Runs step(i, connection i) for the four big tables on four threads; the first failure wins.
template <class Step>
Status per_table(Connections& conns, Step step) {
  std::array<Status, 4> results;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < conns.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        results[i] = step(i, *conns[i]);
      } catch (const std::exception& e) {
        results[i] = make_error(
            "DatabaseError",
            std::string("loading ") + std::string(gen::table_name(gen::kBigTables[i])) + ": " + e.what());
      }
    });
  }
  for (auto& t : threads) t.join();
  for (auto& r : results)
    if (!r) return r;
  return {};
}

// After a failed load: every table emptied, every constraint back. Uses a fresh connection,
// since the failure may have been the connection itself.
Status recover(const GenerateOptions& options) {
  auto conn = pg::connect(options.url, options.connect_timeout);
  if (!conn) return conn.error();
  try {
    pqxx::work tx(**conn);
    tx.exec("SET LOCAL search_path TO public");
    tx.exec("TRUNCATE " + all_tables_list() + " RESTART IDENTITY");
    restore_missing_constraints(tx);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return make_error("DatabaseError", e.what());
  }
}

Status load_big_tables(const GenerateOptions& options, const gen::Model& model, pg::Connection& ctl,
                       GeneratePhases& phases) {
  Connections conns;
  for (auto& c : conns) {
    auto opened = pg::Connection::open(options.url, {options.connect_timeout, "dwh source generate"});
    if (!opened) return opened.error();
    c = std::move(*opened);
    if (auto s = c->exec(kSessionSettings); !s) return std::move(s).error();
  }
  const auto& tables = bulk_tables();

  auto t = Clock::now();
  if (auto s = per_table(
          conns,
          [&](std::size_t i, pg::Connection& c) { return stream_table(c, gen::kBigTables[i], model); });
      !s)
    return s;
  phases.load = seconds_since(t);

  t = Clock::now();
  // Biggest first, so the queue ends with short jobs and the connections finish together.
  std::vector<std::string> jobs;
  for (const TableDef* table : {tables[2], tables[3], tables[0], tables[1]})
    for (auto& sql : bulk_index_sql(*table)) jobs.push_back(std::move(sql));
  // Fresh statistics, so the FK checks are planned on real sizes.
  for (const TableDef* table : tables) jobs.push_back("ANALYZE " + std::string(table->name));
  std::atomic<std::size_t> next_job{0};
  if (auto s = per_table(conns,
                         [&](std::size_t, pg::Connection& c) -> Status {
                           for (std::size_t j = next_job++; j < jobs.size(); j = next_job++)
                             if (auto s = c.exec(jobs[j]); !s) return std::move(s).error();
                           return {};
                         });
      !s)
    return s;
  for (const TableDef* table : tables)
    if (auto s = ctl.exec(attach_primary_key_sql(*table)); !s) return std::move(s).error();
  phases.indexes = seconds_since(t);

  t = Clock::now();
  if (auto s = ctl.exec("BEGIN"); !s) return std::move(s).error();
  for (const TableDef* table : tables)
    for (const auto& fk : table->foreign_keys)
      if (auto s = ctl.exec(add_foreign_key_sql(fk, /*not_valid=*/true)); !s) return std::move(s).error();
  if (auto s = ctl.exec("COMMIT"); !s) return std::move(s).error();
  if (auto s = per_table(
          conns, [&](std::size_t i, pg::Connection& c) { return validate_foreign_keys(c, *tables[i]); });
      !s)
    return s;
  phases.foreign_keys = seconds_since(t);

  t = Clock::now();
  for (const TableDef* table : tables)
    if (auto s = ctl.exec(setval_sql(*table, model.counts().of(table->name))); !s)
      return std::move(s).error();
  phases.finish = seconds_since(t);
  return {};
}

// The loading connections' errors carry the server's SQLSTATE; generate's code is one.
Error database_error(Error e) {
  if (pg::is_connection_error_code(e.code)) e.code = "DatabaseError";
  return e;
}

}  // namespace

Result<GeneratePhases> load_generated(const GenerateOptions& options, const gen::Model& model) {
  GeneratePhases phases;
  auto t = Clock::now();
  auto ctl_opened = pg::Connection::open(options.url, {options.connect_timeout, "dwh source generate"});
  if (!ctl_opened) return database_error(ctl_opened.error());
  pg::Connection& ctl = **ctl_opened;
  if (auto s = ctl.exec(kSessionSettings); !s) return database_error(s.error());
  if (auto s = prepare(ctl, model); !s) {
    (void)ctl.exec("ROLLBACK");
    return database_error(s.error());
  }
  phases.prepare = seconds_since(t);
  log::info("source generate: small tables loaded, big tables' constraints dropped",
            {{"seconds", phases.prepare}});

  if (auto s = load_big_tables(options, model, ctl, phases); !s) {
    (void)ctl.exec("ROLLBACK");
    Error error = database_error(s.error());
    if (auto r = recover(options); r)
      error.message += " (the tables were emptied and their constraints restored)";
    else
      error.message += "; restoring the constraints failed too (" + r.error().message +
                       "): run `dwh source generate --replace` to retry";
    return error;
  }
  return phases;
}

}  // namespace dwh::source
