// Cursor indexes: the job warns when a table has no index on its cursor column (incremental runs
// would scan it whole) and creates them only when asked, without changing what lands.
#include <gtest/gtest.h>

#include <string>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

ProcessResult dwh_ingest(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DWH_CLI_PATH, "ingest"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {});
}

std::string cursor_indexes(const std::string& url) {
  return PostgresFixture::query_value(
      url,
      "SELECT coalesce(string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname), '') "
      "FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
      "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0] WHERE a.attname = "
      "'last_updated'");
}

constexpr const char* kAllTables =
    "address:true,counterparty:true,currency:true,department:true,design:true,payment:true,payment_type:true,"
    "purchase_order:true,sales_order:true,staff:true,transaction:true";

TEST(IngestCursorIndex, WarnsPerTableWithoutIndexAndCreatesThemOnlyWhenAsked) {
  const auto db = make_totesys_source("ingest_cidx", 0.02);
  const std::string dir = make_temp_dir("ingest-cidx");
  const std::string landing = "file://" + dir;

  const auto first = dwh_ingest({"--source", db.url, "--landing", landing});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("no index on the cursor column"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("\"table\":\"sales_order\""), std::string::npos) << first.err;
  EXPECT_EQ(cursor_indexes(db.url), "") << "the job must not change the source schema unless asked";

  PostgresFixture::run_sql(db.url,
                           "UPDATE sales_order SET units_sold = units_sold + 1, "
                           "last_updated = now() AT TIME ZONE 'UTC' WHERE sales_order_id <= 5");
  const auto second = dwh_ingest({"--source", db.url, "--landing", landing, "--create-cursor-indexes"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("created cursor index"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("no index on the cursor column"), std::string::npos) << second.err;
  EXPECT_EQ(cursor_indexes(db.url), kAllTables);

  // With the indexes in place nothing is created again and nobody is warned.
  PostgresFixture::run_sql(db.url,
                           "UPDATE payment SET paid = NOT paid, "
                           "last_updated = now() AT TIME ZONE 'UTC' WHERE payment_id <= 3");
  const auto third = dwh_ingest({"--source", db.url, "--landing", landing, "--create-cursor-indexes"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.err.find("created cursor index"), std::string::npos) << third.err;
  EXPECT_EQ(third.err.find("no index on the cursor column"), std::string::npos) << third.err;

  // The runs on either side of the index creation still land every version exactly once.
  const auto landed = read_landing(landing);
  EXPECT_EQ(landed.manifests.size(), 3u);
  EXPECT_TRUE(duplicate_versions(landed).empty());
  EXPECT_TRUE(compare_with_source(db.url, landed).empty());
}

TEST(IngestCursorIndex, InvalidIndexFromAFailedBuildIsReplaced) {
  const auto db = make_totesys_source("ingest_cidx_invalid", 0.01);
  // What an interrupted CREATE INDEX CONCURRENTLY leaves behind: an index marked invalid.
  PostgresFixture::run_sql(db.url,
                           "CREATE INDEX dwh_currency_last_updated_idx ON currency (last_updated);"
                           "UPDATE pg_index SET indisvalid = false "
                           "WHERE indexrelid = 'dwh_currency_last_updated_idx'::regclass");
  const std::string landing = "file://" + make_temp_dir("ingest-cidx-invalid");
  const auto warn = dwh_ingest({"--source", db.url, "--landing", landing, "--tables", "currency"});
  ASSERT_EQ(warn.exit_code, 0) << warn.err;
  EXPECT_NE(warn.err.find("\"table\":\"currency\""), std::string::npos) << warn.err;
  const auto fix = dwh_ingest(
      {"--source", db.url, "--landing", landing, "--tables", "currency", "--create-cursor-indexes"});
  ASSERT_EQ(fix.exit_code, 0) << fix.err;
  EXPECT_EQ(cursor_indexes(db.url), "currency:true");
}

TEST(IngestCursorIndex, CreatingWithoutOwnershipFailsNamingTheTable) {
  const auto db = make_totesys_source("ingest_cidx_perm", 0.01);
  PostgresFixture::run_sql(
      db.url,
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cidx_reader') THEN "
      "CREATE ROLE cidx_reader LOGIN; END IF; END $$;"
      "GRANT SELECT ON ALL TABLES IN SCHEMA public TO cidx_reader");
  std::string url = db.url;
  url.replace(url.find("postgres@"), 9, "cidx_reader@");
  const std::string dir = make_temp_dir("ingest-cidx-perm");
  const auto r = dwh_ingest(
      {"--source", url, "--landing", "file://" + dir, "--tables", "design", "--create-cursor-indexes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("design.last_updated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("owner"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "_manifests"));
}

}  // namespace
}  // namespace dwh::test
