#include "cursor_index.hpp"

#include <chrono>

#include "dwh/core/log.hpp"
#include "dwh/pg/sql_quote.hpp"

namespace dwh::ingest {

using pg::sql_identifier;
using pg::sql_literal;

Result<std::vector<std::string>> tables_without_cursor_index(pg::Connection& session,
                                                             const IngestConfig& config,
                                                             const std::vector<IngestTable>& tables) {
  if (tables.empty()) return std::vector<std::string>{};
  // One round trip for all tables: an incremental run's fixed cost is what the target is about.
  std::string pairs;
  for (const auto& t : tables) {
    pairs += (pairs.empty() ? "" : ", ") + std::string("(") + sql_literal(t.name) + ", " +
             sql_literal(t.cursor) + ")";
  }
  // indkey[0] is the index's leading column; a partial or invalid (failed CONCURRENTLY) index
  // does not serve the range predicate for every row, so it does not count.
  auto rows = session.query("SELECT w.t FROM (VALUES " + pairs +
                            ") AS w(t, col) WHERE NOT EXISTS ("
                            "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] "
                            "WHERE n.nspname = " +
                            sql_literal(config.schema) +
                            " AND c.relname = w.t AND a.attname = w.col "
                            "AND i.indisvalid AND i.indpred IS NULL) ORDER BY w.t");
  if (!rows) return std::move(rows).error();
  std::vector<std::string> missing;
  for (const auto& r : *rows) {
    if (r[0]) missing.push_back(*r[0]);
  }
  return missing;
}

namespace {

// The statements of one table's index, built outside the loop over tables.
std::string cursor_index_name(const std::string& table, const std::string& cursor) {
  return "dwh_" + table + "_" + cursor + "_idx";
}

std::string drop_index_sql(const std::string& schema, const std::string& name) {
  return "DROP INDEX CONCURRENTLY IF EXISTS " + sql_identifier(schema) + "." + sql_identifier(name);
}

std::string create_index_sql(const std::string& schema, const std::string& name, const std::string& table,
                             const std::string& cursor) {
  return "CREATE INDEX CONCURRENTLY IF NOT EXISTS " + sql_identifier(name) + " ON " + sql_identifier(schema) +
         "." + sql_identifier(table) + " (" + sql_identifier(cursor) + ")";
}

}  // namespace

Status create_cursor_indexes(pg::Connection& session, const IngestConfig& config,
                             const std::vector<std::string>& tables) {
  for (const auto& table : tables) {
    std::string cursor;
    for (const auto& t : config.tables) {
      if (t.name == table) cursor = t.cursor;
    }
    const std::string name = cursor_index_name(table, cursor);
    const auto t0 = std::chrono::steady_clock::now();
    // A CONCURRENTLY build that failed earlier leaves an invalid index of that name behind;
    // IF NOT EXISTS would then keep it, so drop it first.
    if (auto s = session.exec(drop_index_sql(config.schema, name)); !s) {
      // with_context keeps the SQLSTATE's kind along with the code.
      return with_context(
          std::move(s).error(),
          std::string("dropping the invalid index ").append(name).append(" on ").append(table) + ": ");
    }
    if (auto s = session.exec(create_index_sql(config.schema, name, table, cursor)); !s) {
      return with_context(std::move(s).error(), std::string("creating an index on ")
                                                    .append(table)
                                                    .append(".")
                                                    .append(cursor)
                                                    .append(" (--create-cursor-indexes): "));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log::info("created cursor index",
              {{"table", table}, {"column", cursor}, {"index", name}, {"seconds", seconds}});
  }
  return {};
}

}  // namespace dwh::ingest
