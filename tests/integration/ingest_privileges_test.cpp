// An ingest role without pg_read_all_stats cannot see when other roles' transactions began, so
// it must not advance the cursor floor past them: a transaction of another role that is open
// during run k and commits afterwards, with an older last_updated, still lands in run k+1.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

TEST(IngestPrivileges, OtherRolesOpenTransactionHoldsTheFloorAndItsLateCommitLands) {
  const auto db = make_totesys_source("ingest_priv", 0.01);
  PostgresFixture::run_sql(
      db.url,
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_plain') THEN "
      "CREATE ROLE ingest_plain LOGIN; END IF; END $$;"
      "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ingest_plain");
  std::string plain = db.url;
  plain.replace(plain.find("postgres@"), 9, "ingest_plain@");
  const std::string landing = "file://" + make_temp_dir("ingest-priv");
  auto ingest = [&] {
    return run_process({DWH_CLI_PATH, "ingest", "--source", plain, "--landing", landing});
  };
  const auto full = ingest();
  ASSERT_EQ(full.exit_code, 0) << full.err;

  // The superuser (another role) changes an order and keeps the transaction open.
  pqxx::connection writer(db.url);
  pqxx::work tx(writer);
  tx.exec(
      "UPDATE sales_order SET units_sold = 4242, last_updated = now() AT TIME ZONE 'UTC' WHERE "
      "sales_order_id = 7");

  const auto during = ingest();
  ASSERT_EQ(during.exit_code, 0) << during.err;
  EXPECT_NE(during.err.find("cannot see the transactions of other users"), std::string::npos)
      << during.err << "\nACTIVITY "
      << PostgresFixture::query_value(db.url,
                                      "SELECT string_agg(concat_ws(',', pid, datid, usesysid, backend_type, "
                                      "state), ';') FROM pg_stat_activity");

  tx.commit();
  const auto after = ingest();
  ASSERT_EQ(after.exit_code, 0) << after.err;
  const auto landed = read_landing(landing);
  int versions = 0;
  for (const auto& r : landed.rows) {
    if (r.table == "sales_order" && r.row.at("sales_order_id") == 7 && r.row.at("units_sold") == 4242)
      ++versions;
  }
  EXPECT_EQ(versions, 1) << "the late commit must land exactly once";
  EXPECT_TRUE(duplicate_versions(landed).empty());
  const auto diffs = compare_with_source(db.url, landed);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
}

}  // namespace
}  // namespace dwh::test
