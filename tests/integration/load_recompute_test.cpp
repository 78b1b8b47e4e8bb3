// `dwh load` after a real pipeline equals a recomputation in SQL from the source: a full load,
// then an incremental one after `dwh source simulate` (amended orders, settled payments,
// department and address changes, new rows), each compared on every row of all 11 tables
// (facts: one row per landed version; dims: the latest version), surrogate keys left out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dwh/aws/s3.hpp"
#include "load_test_support.hpp"
#include "s3rver.hpp"

namespace dwh::test {
namespace {

using namespace load_support;

TEST(LoadRecompute, FullThenIncrementalLoadsEqualTheSourceRecomputedInSql) {
  auto p = Pipeline::make("load_recompute");
  p.ingest();
  p.transform();
  p.init_warehouse();
  auto r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("loaded").size(), 1u) << r.out;
  const auto first = p.expected();
  EXPECT_GT(first.at("fact_sales_order").size(), 10u);
  EXPECT_EQ(diff(first, warehouse_snapshot(p.warehouse.url)), "") << "after the full load";

  p.simulate(11);
  p.ingest();
  p.transform();
  r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report.at("loaded").size(), 1u) << r.out;
  const auto second = p.expected();
  // The simulation must have made history, or the incremental comparison proves less.
  EXPECT_GT(second.at("fact_sales_order").size(), first.at("fact_sales_order").size());
  EXPECT_GT(std::stoi(PostgresFixture::query_value(
                p.warehouse.url,
                "SELECT count(*) FROM (SELECT sales_order_id FROM fact_sales_order GROUP BY 1 "
                "HAVING count(*) > 1) x")),
            0)
      << "no amended sales order reached the warehouse";
  EXPECT_EQ(diff(second, warehouse_snapshot(p.warehouse.url)), "") << "after the incremental load";
  EXPECT_EQ(loaded_runs(p.warehouse.url).size(), 2u);

  // Nothing new: a third run loads nothing and changes nothing.
  const auto before = warehouse_snapshot(p.warehouse.url);
  r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("status"), "nothing new") << r.out;
  EXPECT_EQ(diff(before, warehouse_snapshot(p.warehouse.url)), "");
  if (!HasFailure()) fs::remove_all(p.work);
}

// The processed zone on S3 (the local S3 server): transform writes it, load reads it.
TEST(LoadRecompute, FromAnS3ProcessedStore) {
  auto& s3 = S3rver::instance();
  auto p = Pipeline::make("load_s3");
  const std::string bucket = unique_bucket("load");
  {
    auto client = aws::s3::Client::create(s3.client_options());
    ASSERT_TRUE(client) << client.error().message;
    ASSERT_TRUE((*client)->create_bucket(bucket));
  }
  for (const auto& [k, v] : s3.cli_environment()) p.env[k] = v;
  p.processed = "s3://" + bucket + "/processed/zone";
  p.ingest();
  p.transform();
  p.init_warehouse();
  const auto r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("loaded").size(), 1u) << r.out;
  EXPECT_EQ(diff(p.expected(), warehouse_snapshot(p.warehouse.url)), "");
}

// Objects are read by row group, never whole: with row groups of 500 rows on S3, every byte of
// every object is read exactly once, and no single read is near an object's size.
TEST(LoadRecompute, ObjectsAreReadByRowGroupFromS3) {
  auto& s3 = S3rver::instance();
  auto p = Pipeline::make("load_groups", 0.2);
  const std::string bucket = unique_bucket("groups");
  auto client = aws::s3::Client::create(s3.client_options());
  ASSERT_TRUE(client) << client.error().message;
  ASSERT_TRUE((*client)->create_bucket(bucket));
  for (const auto& [k, v] : s3.cli_environment()) p.env[k] = v;
  p.processed = "s3://" + bucket + "/processed";
  p.ingest();
  p.transform({"--row-group-rows", "500"});
  p.init_warehouse();
  const auto r = p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto loaded = nlohmann::json::parse(r.out).at("loaded");
  ASSERT_EQ(loaded.size(), 1u) << r.out;

  auto listed = (*client)->list_all_objects(bucket, "processed/");
  ASSERT_TRUE(listed) << listed.error().message;
  std::uint64_t parquet_bytes = 0, largest_object = 0;
  for (const auto& o : listed->objects) {
    if (o.key.size() < 8 || o.key.substr(o.key.size() - 8) != ".parquet") continue;
    parquet_bytes += o.size;
    largest_object = std::max<std::uint64_t>(largest_object, o.size);
  }
  const auto fact_rows = loaded[0].at("staged").at("fact_sales_order").get<std::uint64_t>();
  ASSERT_GT(fact_rows, 1500u) << "fact_sales_order must span several row groups";
  EXPECT_EQ(loaded[0].at("bytes_read").get<std::uint64_t>(), parquet_bytes) << r.out;
  EXPECT_LT(loaded[0].at("largest_read_bytes").get<std::uint64_t>(), largest_object / 2) << r.out;
  EXPECT_EQ(diff(p.expected(), warehouse_snapshot(p.warehouse.url)), "");
}

}  // namespace
}  // namespace dwh::test
