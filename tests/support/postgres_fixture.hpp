#pragma once
// A PostgreSQL 15 cluster for tests, from dwh::local (the code behind `dwh local up`).
//
// One cluster per test process: started on first use (a test that never calls instance()
// pays nothing), shared by every test in the process, stopped when the process exits. The
// postmaster is the test process's child and gets SIGQUIT if that dies (crash, kill), via
// PR_SET_PDEATHSIG, which follows the THREAD that started it: call instance() first from the
// test's main thread (a TEST body is fine).
//
// Start-up is fast because the data directory is a copy of a template made once per build
// tree (<build>/tmp/pg15-template-v<N>, holding the databases totesys and warehouse); the cluster's
// own files live in a fresh directory under <build>/tmp and are deleted at exit. (When the
// server's user, postgres under root, cannot enter the build tree, both go under
// /tmp/dwhkit-test-<uid> instead.)
//
// Isolation: tests share the cluster, not databases. Call create_database() for a fresh empty
// database of your own, whose name is unique in this cluster.
//
// Typical use:
//   auto& pg = dwh::test::PostgresFixture::instance();
//   auto db = pg.create_database("init");                  // {name, url}
//   PostgresFixture::run_sql(db.url, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
//   EXPECT_EQ(PostgresFixture::query_value(db.url, "SELECT count(*) FROM t"), "1");
//   auto r = run_process({DWH_CLI_PATH, "source", "init"}, pg.cli_environment(db.name, wh.name));
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "dwh/local/cluster.hpp"

namespace dwh::test {

struct TestDatabase {
  std::string name;  // "<prefix>_<pid>_<n>"
  std::string url;   // postgresql://postgres@127.0.0.1:<port>/<name>
};

class PostgresFixture {
 public:
  // Starts the process's cluster if needed. Throws std::runtime_error with the reason
  // (PostgreSQL not installed, server log tail, ...) if it cannot.
  static PostgresFixture& instance();

  ~PostgresFixture();
  PostgresFixture(const PostgresFixture&) = delete;
  PostgresFixture& operator=(const PostgresFixture&) = delete;

  int port() const { return cluster_->info().port; }
  const local::ClusterInfo& info() const { return cluster_->info(); }
  // postgresql://postgres@127.0.0.1:<port>/<database>. The cluster trusts all local logins as
  // the superuser `postgres`, without a password.
  std::string url(std::string_view database = "postgres") const { return cluster_->url(database); }

  // A new empty database (copied from template1). `prefix` is lower-cased and limited to
  // letters, digits and '_'. Thread-safe.
  TestDatabase create_database(std::string_view prefix = "test");
  // Drops a database (terminating its sessions). Not needed for cleanup: the cluster goes at exit.
  void drop_database(std::string_view name);

  // Runs SQL on a new connection and returns the last statement's result. Several statements
  // separated by ';' run as one implicit transaction (so CREATE DATABASE must come alone).
  // Throws pqxx exceptions.
  static pqxx::result run_sql(const std::string& url, const std::string& sql);
  // The first column of the first row ("" for NULL); throws std::runtime_error if no rows.
  static std::string query_value(const std::string& url, const std::string& sql);

  // The environment that points `dwh` at two databases of this cluster:
  // DWH_SOURCE_URL and DWH_WAREHOUSE_URL.
  std::map<std::string, std::string> cli_environment(std::string_view source_database,
                                                     std::string_view warehouse_database) const;

 private:
  PostgresFixture();
  std::string work_dir_;
  std::unique_ptr<local::Cluster> cluster_;
};

}  // namespace dwh::test
