#pragma once
// Helpers of the load integration tests: a real pipeline (`dwh source generate` -> `dwh ingest`
// -> `dwh transform` -> `dwh warehouse init` -> `dwh load`, all through the CLI), the oracle
// (tests/golden/transform/expected.sql run in PostgreSQL over the row versions the test itself
// copied from the source after each ingest, for the whole history: prev_run = 0), and the
// warehouse read back in the oracle's canonical text form, surrogate *_record_id keys left out.
// Header-only because the CMake glob compiles tests/integration/*.cpp as test files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test::load_support {

namespace fs = std::filesystem;

inline const std::vector<std::string> kTables = {
    "dim_date",         "dim_staff",           "dim_location",     "dim_design",
    "dim_currency",     "dim_counterparty",    "dim_payment_type", "dim_transaction",
    "fact_sales_order", "fact_purchase_order", "fact_payment"};

inline const std::vector<std::pair<std::string, std::string>> kSources = {
    {"address", "address_id"},
    {"counterparty", "counterparty_id"},
    {"currency", "currency_id"},
    {"department", "department_id"},
    {"design", "design_id"},
    {"staff", "staff_id"},
    {"payment_type", "payment_type_id"},
    {"sales_order", "sales_order_id"},
    {"purchase_order", "purchase_order_id"},
    {"transaction", "transaction_id"},
    {"payment", "payment_id"}};

inline std::string golden_dir() {
  return std::string(DWH_SOURCE_DIR) + "/tests/golden/transform";
}
inline std::string model_dir() {
  return std::string(DWH_SOURCE_DIR) + "/models/totesys";
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// table -> sorted rows, each row its values joined by a unit separator (NULL as \N).
using Snapshot = std::map<std::string, std::vector<std::string>>;

inline std::string render_row(const pqxx::row& r) {
  std::string line;
  for (pqxx::row::size_type c = 0; c < r.size(); ++c) {
    if (c) line += '\x1f';
    line += r[c].is_null() ? std::string("\\N") : std::string(r[c].c_str());
  }
  return line;
}

// The canonical text of every warehouse column but the surrogate keys (a column default).
inline std::string canonical_select(const std::string& url, const std::string& schema,
                                    const std::string& table) {
  const auto cols = PostgresFixture::run_sql(
      url, "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '" + schema +
               "' AND table_name = '" + table + "' AND column_default IS NULL ORDER BY ordinal_position");
  std::string list;
  for (const auto& c : cols) {
    const std::string name = "\"" + std::string(c[0].c_str()) + "\"";
    const std::string type = c[1].c_str();
    std::string expr = name + "::text";
    if (type == "date") expr = "to_char(" + name + ", 'YYYY-MM-DD')";
    if (type == "time without time zone") expr = "to_char(" + name + ", 'HH24:MI:SS.US')";
    if (type == "boolean") expr = "CASE WHEN " + name + " THEN 'true' WHEN NOT " + name + " THEN 'false' END";
    list += (list.empty() ? "" : ", ") + expr;
  }
  return "SELECT " + list + " FROM " + schema + ".\"" + table + "\"";
}

inline std::vector<std::string> sorted_rows(const std::string& url, const std::string& sql) {
  std::vector<std::string> rows;
  for (const auto& r : PostgresFixture::run_sql(url, sql)) rows.push_back(render_row(r));
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Every warehouse table, surrogate keys left out.
inline Snapshot warehouse_snapshot(const std::string& url) {
  Snapshot s;
  for (const auto& t : kTables) s[t] = sorted_rows(url, canonical_select(url, "public", t));
  return s;
}

// Run ids in the control table, oldest first.
inline std::vector<std::string> loaded_runs(const std::string& url) {
  std::vector<std::string> out;
  for (const auto& r :
       PostgresFixture::run_sql(url, "SELECT run_id FROM dwh_loaded_manifests ORDER BY run_id")) {
    out.emplace_back(r[0].c_str());
  }
  return out;
}

// First differences between two snapshots, "" when equal.
inline std::string diff(const Snapshot& expected, const Snapshot& actual) {
  std::string out;
  for (const auto& t : kTables) {
    const auto& e = expected.at(t);
    const auto& a = actual.at(t);
    if (e == a) continue;
    std::vector<std::string> missing, extra;
    std::set_difference(e.begin(), e.end(), a.begin(), a.end(), std::back_inserter(missing));
    std::set_difference(a.begin(), a.end(), e.begin(), e.end(), std::back_inserter(extra));
    out += t + ": expected " + std::to_string(e.size()) + " rows, got " + std::to_string(a.size()) + "\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, missing.size()); ++i)
      out += "  missing " + missing[i] + "\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(3, extra.size()); ++i)
      out += "  extra   " + extra[i] + "\n";
  }
  return out;
}

// A source database, its landing and processed stores, and a warehouse database.
struct Pipeline {
  TestDatabase source;
  TestDatabase warehouse;
  std::string work, landing, processed;  // processed is a file:// URL unless set otherwise
  std::map<std::string, std::string> env;
  int ingest_runs = 0;

  static Pipeline make(const std::string& prefix, double scale = 0.05, std::uint64_t seed = 5) {
    auto& pg = PostgresFixture::instance();
    Pipeline p;
    p.source = make_totesys_source(prefix, scale, seed);
    p.warehouse = pg.create_database(prefix + "_wh");
    p.work = make_temp_dir(prefix);
    p.landing = "file://" + p.work + "/landing";
    p.processed = "file://" + p.work + "/processed";
    fs::create_directories(p.work + "/landing");
    fs::create_directories(p.work + "/processed");
    p.env = pg.cli_environment(p.source.name, p.warehouse.name);
    // The oracle checks its own output against the reference warehouse DDL in schema wh.
    PostgresFixture::run_sql(p.source.url, "CREATE SCHEMA wh; SET search_path = wh; " +
                                               read_text(golden_dir() + "/totesys_warehouse.sql"));
    return p;
  }

  ProcessResult dwh(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) const {
    args.insert(args.begin(), DWH_CLI_PATH);
    auto e = env;
    for (auto& [k, v] : extra) e[k] = v;
    return run_process(args, e);
  }

  // Ingest, then record the versions it landed (nothing writes to the source in between, and
  // every change moves last_updated: docs/source-simulate.md).
  void ingest() {
    const auto r = dwh({"ingest", "--source", source.url, "--landing", landing});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    ++ingest_runs;
    std::string sql = "CREATE SCHEMA IF NOT EXISTS v;";
    for (const auto& [table, key] : kSources) {
      if (ingest_runs == 1) {
        sql += "CREATE TABLE v." + table + " AS SELECT t.*, 1 AS _run, row_number() OVER (ORDER BY " + key +
               ") AS _line FROM public." + table + " t;";
      } else {
        sql += "INSERT INTO v." + table + " SELECT t.*, " + std::to_string(ingest_runs) +
               ", row_number() OVER (ORDER BY t." + key + ") FROM public." + table +
               " t WHERE NOT EXISTS (SELECT 1 FROM v." + table + " o WHERE o." + key + " = t." + key +
               " AND o.last_updated = t.last_updated);";
      }
    }
    PostgresFixture::run_sql(source.url, sql);
  }

  void transform(std::vector<std::string> extra_args = {}) const {
    std::vector<std::string> args = {"transform", "--landing", landing,    "--processed",
                                     processed,   "--model",   model_dir()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    const auto r = dwh(args);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }

  void init_warehouse() const {
    const auto r = dwh({"warehouse", "init", "--warehouse", warehouse.url, "--model", model_dir()});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }

  ProcessResult load(std::vector<std::string> extra_args = {},
                     std::map<std::string, std::string> extra_env = {}) const {
    std::vector<std::string> args = {"load", "--processed", processed, "--warehouse", warehouse.url};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return dwh(args, extra_env);
  }

  void simulate(int seed) const {
    const auto r = dwh({"source", "simulate", "--url", source.url, "--rate", "60", "--duration", "2s",
                        "--late-hold", "1s", "--seed", std::to_string(seed)});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }

  // The whole warehouse expected after the ingest runs so far, computed by expected.sql.
  Snapshot expected() const {
    PostgresFixture::run_sql(
        source.url,
        "CREATE TABLE IF NOT EXISTS v.params (prev_run int, last_run int); TRUNCATE v.params; "
        "INSERT INTO v.params VALUES (0, " +
            std::to_string(ingest_runs) + ")");
    PostgresFixture::run_sql(source.url, read_text(golden_dir() + "/expected.sql"));
    Snapshot s;
    for (const auto& t : kTables) s[t] = sorted_rows(source.url, "SELECT * FROM out.\"" + t + "_text\"");
    return s;
  }
};

}  // namespace dwh::test::load_support
