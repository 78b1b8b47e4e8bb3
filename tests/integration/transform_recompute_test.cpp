// `dwh transform` on a generated source, recomputed by PostgreSQL: `dwh source generate`,
// `dwh ingest`, `dwh transform`; then `dwh source simulate` (new orders, amendments, settled
// payments, department and address changes, new staff, designs and counterparties), a second
// ingest and a second transform. Each transform run's Parquet, read back through DuckDB, must
// equal what tests/golden/transform/expected.sql computes in PostgreSQL from the source's row
// versions, which this test records itself (a copy of every table after each ingest), so the
// oracle never reads the landing or anything our engine wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"
#include "transform_oracle.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
using namespace transform_oracle;

const std::vector<std::pair<std::string, std::string>> kSources = {{"address", "address_id"},
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

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

// Records the row versions ingest run `run` landed: after run 1 every row; after a later run
// the rows whose (key, last_updated) no earlier run recorded. Valid because nothing writes
// between the ingest and this copy, and every change moves last_updated (docs/source-simulate.md).
void record_versions(const std::string& url, int run) {
  std::string sql = "CREATE SCHEMA IF NOT EXISTS v;";
  for (const auto& [table, key] : kSources) {
    if (run == 1) {
      sql += "CREATE TABLE v." + table + " AS SELECT t.*, 1 AS _run, row_number() OVER (ORDER BY " + key +
             ") AS _line FROM public." + table + " t;";
    } else {
      sql += "INSERT INTO v." + table + " SELECT t.*, " + std::to_string(run) +
             ", row_number() OVER (ORDER BY t." + key + ") FROM public." + table +
             " t WHERE NOT EXISTS (SELECT 1 FROM v." + table + " o WHERE o." + key + " = t." + key +
             " AND o.last_updated = t.last_updated);";
    }
  }
  PostgresFixture::run_sql(url, sql);
}

// The versions recorded for ingest run `run` are the ones it landed: the same count per table
// (the landing read back independently by ingest_landing.hpp).
void expect_recorded_as_landed(const std::string& url, const std::string& landing, int run) {
  const auto landed = read_landing(landing);
  ASSERT_EQ(landed.manifests.size(), static_cast<std::size_t>(run));
  std::map<std::string, long> counts;
  for (const auto& r : landed.rows) counts[r.table] += r.run_id == landed.manifests.back();
  for (const auto& [table, key] : kSources) {
    EXPECT_EQ(std::stol(PostgresFixture::query_value(
                  url, "SELECT count(*) FROM v." + table + " WHERE _run = " + std::to_string(run))),
              counts[table])
        << table << " in ingest run " << run;
  }
}

// expected.sql for a transform run that consumed ingest runs prev_run+1 .. last_run.
std::map<std::string, TableRows> expected_rows(const std::string& url, int prev_run, int last_run) {
  PostgresFixture::run_sql(
      url,
      "CREATE TABLE IF NOT EXISTS v.params (prev_run int, last_run int); TRUNCATE v.params; "
      "INSERT INTO v.params VALUES (" +
          std::to_string(prev_run) + ", " + std::to_string(last_run) + ")");
  PostgresFixture::run_sql(url, read_file(golden_dir() + "/expected.sql"));
  std::map<std::string, TableRows> out;
  for (const auto& table : kTables) {
    const auto result = PostgresFixture::run_sql(url, "SELECT * FROM out." + table + "_text");
    TableRows rows;
    std::vector<std::optional<std::string>> names;
    for (pqxx::row::size_type c = 0; c < result.columns(); ++c) names.emplace_back(result.column_name(c));
    rows.header = csv_line(names);
    for (const auto& r : result) {
      std::vector<std::optional<std::string>> fields;
      for (const auto& f : r)
        fields.push_back(f.is_null() ? std::nullopt : std::optional<std::string>(f.c_str()));
      rows.rows.push_back(csv_line(fields));
    }
    std::sort(rows.rows.begin(), rows.rows.end());
    out[table] = std::move(rows);
  }
  return out;
}

TEST(TransformRecompute, GeneratedSourceAndSimulatedChangesMatchPostgres) {
  auto& pg = PostgresFixture::instance();
  const auto db = make_totesys_source("transform_recompute", 0.1, 5);
  const std::string work = make_temp_dir("transform-recompute");
  const std::string landing = work + "/landing", processed = work + "/processed";
  fs::create_directories(landing);
  fs::create_directories(processed);
  const auto schema = read_schema(golden_dir() + "/expected/schema.csv");
  PostgresFixture::run_sql(db.url, "CREATE SCHEMA wh; SET search_path = wh; " +
                                       read_file(golden_dir() + "/totesys_warehouse.sql"));

  const auto env = pg.cli_environment(db.name, db.name);
  auto ingest = [&] {
    const auto r =
        run_process({DWH_CLI_PATH, "ingest", "--source", db.url, "--landing", "file://" + landing}, env);
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  };
  auto transform = [&]() -> std::string {
    const auto r =
        run_process({DWH_CLI_PATH, "transform", "--landing", "file://" + landing, "--processed",
                     "file://" + processed, "--model", std::string(DWH_SOURCE_DIR) + "/models/totesys"},
                    env);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    const auto runs = transform_runs(processed);
    return r.exit_code == 0 && !runs.empty() ? runs.back() : "";
  };

  ingest();
  record_versions(db.url, 1);
  expect_recorded_as_landed(db.url, "file://" + landing, 1);
  const std::string first = transform();
  ASSERT_FALSE(first.empty());
  const auto expected1 = expected_rows(db.url, 0, 1);
  EXPECT_GT(expected1.at("fact_sales_order").rows.size(), 1000u);  // scale 0.1: 1,118 orders
  const auto diff1 = compare_run(read_run(processed, first, schema), expected1);
  EXPECT_TRUE(diff1.empty()) << "first transform run, processed store " << processed << "\n" << diff1;

  const auto sim = run_process({DWH_CLI_PATH, "source", "simulate", "--url", db.url, "--rate", "60",
                                "--duration", "3s", "--late-hold", "1s", "--seed", "11"},
                               env);
  ASSERT_EQ(sim.exit_code, 0) << describe(sim);
  ingest();
  record_versions(db.url, 2);
  expect_recorded_as_landed(db.url, "file://" + landing, 2);
  // The workload must have produced the cases the rules are about, or this test proves less.
  EXPECT_GT(
      std::stoi(PostgresFixture::query_value(db.url,
                                             "SELECT count(*) FROM v.sales_order s WHERE _run = 2 AND "
                                             "EXISTS (SELECT 1 FROM v.sales_order o WHERE o._run = 1 AND "
                                             "o.sales_order_id = s.sales_order_id)")),
      0)
      << "no amended sales order";
  EXPECT_GT(
      std::stoi(PostgresFixture::query_value(db.url, "SELECT count(*) FROM v.department WHERE _run = 2")), 0)
      << "no department change";
  EXPECT_GT(std::stoi(PostgresFixture::query_value(db.url,
                                                   "SELECT count(*) FROM v.address a WHERE _run = 2 AND "
                                                   "EXISTS (SELECT 1 FROM v.address o WHERE o._run = 1 AND "
                                                   "o.address_id = a.address_id)")),
            0)
      << "no address change";

  const std::string second = transform();
  ASSERT_FALSE(second.empty());
  ASSERT_NE(second, first);
  const auto expected2 = expected_rows(db.url, 1, 2);
  for (const auto* table :
       {"fact_sales_order", "fact_payment", "dim_staff", "dim_location", "dim_counterparty", "dim_date"}) {
    EXPECT_FALSE(expected2.at(table).rows.empty()) << table << ": the second run has nothing to check";
  }
  const auto diff2 = compare_run(read_run(processed, second, schema), expected2);
  EXPECT_TRUE(diff2.empty()) << "second transform run, processed store " << processed << "\n" << diff2;
  if (!HasFailure()) fs::remove_all(work);
}

}  // namespace
}  // namespace dwh::test
