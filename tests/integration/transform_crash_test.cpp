// Crash safety of dwh transform: the process is killed (SIGKILL) at named points
// (DWH_TEST_CRASH_POINT) and after random delays, then run again until a run commits. Whatever
// the kill point, the committed result must hold the same rows per table as an uninterrupted
// run, and the store must hold nothing the manifests do not name.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "transform_test_support.hpp"

extern char** environ;

namespace dwh::test {
namespace {

using namespace transform_support;
using nlohmann::json;

// Starts `dwh transform` with DWH_TEST_CRASH_POINT=point (if any), kills it after `delay` (if it
// still runs), and returns how it ended: "killed" or "exit <code>".
std::string run_and_kill(const std::vector<std::string>& argv, const std::string& point,
                         std::optional<std::chrono::milliseconds> delay) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    if (std::string(*e).rfind("DWH_TEST_CRASH_POINT=", 0) != 0) env.emplace_back(*e);
  }
  if (!point.empty()) env.push_back("DWH_TEST_CRASH_POINT=" + point);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    // Quiet: the child's logs are not part of the test output.
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  if (delay) {
    const auto until = std::chrono::steady_clock::now() + *delay;
    while (std::chrono::steady_clock::now() < until) {
      if (waitpid(pid, &status, WNOHANG) == pid)
        return WIFSIGNALED(status) ? "killed" : "exit " + std::to_string(WEXITSTATUS(status));
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    kill(pid, SIGKILL);
  }
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? "killed" : "exit " + std::to_string(WEXITSTATUS(status));
}

TEST(TransformCrash, KilledRunsLeaveNothingAndTheRerunMatches) {
  const auto db = make_totesys_source("tr_crash", 0.3);
  const std::string landing = "file://" + make_temp_dir("tr-crash-landing");
  ingest(db.url, landing);
  // A second ingest run, so a run has state to carry and dimensions to re-emit.
  PostgresFixture::run_sql(
      db.url,
      "UPDATE department SET department_name = department_name || ' (new)', "
      "last_updated = now() AT TIME ZONE 'UTC' WHERE department_id = 2;"
      "UPDATE sales_order SET units_sold = units_sold + 1, last_updated = now() AT TIME ZONE 'UTC' "
      "WHERE sales_order_id % 10 = 0");
  ingest(db.url, landing);

  const std::string reference = "file://" + make_temp_dir("tr-crash-ref");
  const auto clean = transform(landing, reference);
  ASSERT_TRUE(clean) << clean.error().message;
  std::map<std::string, json> expected;
  for (const auto& t : warehouse_tables()) expected[t] = committed_rows(reference, t);
  ASSERT_GT(expected["fact_sales_order"].size(), 100u);

  const std::vector<std::string> points = {"transform-before-cleanup", "transform-mid-write",
                                           "transform-before-manifest", "transform-after-manifest"};
  // Random kills land inside a run: delays are drawn below how long one uninterrupted CLI run
  // takes on this machine and build (a fixed range let fast Release runs finish first).
  const auto t0 = std::chrono::steady_clock::now();
  const auto timed = run_process({DWH_CLI_PATH, "transform", "--landing", landing, "--processed",
                                  "file://" + make_temp_dir("tr-crash-timed"), "--model", model_dir()});
  ASSERT_EQ(timed.exit_code, 0) << timed.err;
  const int run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  const int max_delay_ms = std::max(2, run_ms * 9 / 10);
  std::mt19937 rng(20261121);
  constexpr int kTrials = 24;
  int killed = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::string processed = "file://" + make_temp_dir("tr-crash-" + std::to_string(trial));
    const std::vector<std::string> argv = {DWH_CLI_PATH,  "transform", "--landing", landing,
                                           "--processed", processed,   "--model",   model_dir()};
    // Up to three interrupted attempts (a named point, then random delays), then one to the end.
    for (int attempt = 0; attempt < 3; ++attempt) {
      const bool named = trial < static_cast<int>(points.size()) * 2 && attempt == 0;
      const std::string point = named ? points[static_cast<std::size_t>(trial) % points.size()] : "";
      // (Assigned rather than built with ?: — g++ 12 -O2 reports a false maybe-uninitialized.)
      std::optional<std::chrono::milliseconds> delay;
      if (!named) delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(1, max_delay_ms)(rng));
      const std::string how = run_and_kill(argv, point, delay);
      if (how == "killed")
        ++killed;
      else
        EXPECT_EQ(how, "exit 0");
    }
    const auto last = run_process(argv);
    ASSERT_EQ(last.exit_code, 0) << last.err;
    auto store = stores::open_store(processed).value();
    EXPECT_EQ(manifests(*store).size(), 1u);  // one committed run consumed everything
    EXPECT_EQ(data_objects(*store), referenced_objects(*store));
    // Same rows per table: the Parquet objects are deterministic, so equal bytes (the manifest's
    // SHA-256) stand for equal rows; DuckDB compares the rows themselves on a few trials.
    const json m = manifests(*store).back();
    const json ref = manifests(*stores::open_store(reference).value()).back();
    for (const auto& t : warehouse_tables()) {
      EXPECT_EQ(m.at("tables").at(t).at("sha256"), ref.at("tables").at(t).at("sha256")) << t;
      EXPECT_EQ(m.at("tables").at(t).at("rows"), ref.at("tables").at(t).at("rows")) << t;
      if (trial % 8 == 0) {
        EXPECT_EQ(committed_rows(processed, t), expected[t]) << t;
      }
    }
  }
  EXPECT_GE(killed, 20);
}

}  // namespace
}  // namespace dwh::test
