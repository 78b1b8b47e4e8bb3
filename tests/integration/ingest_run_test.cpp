// dwh ingest against a real PostgreSQL (the shared test cluster) and s3rver: full and
// incremental runs, late commits, file:// against s3://, and the content compared with the
// source by PostgreSQL itself.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "dwh/aws/s3.hpp"
#include "dwh/ingest/ingest.hpp"
#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"
#include "s3rver.hpp"

namespace dwh::test {
namespace {

ingest::IngestReport ingest(const std::string& source, const std::string& landing,
                            const aws::ClientOptions& s3 = {}) {
  ingest::IngestOptions o;
  o.source_url = source;
  o.landing_url = landing;
  o.s3_options = s3;
  o.chunk_bytes = 64 << 10;  // several chunks per table even at small scales
  auto r = ingest::run_ingest(o);
  if (!r) throw std::runtime_error("ingest failed: " + r.error().message);
  return std::move(r).value();
}

std::uint64_t rows_of(const ingest::IngestReport& r, const std::string& table) {
  for (const auto& t : r.tables) {
    if (t.table == table) return t.rows;
  }
  return 0;
}

TEST(IngestRun, FullThenIncrementalLandsEveryVersionOnce) {
  const auto db = make_totesys_source("ingest_inc", 0.2);
  const std::string landing = "file://" + make_temp_dir("ingest-inc");

  const auto first = ingest(db.url, landing);
  EXPECT_EQ(first.rows,
            std::stoull(PostgresFixture::query_value(
                db.url,
                "SELECT (SELECT count(*) FROM sales_order) + (SELECT count(*) FROM purchase_order) + "
                "(SELECT count(*) FROM payment) + (SELECT count(*) FROM transaction) + "
                "(SELECT count(*) FROM design) + (SELECT count(*) FROM staff) + "
                "(SELECT count(*) FROM address) + (SELECT count(*) FROM counterparty) + "
                "(SELECT count(*) FROM currency) + (SELECT count(*) FROM department) + "
                "(SELECT count(*) FROM payment_type)")));
  for (const auto& t : first.tables) EXPECT_EQ(t.mode, "full") << t.table;

  // Nothing changed: an empty manifest records it.
  const auto idle = ingest(db.url, landing);
  EXPECT_EQ(idle.rows, 0u);
  for (const auto& t : idle.tables) {
    EXPECT_EQ(t.mode, "incremental");
    EXPECT_TRUE(t.key.empty());
  }

  // Updates (a row changed twice between runs lands once, in its newest version) and inserts.
  PostgresFixture::run_sql(
      db.url,
      "UPDATE payment SET paid = true, last_updated = now() AT TIME ZONE 'UTC' WHERE payment_id <= 40;"
      "UPDATE payment SET payment_amount = payment_amount + 1, last_updated = now() AT TIME ZONE 'UTC' "
      "  + interval '1 ms' WHERE payment_id <= 10;"
      "INSERT INTO currency (currency_code, created_at, last_updated) "
      "  VALUES ('JPY', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')");
  const auto second = ingest(db.url, landing);
  EXPECT_EQ(rows_of(second, "payment"), 40u);
  EXPECT_EQ(rows_of(second, "currency"), 1u);
  EXPECT_EQ(second.rows, 41u);

  const auto landed = read_landing(landing);
  EXPECT_EQ(landed.manifests.size(), 3u);
  EXPECT_EQ(landed.objects, landed.referenced);
  EXPECT_TRUE(duplicate_versions(landed).empty());
  const auto diffs = compare_with_source(db.url, landed);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
}

// A transaction that began before a run and commits after it, with an older last_updated than
// rows the run saw: a `last_updated > max seen` watermark loses it; we must not.
TEST(IngestRun, LateCommitLandsInALaterRunExactlyOnce) {
  const auto db = make_totesys_source("ingest_late", 0.05);
  const std::string landing = "file://" + make_temp_dir("ingest-late");
  ingest(db.url, landing);

  pqxx::connection late_conn(db.url);
  pqxx::work late(late_conn);
  late.exec(
      "UPDATE department SET manager = 'Late Larry', last_updated = now() AT TIME ZONE 'UTC' WHERE "
      "department_id = 1");
  // Another writer commits a newer change while the first still holds its row.
  PostgresFixture::run_sql(
      db.url,
      "UPDATE department SET manager = 'Early Erin', last_updated = clock_timestamp() AT TIME ZONE 'UTC' "
      "  + interval '5 ms' WHERE department_id = 2");
  const auto during = ingest(db.url, landing);
  EXPECT_EQ(rows_of(during, "department"), 1u);
  late.commit();

  const auto after = ingest(db.url, landing);
  EXPECT_EQ(rows_of(after, "department"), 1u);
  const auto again = ingest(db.url, landing);
  EXPECT_EQ(again.rows, 0u);

  const auto landed = read_landing(landing);
  EXPECT_TRUE(duplicate_versions(landed).empty());
  const auto diffs = compare_with_source(db.url, landed);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
}

// All tables of a run come from one snapshot: an order and its transaction and payment,
// inserted together, land in the same run even when they commit while the run reads.
TEST(IngestRun, OrderAndItsTransactionLandTogether) {
  const auto db = make_totesys_source("ingest_snap", 0.05);
  const std::string landing = "file://" + make_temp_dir("ingest-snap");
  ingest(db.url, landing);
  for (int i = 0; i < 3; ++i) {
    PostgresFixture::run_sql(
        db.url,
        "WITH o AS (INSERT INTO sales_order (created_at, last_updated, design_id, staff_id, counterparty_id, "
        "units_sold, "
        "  unit_price, currency_id, agreed_delivery_date, agreed_payment_date, agreed_delivery_location_id) "
        "  SELECT now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', design_id, staff_id, counterparty_id, "
        "1000, 2.50, "
        "  currency_id, '2026-12-01', '2026-12-02', agreed_delivery_location_id FROM sales_order LIMIT 1 "
        "  RETURNING sales_order_id) "
        "INSERT INTO transaction (transaction_type, sales_order_id, created_at, last_updated) "
        "  SELECT 'SALE', sales_order_id, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC' FROM o");
    const auto r = ingest(db.url, landing);
    EXPECT_EQ(rows_of(r, "sales_order"), 1u);
    EXPECT_EQ(rows_of(r, "transaction"), 1u);
  }
}

TEST(IngestRun, FileAndS3StoresHoldTheSameRows) {
  auto& s3 = S3rver::instance();
  const auto db = make_totesys_source("ingest_s3", 0.2);
  const std::string bucket = unique_bucket("ingest");
  {
    auto client = aws::s3::Client::create(s3.client_options());
    ASSERT_TRUE(client) << client.error().message;
    ASSERT_TRUE((*client)->create_bucket(bucket));
  }
  const std::string file_url = "file://" + make_temp_dir("ingest-file");
  const std::string s3_url = "s3://" + bucket + "/landing/zone";
  ingest(db.url, file_url);
  ingest(db.url, s3_url, s3.client_options());
  PostgresFixture::run_sql(
      db.url,
      "UPDATE payment SET paid = true, last_updated = now() AT TIME ZONE 'UTC' WHERE payment_id % 7 = 0");
  ingest(db.url, file_url);
  ingest(db.url, s3_url, s3.client_options());

  const auto from_file = read_landing(file_url);
  const auto from_s3 = read_landing(s3_url, s3.client_options());
  EXPECT_EQ(from_file.rows.size(), from_s3.rows.size());
  EXPECT_EQ(newest_rows(from_file), newest_rows(from_s3));
  std::vector<std::string> all_file, all_s3;
  for (const auto& r : from_file.rows) all_file.push_back(r.table + r.row.dump());
  for (const auto& r : from_s3.rows) all_s3.push_back(r.table + r.row.dump());
  std::sort(all_file.begin(), all_file.end());
  std::sort(all_s3.begin(), all_s3.end());
  EXPECT_EQ(all_file, all_s3);
  EXPECT_TRUE(compare_with_source(db.url, from_s3).empty());
}

}  // namespace
}  // namespace dwh::test
