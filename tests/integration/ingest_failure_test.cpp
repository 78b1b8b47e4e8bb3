// dwh ingest on bad input, and killed at random points: a clear error, a non-zero exit and no
// manifest; after a crash the next run gives what an uninterrupted run gives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"
#include "s3rver.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;

ProcessResult dwh_ingest(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {DWH_CLI_PATH, "ingest"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env);
}

std::size_t manifest_count(const std::string& dir) {
  const fs::path p = fs::path(dir) / "_manifests" / "ingest";
  if (!fs::exists(p)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(p), fs::directory_iterator()));
}

class IngestBadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { db_ = new TestDatabase(make_totesys_source("ingest_bad", 0.02)); }
  static void TearDownTestSuite() { delete db_; }
  static TestDatabase* db_;
  std::string dir_ = make_temp_dir("ingest-bad");
  std::string landing_ = "file://" + dir_;
};
TestDatabase* IngestBadInput::db_ = nullptr;

TEST_F(IngestBadInput, UnreachableSource) {
  const auto r =
      dwh_ingest({"--source", "postgresql://u:sekrit@127.0.0.1:" + std::to_string(free_port()) + "/x",
                  "--landing", landing_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("127.0.0.1"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("sekrit"), std::string::npos) << r.err;
  EXPECT_EQ(manifest_count(dir_), 0u);
}

TEST_F(IngestBadInput, MissingLandingDirectory) {
  const auto r = dwh_ingest({"--source", db_->url, "--landing", "file://" + dir_ + "/does/not/exist"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST_F(IngestBadInput, UnreachableS3Store) {
  std::map<std::string, std::string> env = {
      {"AWS_ACCESS_KEY_ID", "x"},
      {"AWS_SECRET_ACCESS_KEY", "y"},
      {"AWS_REGION", "us-east-1"},
      {"AWS_MAX_ATTEMPTS", "1"},
      {"AWS_EC2_METADATA_DISABLED", "true"},
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(free_port())}};
  const auto r = dwh_ingest({"--source", db_->url, "--landing", "s3://no-such-bucket/x"}, env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("s3://no-such-bucket/x"), std::string::npos) << r.err;
}

TEST_F(IngestBadInput, MissingBucket) {
  auto env = S3rver::instance().cli_environment();
  const auto r =
      dwh_ingest({"--source", db_->url, "--landing", "s3://" + unique_bucket("absent") + "/x"}, env);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("not usable"), std::string::npos) << r.err;
}

TEST_F(IngestBadInput, UnknownStoreScheme) {
  const auto r = dwh_ingest({"--source", db_->url, "--landing", "ftp://host/landing"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("scheme 'ftp'"), std::string::npos) << r.err;
}

TEST_F(IngestBadInput, TableWithoutCursorColumn) {
  PostgresFixture::run_sql(db_->url, "CREATE TABLE IF NOT EXISTS no_cursor (id int PRIMARY KEY, v text)");
  const std::string config = dir_ + "-config.json";
  std::ofstream(config)
      << R"({"tables": [{"name": "currency", "primary_key": ["currency_id"], "cursor": "last_updated"},
                                          {"name": "no_cursor", "primary_key": ["id"], "cursor": "last_updated"}]})";
  const auto r = dwh_ingest({"--source", db_->url, "--landing", landing_, "--config", config});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("table public.no_cursor has no cursor column last_updated"), std::string::npos)
      << r.err;
  EXPECT_EQ(manifest_count(dir_), 0u);
  EXPECT_FALSE(fs::exists(fs::path(dir_) / "currency"));
}

TEST_F(IngestBadInput, PermissionDenied) {
  PostgresFixture::run_sql(
      db_->url,
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_reader') THEN "
      "CREATE ROLE ingest_reader LOGIN; END IF; END $$;"
      "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ingest_reader;"
      "REVOKE SELECT ON payment FROM ingest_reader");
  std::string url = db_->url;
  url.replace(url.find("postgres@"), 9, "ingest_reader@");
  const auto r = dwh_ingest({"--source", url, "--landing", landing_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("payment"), std::string::npos) << r.err;
  EXPECT_EQ(manifest_count(dir_), 0u);
  const auto subset = dwh_ingest({"--source", url, "--landing", landing_, "--tables", "currency,staff"});
  EXPECT_EQ(subset.exit_code, 0) << subset.err;
}

TEST_F(IngestBadInput, UnknownTableInTablesOption) {
  const auto r = dwh_ingest({"--source", db_->url, "--landing", landing_, "--tables", "currency,nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'nope'"), std::string::npos) << r.err;
}

TEST(IngestSchemaChange, AddedAndDroppedColumnsAreReportedByName) {
  const auto db = make_totesys_source("ingest_schema", 0.02);
  const std::string dir = make_temp_dir("ingest-schema");
  const std::string landing = "file://" + dir;
  ASSERT_EQ(dwh_ingest({"--source", db.url, "--landing", landing}).exit_code, 0);

  PostgresFixture::run_sql(db.url, "ALTER TABLE staff ADD COLUMN nickname text");
  auto r = dwh_ingest({"--source", db.url, "--landing", landing});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("table staff"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("column nickname added"), std::string::npos) << r.err;
  EXPECT_EQ(manifest_count(dir), 1u);

  r = dwh_ingest({"--source", db.url, "--landing", landing, "--on-schema-change", "accept-added-columns"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(manifest_count(dir), 2u);

  PostgresFixture::run_sql(db.url, "ALTER TABLE design DROP COLUMN file_location");
  r = dwh_ingest({"--source", db.url, "--landing", landing, "--on-schema-change", "accept-added-columns"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("column file_location dropped"), std::string::npos) << r.err;
  EXPECT_EQ(manifest_count(dir), 2u);
}

// Kills `dwh ingest` (at a named point, or after a random delay), then reruns it: the store
// must end up as after an uninterrupted run, with no orphan left.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  const pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    const int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

TEST(IngestCrash, KilledRunsLeaveNothingAndTheRerunMatchesAnUninterruptedRun) {
  const auto db = make_totesys_source("ingest_crash", 0.1);
  const std::vector<std::string> points = {"before-cleanup", "after-snapshot", "mid-upload",
                                           "before-manifest", "after-manifest"};
  std::mt19937 rng(20261121);
  constexpr int kTrials = 24;
  int killed = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string dir = make_temp_dir("ingest-crash");
    const std::string landing = "file://" + dir;
    const std::string reference_dir = make_temp_dir("ingest-crash-ref");
    // A committed first run, then changes, so the crashed run is an incremental one.
    ASSERT_EQ(dwh_ingest({"--source", db.url, "--landing", landing}).exit_code, 0);
    ASSERT_EQ(dwh_ingest({"--source", db.url, "--landing", "file://" + reference_dir}).exit_code, 0);
    PostgresFixture::run_sql(db.url,
                             "UPDATE payment SET payment_amount = payment_amount + 1, "
                             "last_updated = clock_timestamp() AT TIME ZONE 'UTC' WHERE payment_id % 3 = " +
                                 std::to_string(trial % 3));
    // Half the trials die at a named point, half after a random delay (anywhere, mid-COPY included).
    const std::vector<std::string> argv = {DWH_CLI_PATH, "ingest", "--source", db.url, "--landing", landing};
    pid_t pid;
    if (trial % 2 == 0) {
      pid = spawn(argv,
                  {{"DWH_TEST_CRASH_POINT", points[static_cast<std::size_t>(trial / 2) % points.size()]}});
    } else {
      pid = spawn(argv, {});
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 250)(rng)));
      kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed;

    ASSERT_EQ(dwh_ingest({"--source", db.url, "--landing", landing}).exit_code, 0);
    ASSERT_EQ(dwh_ingest({"--source", db.url, "--landing", "file://" + reference_dir}).exit_code, 0);
    const auto crashed = read_landing(landing);
    const auto reference = read_landing("file://" + reference_dir);
    EXPECT_EQ(crashed.objects, crashed.referenced) << "orphans or missing objects";
    EXPECT_TRUE(duplicate_versions(crashed).empty());
    EXPECT_EQ(newest_rows(crashed), newest_rows(reference));
    EXPECT_TRUE(compare_with_source(db.url, crashed).empty());
    // No temporary files of killed writers survive the rerun.
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      EXPECT_EQ(e.path().filename().string().find(".dwh-tmp-"), std::string::npos) << e.path();
    }
  }
  EXPECT_GE(killed, kTrials / 2);
}

}  // namespace
}  // namespace dwh::test
