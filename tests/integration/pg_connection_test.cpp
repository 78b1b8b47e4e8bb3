// dwh::pg::Connection against a real PostgreSQL 15: errors keep their SQLSTATE, COPY in and out
// carry bytes unchanged, and no error shows a password.
#include <gtest/gtest.h>

#include <string>

#include "dwh/pg/connection.hpp"
#include "postgres_fixture.hpp"

namespace dwh::test {
namespace {

std::unique_ptr<pg::Connection> open_or_fail(const std::string& url) {
  auto c = pg::Connection::open(url, {std::chrono::seconds(5), "dwh test"});
  if (!c) throw std::runtime_error(c.error().code + ": " + c.error().message);
  return std::move(c).value();
}

TEST(PgConnection, QueryReturnsTextRowsWithNullsAndExecCountsRows) {
  const auto db = PostgresFixture::instance().create_database("pgconn_rows");
  auto c = open_or_fail(db.url);
  auto rows = c->query("SELECT 1, NULL::text, 'it''s', current_setting('application_name')");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const pg::Row& r = (*rows)[0];
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0], "1");
  EXPECT_FALSE(r[1].has_value());
  EXPECT_EQ(r[2], "it's");
  EXPECT_EQ(r[3], "dwh test");

  ASSERT_TRUE(c->exec("CREATE TABLE t (x int)"));
  auto inserted = c->exec("INSERT INTO t SELECT generate_series(1, 3)");
  ASSERT_TRUE(inserted) << inserted.error().message;
  EXPECT_EQ(*inserted, 3u);
}

TEST(PgConnection, ErrorsKeepTheirSqlstateAndTheConnectionStaysUsable) {
  const auto db = PostgresFixture::instance().create_database("pgconn_errors");
  auto c = open_or_fail(db.url);

  auto missing = c->query("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "42P01");  // undefined_table
  EXPECT_TRUE(pg::is_connection_error_code(missing.error().code));
  EXPECT_NE(missing.error().message.find("query failed (SELECT * FROM no_such_table)"), std::string::npos)
      << missing.error().message;
  EXPECT_NE(missing.error().message.find("relation \"no_such_table\" does not exist"), std::string::npos)
      << missing.error().message;

  EXPECT_EQ(missing.error().kind(), ErrorKind::Permanent);

  auto syntax = c->exec("SELEC 1");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().code, "42601");  // syntax_error

  auto again = c->query("SELECT 2");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)[0][0], "2");
}

// A lock wait that times out is worth retrying; the kind survives a job renaming the code.
TEST(PgConnection, ALockTimeoutIsTransient) {
  const auto db = PostgresFixture::instance().create_database("pgconn_lock");
  auto holder = open_or_fail(db.url);
  auto waiter = open_or_fail(db.url);
  ASSERT_TRUE(holder->exec("CREATE TABLE t (x int)"));
  ASSERT_TRUE(holder->exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE"));
  ASSERT_TRUE(waiter->exec("SET lock_timeout = '50ms'"));
  auto blocked = waiter->query("SELECT * FROM t");
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().code, "55P03");  // lock_not_available
  Error renamed = blocked.error();
  renamed.code = "WarehouseError";
  EXPECT_EQ(renamed.kind(), ErrorKind::Transient);
  ASSERT_TRUE(holder->exec("ROLLBACK"));
}

TEST(PgConnection, SqlstateClassesDecideTheKind) {
  EXPECT_EQ(pg::sqlstate_kind("08006"), ErrorKind::Transient);  // connection_failure
  EXPECT_EQ(pg::sqlstate_kind("40P01"), ErrorKind::Transient);  // deadlock_detected
  EXPECT_EQ(pg::sqlstate_kind("53300"), ErrorKind::Transient);  // too_many_connections
  EXPECT_EQ(pg::sqlstate_kind("28P01"), ErrorKind::BadInput);   // invalid_password
  EXPECT_EQ(pg::sqlstate_kind("3D000"), ErrorKind::BadInput);   // invalid_catalog_name
  EXPECT_EQ(pg::sqlstate_kind("23505"), ErrorKind::Permanent);  // unique_violation
  EXPECT_EQ(pg::sqlstate_kind("42501"), ErrorKind::Permanent);  // insufficient_privilege
}

TEST(PgConnection, InsufficientPrivilegeIs42501) {
  auto& cluster = PostgresFixture::instance();
  const auto db = cluster.create_database("pgconn_priv");
  PostgresFixture::run_sql(db.url,
                           "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgconn_reader') "
                           "THEN CREATE ROLE pgconn_reader LOGIN; END IF; END $$;"
                           "CREATE TABLE secret (x int)");
  std::string url = db.url;
  url.replace(url.find("postgres@"), 9, "pgconn_reader@");
  auto c = open_or_fail(url);
  auto denied = c->query("SELECT * FROM secret");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, "42501");
}

TEST(PgConnection, CopyInThenCopyOutRoundTripsBytes) {
  const auto db = PostgresFixture::instance().create_database("pgconn_copy");
  auto c = open_or_fail(db.url);
  ASSERT_TRUE(c->exec("CREATE TABLE t (id int PRIMARY KEY, s text, b bytea)"));

  // COPY text in the server's own output form, so what comes back must be byte-identical:
  // escapes for tab, newline and backslash, NULL, UTF-8, bytea in hex.
  std::string data = "1\tcaf\xc3\xa9\t\\\\x00ff\n2\ttab\\there\\nnew\\\\line\t\\N\n3\t\\N\t\\\\x\n";
  for (int i = 4; i <= 20000; ++i) data += std::to_string(i) + "\trow " + std::to_string(i) + "\t\\\\x2a\n";

  ASSERT_TRUE(c->begin_copy_in("COPY t FROM STDIN"));
  // Uneven pieces: a row may straddle two puts.
  for (std::size_t at = 0; at < data.size(); at += 7777) {
    auto put = c->put_copy_data(std::string_view(data).substr(at, 7777));
    ASSERT_TRUE(put) << put.error().message;
  }
  auto copied = c->end_copy_in();
  ASSERT_TRUE(copied) << copied.error().message;
  EXPECT_EQ(*copied, 20000u);

  ASSERT_TRUE(c->begin_copy_out("COPY (SELECT * FROM t ORDER BY id) TO STDOUT"));
  std::string out;
  int reads = 0;
  for (;;) {
    std::string chunk;
    auto more = c->read_copy_out(chunk, 64 << 10);
    ASSERT_TRUE(more) << more.error().message;
    ++reads;
    // Whole rows only.
    if (!chunk.empty()) {
      EXPECT_EQ(chunk.back(), '\n');
    }
    out += chunk;
    if (!*more) break;
  }
  EXPECT_GT(reads, 2);
  EXPECT_EQ(out.size(), data.size());
  EXPECT_TRUE(out == data);

  // The connection is back to normal after the COPY.
  auto count = c->query("SELECT count(*) FROM t");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ((*count)[0][0], "20000");
}

TEST(PgConnection, BadCopyDataKeepsItsSqlstateAndRollbackEndsACopy) {
  const auto db = PostgresFixture::instance().create_database("pgconn_badcopy");
  auto c = open_or_fail(db.url);
  ASSERT_TRUE(c->exec("CREATE TABLE t (x int)"));

  ASSERT_TRUE(c->begin_copy_in("COPY t FROM STDIN"));
  ASSERT_TRUE(c->put_copy_data("1\nnot a number\n"));
  auto bad = c->end_copy_in();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "22P02");  // invalid_text_representation
  EXPECT_NE(bad.error().message.find("not a number"), std::string::npos) << bad.error().message;

  // A COPY still open when the caller gives up: rollback ends it and the transaction.
  ASSERT_TRUE(c->exec("BEGIN"));
  ASSERT_TRUE(c->begin_copy_in("COPY t FROM STDIN"));
  ASSERT_TRUE(c->put_copy_data("1\n2\n"));
  c->rollback();
  auto count = c->query("SELECT count(*) FROM t");
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ((*count)[0][0], "0");
}

TEST(PgConnection, OpenErrorsNeverShowThePassword) {
  auto& cluster = PostgresFixture::instance();
  const std::string port = std::to_string(cluster.port());
  struct Case {
    std::string url;
    std::string code;
  };
  const Case cases[] = {
      {"postgresql://u:sekrit@127.0.0.1:99999/db", "InvalidDatabaseUrl"},
      {"postgresql://u:sek/rit@127.0.0.1/db", "InvalidDatabaseUrl"},
      {"postgresql://u:sekrit@127.0.0.1:1/db", "Unreachable"},
      {"postgresql://postgres:sekrit@127.0.0.1:" + port + "/no_such_db_pgconn", "NoSuchDatabase"},
      {"postgresql://postgres@127.0.0.1:" + port + "/no_such_db_pgconn?password=sekrit", "NoSuchDatabase"},
  };
  for (const auto& c : cases) {
    auto opened = pg::Connection::open(c.url, {std::chrono::seconds(2), "dwh test"});
    ASSERT_FALSE(opened) << c.url;
    EXPECT_EQ(opened.error().code, c.code) << opened.error().message;
    EXPECT_EQ(opened.error().to_string().find("sekrit"), std::string::npos) << opened.error().to_string();
    EXPECT_EQ(opened.error().to_string().find("sek/rit"), std::string::npos) << opened.error().to_string();
  }
}

}  // namespace
}  // namespace dwh::test
