// `dwh source init|generate` through the real binary: the happy path, and bad input getting a
// clear message and exit code 2 (negative scale, unreachable server, malformed URL, a database
// holding another schema).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

constexpr int kBadInput = 2;

// The database comes from DWH_SOURCE_URL; no local-cluster state is looked up (--dir is empty).
ProcessResult dwh(const std::vector<std::string>& args, const std::string& source_url) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--dir");
  argv.push_back(make_temp_dir("source-cli"));
  return run_process(
      argv, {{"DWH_SOURCE_URL", source_url}, {"DWH_WAREHOUSE_URL", kUnsetEnv}, {"DWH_LOG_LEVEL", "warn"}});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SourceCli, InitThenGenerate) {
  const auto db = PostgresFixture::instance().create_database("cli_ok");
  auto r = dwh({"source", "init"}, db.url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "totesys schema created")) << r.out;
  r = dwh({"source", "init"}, db.url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "already initialised")) << r.out;

  r = dwh({"source", "generate", "--scale", "0.05", "--seed", "3"}, db.url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "sales_order")) << r.out;
  EXPECT_TRUE(contains(r.out, "rows/s")) << r.out;
  EXPECT_EQ(PostgresFixture::query_value(db.url, "SELECT count(*) FROM sales_order"), "559");  // 11187 * 0.05

  r = dwh({"source", "generate", "--scale", "0.05"}, db.url);
  EXPECT_EQ(r.exit_code, kBadInput) << r.out;
  EXPECT_TRUE(contains(r.err, "--replace")) << r.err;
  r = dwh({"source", "generate", "--scale=0.02", "--replace"}, db.url);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PostgresFixture::query_value(db.url, "SELECT count(*) FROM sales_order"), "224");
}

TEST(SourceCli, BadScalesAreUsageErrors) {
  const auto db = PostgresFixture::instance().create_database("cli_scale");
  for (const std::string scale : {"--scale=-1", "--scale=0", "--scale=abc", "--scale=1e9", "--scale=nan"}) {
    auto r = dwh({"source", "generate", scale}, db.url);
    EXPECT_EQ(r.exit_code, kBadInput) << scale << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "--scale")) << scale << ": " << r.err;
  }
  auto r = dwh({"source", "generate", "--scale", "-2"}, db.url);
  EXPECT_EQ(r.exit_code, kBadInput) << r.err;
  // Nothing was touched: the database was never initialised.
  EXPECT_EQ(
      PostgresFixture::query_value(db.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
      "0");
}

TEST(SourceCli, UnreachableServer) {
  const std::string url = "postgresql://postgres@127.0.0.1:" + std::to_string(free_port()) + "/totesys";
  for (const char* command : {"init", "generate"}) {
    auto r = dwh({"source", command}, url);
    EXPECT_EQ(r.exit_code, kBadInput) << command << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST(SourceCli, MalformedUrl) {
  for (const std::string url : {"postgresql://postgres@127.0.0.1:99999/totesys", "mysql://localhost/totesys",
                                "postgresql://[::1/totesys"}) {
    auto r = dwh({"source", "init"}, url);
    EXPECT_EQ(r.exit_code, kBadInput) << url << ": " << r.err;
    EXPECT_FALSE(r.err.empty()) << url;
  }
  // --url wins over the environment, and is checked the same way.
  auto r = run_process(
      {DWH_CLI_PATH, "source", "generate", "--url", "not a url", "--dir", make_temp_dir("source-cli")},
      {{"DWH_SOURCE_URL", kUnsetEnv}});
  EXPECT_EQ(r.exit_code, kBadInput) << r.err;
}

TEST(SourceCli, DatabaseHoldingAnotherSchema) {
  const auto db = PostgresFixture::instance().create_database("cli_other");
  PostgresFixture::run_sql(db.url,
                           "CREATE TABLE sales_order (sales_order_id bigint PRIMARY KEY, units_sold int)");
  auto r = dwh({"source", "init"}, db.url);
  EXPECT_EQ(r.exit_code, kBadInput) << r.err;
  EXPECT_TRUE(contains(r.err, "sales_order column sales_order_id: type is bigint, expected integer"))
      << r.err;
  r = dwh({"source", "generate", "--scale", "0.01", "--replace"}, db.url);
  EXPECT_EQ(r.exit_code, kBadInput) << r.err;
  EXPECT_TRUE(contains(r.err, "sales_order")) << r.err;
  EXPECT_EQ(
      PostgresFixture::query_value(db.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
      "1");
}

}  // namespace
}  // namespace dwh::test
