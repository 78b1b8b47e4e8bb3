// dwh transform run after run on a landing made by the real ingest from a real PostgreSQL: a full
// run, then a department rename, an address change, a sales order amendment and a payment
// settled. The second run's Parquet (read back by DuckDB) must follow the re-emit and history
// rules; a third run finds nothing new.
#include <gtest/gtest.h>

#include "transform_test_support.hpp"

namespace dwh::test {
namespace {

using namespace transform_support;
using nlohmann::json;

std::string q(const std::string& url, const std::string& sql) {
  return PostgresFixture::query_value(url, sql);
}

json rows_of_run(const std::string& processed_dir, const transform::TransformReport& r,
                 const std::string& table, const std::string& order_by = "ALL") {
  const auto& t = table_of(r, table);
  if (t.key.empty()) return json::array();
  return parquet_rows(processed_dir + "/" + t.key, order_by);
}

TEST(TransformIncremental, ReemitsDimensionsAndKeepsFactHistory) {
  const auto db = make_totesys_source("tr_incr", 0.05);
  const std::string landing = "file://" + make_temp_dir("tr-incr-landing");
  const std::string processed = "file://" + make_temp_dir("tr-incr-processed");
  const std::string pdir = dir_of(processed);
  ingest(db.url, landing);

  auto first = transform(landing, processed);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->nothing_new);
  EXPECT_EQ(first->consumed.size(), 1u);
  // A full run: every source row once, every fact version, a calendar over every referenced date.
  EXPECT_EQ(table_of(*first, "dim_staff").rows, std::stoull(q(db.url, "SELECT count(*) FROM staff")));
  EXPECT_EQ(table_of(*first, "dim_location").rows, std::stoull(q(db.url, "SELECT count(*) FROM address")));
  EXPECT_EQ(table_of(*first, "dim_counterparty").rows,
            std::stoull(q(db.url, "SELECT count(*) FROM counterparty")));
  EXPECT_EQ(table_of(*first, "dim_transaction").rows,
            std::stoull(q(db.url, "SELECT count(*) FROM transaction")));
  EXPECT_EQ(table_of(*first, "fact_sales_order").rows,
            std::stoull(q(db.url, "SELECT count(*) FROM sales_order")));
  EXPECT_EQ(table_of(*first, "fact_payment").rows, std::stoull(q(db.url, "SELECT count(*) FROM payment")));
  const std::string date_span =
      "WITH d AS (SELECT created_at::date AS d FROM sales_order UNION ALL SELECT last_updated::date FROM "
      "sales_order "
      "UNION ALL SELECT agreed_payment_date::date FROM sales_order UNION ALL SELECT "
      "agreed_delivery_date::date FROM sales_order "
      "UNION ALL SELECT created_at::date FROM purchase_order UNION ALL SELECT last_updated::date FROM "
      "purchase_order "
      "UNION ALL SELECT agreed_payment_date::date FROM purchase_order UNION ALL SELECT "
      "agreed_delivery_date::date FROM purchase_order "
      "UNION ALL SELECT created_at::date FROM payment UNION ALL SELECT last_updated::date FROM payment "
      "UNION ALL SELECT payment_date::date FROM payment) ";
  EXPECT_EQ(table_of(*first, "dim_date").rows,
            std::stoull(q(db.url, date_span + "SELECT max(d) - min(d) + 1 FROM d")));
  EXPECT_EQ(first->calendar_min, q(db.url, date_span + "SELECT min(d)::text FROM d"));

  // The department with the most staff, the address with the most counterparties, an order, an
  // unpaid payment.
  const std::string dept =
      q(db.url, "SELECT department_id FROM staff GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
  const std::string addr =
      q(db.url, "SELECT legal_address_id FROM counterparty GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
  const std::string order = q(db.url, "SELECT min(sales_order_id) FROM sales_order");
  const std::string payment = q(db.url, "SELECT min(payment_id) FROM payment WHERE NOT paid");
  const std::string staff_in_dept = q(db.url, "SELECT count(*) FROM staff WHERE department_id = " + dept);
  const std::string cps_on_addr =
      q(db.url, "SELECT count(*) FROM counterparty WHERE legal_address_id = " + addr);
  ASSERT_GE(std::stoi(staff_in_dept), 2);
  PostgresFixture::run_sql(
      db.url,
      "UPDATE department SET department_name = 'Renamed Department', last_updated = now() AT TIME ZONE 'UTC' "
      "WHERE department_id = " +
          dept +
          ";"
          "UPDATE address SET phone = '0000 000000', last_updated = now() AT TIME ZONE 'UTC' WHERE "
          "address_id = " +
          addr +
          ";"
          "UPDATE sales_order SET units_sold = units_sold + 7, last_updated = now() AT TIME ZONE 'UTC' "
          "WHERE sales_order_id = " +
          order +
          ";"
          "UPDATE payment SET paid = true, last_updated = now() AT TIME ZONE 'UTC' WHERE payment_id = " +
          payment);
  ingest(db.url, landing);

  auto second = transform(landing, processed);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->consumed.size(), 1u);

  // dim_staff: exactly the staff of the renamed department, with the new name.
  const json staff = rows_of_run(pdir, *second, "dim_staff");
  ASSERT_EQ(staff.size(), std::stoull(staff_in_dept));
  for (const auto& s : staff) EXPECT_EQ(s.at("department_name"), "Renamed Department");
  EXPECT_EQ(
      q(db.url,
        "SELECT string_agg(staff_id::text, ',' ORDER BY staff_id) FROM staff WHERE department_id = " + dept),
      [&] {
        std::string ids;
        for (const auto& s : rows_of_run(pdir, *second, "dim_staff", "staff_id")) {
          ids += (ids.empty() ? "" : ",") + s.at("staff_id").dump();
        }
        return ids;
      }());

  // The address: dim_location re-emitted, and every counterparty on it.
  const json location = rows_of_run(pdir, *second, "dim_location");
  ASSERT_EQ(location.size(), 1u);
  EXPECT_EQ(location[0].at("location_id").dump(), addr);
  EXPECT_EQ(location[0].at("phone"), "0000 000000");
  const json cps = rows_of_run(pdir, *second, "dim_counterparty");
  ASSERT_EQ(cps.size(), std::stoull(cps_on_addr));
  for (const auto& c : cps) EXPECT_EQ(c.at("counterparty_legal_phone_number"), "0000 000000");

  // Facts: one new version each; with the first run's, the amended order has two rows.
  const json orders = rows_of_run(pdir, *second, "fact_sales_order");
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].at("sales_order_id").dump(), order);
  EXPECT_EQ(orders[0].at("units_sold").dump(),
            q(db.url, "SELECT units_sold FROM sales_order WHERE sales_order_id = " + order));
  const json history =
      duckdb_query("SELECT units_sold FROM read_parquet([" +
                   sql_quote(pdir + "/" + table_of(*first, "fact_sales_order").key) + ", " +
                   sql_quote(pdir + "/" + table_of(*second, "fact_sales_order").key) +
                   "]) WHERE sales_order_id = " + order + " ORDER BY last_updated_date, last_updated_time");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].at("units_sold").get<long>() - history[0].at("units_sold").get<long>(), 7);
  const json payments = rows_of_run(pdir, *second, "fact_payment");
  ASSERT_EQ(payments.size(), 1u);
  EXPECT_EQ(payments[0].at("payment_id").dump(), payment);
  EXPECT_EQ(payments[0].at("paid"), true);

  // Tables without changes write nothing; the calendar grows to today's date and no further.
  EXPECT_TRUE(table_of(*second, "dim_transaction").key.empty());
  EXPECT_TRUE(table_of(*second, "dim_design").key.empty());
  EXPECT_EQ(second->calendar_max, q(db.url, "SELECT (now() AT TIME ZONE 'UTC')::date::text"));
  const json dates = duckdb_query("SELECT count(*) AS n, count(DISTINCT date_id) AS d FROM read_parquet([" +
                                  sql_quote(pdir + "/" + table_of(*first, "dim_date").key) + ", " +
                                  sql_quote(pdir + "/" + table_of(*second, "dim_date").key) + "])");
  EXPECT_EQ(dates[0].at("n"), dates[0].at("d"));  // each date once over the history

  // Nothing new: no manifest, exit 0 through the CLI, the report says so.
  const auto idle = run_process(
      {DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed, "--model", model_dir()});
  EXPECT_EQ(idle.exit_code, 0) << idle.err;
  EXPECT_EQ(json::parse(idle.out).at("status"), "nothing new");
  auto store = stores::open_store(processed);
  ASSERT_TRUE(store);
  EXPECT_EQ(manifests(**store).size(), 2u);
  EXPECT_EQ(data_objects(**store), referenced_objects(**store));
}

// Several ingest runs consumed at once give the same dimensions as one at a time (the latest
// version of every key, once), and every fact version.
TEST(TransformIncremental, PendingRunsConsumedTogetherMatchOneAtATime) {
  const auto db = make_totesys_source("tr_multi", 0.03);
  const std::string landing = "file://" + make_temp_dir("tr-multi-landing");
  const std::string stepwise = "file://" + make_temp_dir("tr-multi-step");
  const std::string together = "file://" + make_temp_dir("tr-multi-all");
  ingest(db.url, landing);
  ASSERT_TRUE(transform(landing, stepwise));
  for (int i = 0; i < 2; ++i) {
    PostgresFixture::run_sql(
        db.url,
        "UPDATE department SET manager = 'M" + std::to_string(i) +
            "', last_updated = now() AT TIME ZONE 'UTC' WHERE department_id = 1;"
            "UPDATE design SET design_name = 'D" +
            std::to_string(i) +
            "', last_updated = now() AT TIME ZONE 'UTC' WHERE design_id IN (SELECT design_id FROM design "
            "ORDER BY 1 LIMIT 3);"
            "UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC' "
            "WHERE sales_order_id IN (SELECT sales_order_id FROM sales_order ORDER BY 1 LIMIT 5)");
    ingest(db.url, landing);
    ASSERT_TRUE(transform(landing, stepwise));
  }
  auto all = transform(landing, together);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->consumed.size(), 3u);
  // Facts: every version, the same rows as the three runs together.
  EXPECT_EQ(committed_rows(together, "fact_sales_order"), committed_rows(stepwise, "fact_sales_order"));
  EXPECT_EQ(table_of(*all, "fact_sales_order").rows,
            std::stoull(q(db.url, "SELECT count(*) FROM sales_order")) + 10);
  // Dimensions: the newest version of each key equals the source, once.
  const json designs = parquet_rows(dir_of(together) + "/" + table_of(*all, "dim_design").key, "design_id");
  EXPECT_EQ(designs.size(), std::stoull(q(db.url, "SELECT count(*) FROM design")));
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(designs[i].at("design_name"), "D1");
  EXPECT_EQ(committed_rows(together, "dim_date"), committed_rows(stepwise, "dim_date"));
}

}  // namespace
}  // namespace dwh::test
