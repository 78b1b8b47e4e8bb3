// The shared test cluster itself: it runs, is fast to reach, and gives isolated databases.
#include "postgres_fixture.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace dwh::test {
namespace {

TEST(PostgresFixture, HasTheLocalDatabasesAndAnswers) {
  auto& pg = PostgresFixture::instance();
  EXPECT_EQ(PostgresFixture::query_value(pg.url("totesys"), "SELECT current_database()"), "totesys");
  EXPECT_EQ(PostgresFixture::query_value(pg.url("warehouse"), "SELECT current_database()"), "warehouse");
  EXPECT_EQ(PostgresFixture::query_value(pg.url(), "SHOW server_version_num").substr(0, 2), "15");
  // Throwaway settings are in force.
  EXPECT_EQ(PostgresFixture::query_value(pg.url(), "SHOW fsync"), "off");
  EXPECT_EQ(PostgresFixture::query_value(pg.url(), "SHOW listen_addresses"), "127.0.0.1");
  EXPECT_EQ(PostgresFixture::query_value(pg.url(), "SHOW unix_socket_directories"),
            pg.info().data_dir.string());
}

TEST(PostgresFixture, CreateDatabaseGivesFreshIsolatedDatabases) {
  auto& pg = PostgresFixture::instance();
  const auto a = pg.create_database("Fixture Test");
  const auto b = pg.create_database("Fixture Test");
  EXPECT_NE(a.name, b.name);
  EXPECT_EQ(a.name.rfind("fixture_test_", 0), 0u) << a.name;
  PostgresFixture::run_sql(a.url, "CREATE TABLE t (x int); INSERT INTO t VALUES (1), (2)");
  EXPECT_EQ(PostgresFixture::query_value(a.url, "SELECT sum(x) FROM t"), "3");
  EXPECT_EQ(PostgresFixture::query_value(b.url, "SELECT count(*) FROM pg_tables WHERE tablename = 't'"), "0");
  pg.drop_database(a.name);
  EXPECT_EQ(PostgresFixture::query_value(pg.url(),
                                         "SELECT count(*) FROM pg_database WHERE datname = '" + a.name + "'"),
            "0");
}

}  // namespace
}  // namespace dwh::test
