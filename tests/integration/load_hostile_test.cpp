// Hostile text round-trips exactly through the whole pipeline into the warehouse, with no SQL
// injection possible: quotes, backslashes (and COPY's own null marker \N as text), tabs,
// newlines, carriage returns, unicode and "'; DROP TABLE ...; --" in every source text column
// that reaches a warehouse text column.
#include <gtest/gtest.h>

#include "load_test_support.hpp"

namespace dwh::test {
namespace {

using namespace load_support;

// (table, key, text columns) of the source that land in warehouse text columns.
const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> kTextColumns = {
    {"address",
     "address_id",
     {"address_line_1", "address_line_2", "district", "city", "postal_code", "country", "phone"}},
    {"counterparty", "counterparty_id", {"counterparty_legal_name"}},
    {"department", "department_id", {"department_name", "location"}},
    {"design", "design_id", {"design_name", "file_location", "file_name"}},
    {"staff", "staff_id", {"first_name", "last_name", "email_address"}},
    {"purchase_order", "purchase_order_id", {"item_code"}},
};

TEST(LoadHostile, HostileTextInEveryColumnRoundTripsExactly) {
  auto p = Pipeline::make("load_hostile");
  // Values chosen by row, so every column gets every kind. chr() keeps the control characters
  // out of this file's string literals.
  const std::string values =
      "ARRAY['''; DROP TABLE dim_staff; --', 'O''Brien \"the\" \\back\\\\slash\\', "
      "'tab' || chr(9) || 'new' || chr(10) || 'line' || chr(13) || 'cr', '\\N', "
      "'Zoë Nguyễn — 東京 🚀 Ströman', ' leading and trailing ', '\\.', 'a' || chr(9) || '\\N' || chr(10)]";
  std::string sql;
  for (const auto& [table, key, cols] : kTextColumns) {
    std::string set;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      set += (set.empty() ? "" : ", ") + cols[i] + " = (" + values + ")[1 + ((t." + key + " + " +
             std::to_string(i) + ") % 8)]";
    }
    sql += "UPDATE " + table + " t SET " + set + ";";
  }
  PostgresFixture::run_sql(p.source.url, sql);
  p.ingest();
  p.transform();
  p.init_warehouse();
  const auto r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(diff(p.expected(), warehouse_snapshot(p.warehouse.url)), "");
  // The comparison is not vacuous: the hostile values are there, byte for byte.
  const auto& wh = p.warehouse.url;
  EXPECT_GT(std::stoi(PostgresFixture::query_value(
                wh, "SELECT count(*) FROM dim_staff WHERE first_name = '''; DROP TABLE dim_staff; --'")),
            0);
  EXPECT_GT(std::stoi(PostgresFixture::query_value(
                wh, "SELECT count(*) FROM dim_design WHERE design_name = '\\N'")),
            0);
  EXPECT_GT(
      std::stoi(PostgresFixture::query_value(
          wh,
          "SELECT count(*) FROM dim_location WHERE city = 'tab' || chr(9) || 'new' || chr(10) || 'line' || "
          "chr(13) || 'cr'")),
      0);
  EXPECT_GT(
      std::stoi(PostgresFixture::query_value(wh,
                                             "SELECT count(*) FROM dim_counterparty WHERE "
                                             "counterparty_legal_name = 'Zoë Nguyễn — 東京 🚀 Ströman'")),
      0);
  EXPECT_GT(
      std::stoi(PostgresFixture::query_value(wh,
                                             "SELECT count(*) FROM fact_purchase_order WHERE item_code = "
                                             "'O''Brien \"the\" \\back\\\\slash\\'")),
      0);
  EXPECT_EQ(
      PostgresFixture::query_value(wh, "SELECT count(*) FROM dim_location WHERE address_line_2 IS NULL"),
      PostgresFixture::query_value(p.source.url,
                                   "SELECT count(*) FROM address WHERE address_line_2 IS NULL"));
  if (!HasFailure()) fs::remove_all(p.work);
}

}  // namespace
}  // namespace dwh::test
