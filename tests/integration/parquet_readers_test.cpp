// Our Parquet files read back by independent readers (DuckDB and hyparquet) and by our reader.
#include <gtest/gtest.h>

#include <filesystem>

#include "duckdb_oracle.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

// The oracles themselves: a file DuckDB writes reads back the same through hyparquet, so a
// disagreement later points at our writer, not at the harness.
TEST(ParquetOracles, DuckdbAndHyparquetAgreeOnDuckdbsOwnFile) {
  const std::string dir = make_temp_dir("parquet-oracle");
  const std::string path = dir + "/duckdb.parquet";
  duckdb_query("COPY (SELECT 7::INT AS i, 'héllo' AS s, DATE '2024-02-29' AS d, "
               "TIMESTAMP '2024-01-02 03:04:05.123456' AS t, 12.34::DECIMAL(10,2) AS m "
               "UNION ALL SELECT NULL, '', NULL, NULL, NULL) TO " + sql_quote(path) + " (FORMAT parquet)");
  const auto rows = duckdb_query("SELECT * FROM read_parquet(" + sql_quote(path) + ") ORDER BY i NULLS LAST");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["i"], 7);
  EXPECT_EQ(rows[0]["s"], "héllo");
  EXPECT_EQ(rows[0]["d"], "2024-02-29");
  EXPECT_EQ(rows[0]["t"], "2024-01-02 03:04:05.123456");
  EXPECT_EQ(rows[0]["m"], "12.34");
  EXPECT_TRUE(rows[1]["i"].is_null());
  EXPECT_EQ(rows[1]["s"], "");

  const auto hy = hyparquet_read(path);
  ASSERT_EQ(hy["rows"].size(), 2u);
  EXPECT_EQ(hy["rows"][0]["s"], "héllo");
  EXPECT_EQ(hy["rows"][0]["d"], "2024-02-29");
  EXPECT_EQ(hy["rows"][0]["t"], "2024-01-02T03:04:05.123456");
  EXPECT_DOUBLE_EQ(hy["rows"][0]["m"].get<double>(), 12.34);
  EXPECT_TRUE(hy["rows"][1]["d"].is_null());
  EXPECT_EQ(hy["schema"][4]["logical_type"]["type"], "DECIMAL");
  std::filesystem::remove_all(dir);
}

TEST(ParquetOracles, ReportsAFailingQueryClearly) {
  try {
    duckdb_query("SELECT * FROM read_parquet('/nonexistent/x.parquet')");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("duckdb_query"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dwh::test
