// `dwh demo`, the README's first command after the build: its own local PostgreSQL, a generated
// source, the full and the incremental pipeline run, the dashboard, in well under a minute.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>

#include "dwh/local/cluster.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;

TEST(DemoCommand, RunsThePipelineTwiceWritesTheDashboardAndStopsItsCluster) {
  // As root, the cluster runs as the postgres user, which must be able to enter the folder; a
  // checkout under /root is not enterable, so then the demo goes under the system temp dir.
  fs::path dir = make_temp_dir("demo");
  fs::permissions(dir, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
  if (!local::check_server_can_reach(dir / ".dwh")) {
    std::string tmpl = (fs::temp_directory_path() / "dwhkit-demo-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir = tmpl;
    fs::permissions(dir, fs::perms::others_exec | fs::perms::others_read, fs::perm_options::add);
  }
  const fs::path state = dir / ".dwh";
  const auto r =
      run_process({DWH_CLI_PATH, "demo", "--state-dir", state.string(), "--simulate-seconds", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err.substr(r.err.size() > 4000 ? r.err.size() - 4000 : 0);

  // Two summaries: the full run loads every table, the incremental one after the simulation
  // loads new versions; both succeed.
  const std::regex run_ok(R"(run \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  ok)");
  EXPECT_EQ(std::distance(std::sregex_iterator(r.out.begin(), r.out.end(), run_ok), std::sregex_iterator()),
            2)
      << r.out;
  for (const char* line : {"  ingest     done", "  transform  done", "  load       done",
                           "fact_sales_order 11187", "dashboard  "}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
  const auto second = r.out.find("4. simulating");
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  load       done", second), std::string::npos)
      << "the incremental run loads the changes\n"
      << r.out;
  EXPECT_NE(r.out.find("ago", second), std::string::npos) << "freshness after the incremental run\n" << r.out;

  const fs::path report = state / "demo" / "report.html";
  ASSERT_TRUE(fs::exists(report));
  EXPECT_GT(fs::file_size(report), 10'000u);

  std::smatch took;
  ASSERT_TRUE(std::regex_search(r.out, took, std::regex(R"(demo finished in ([0-9.]+) s)"))) << r.out;
  EXPECT_LE(std::stod(took[1].str()), 60.0) << "the demo must take at most 60 s after the build";

  // Without --keep the cluster is stopped.
  const auto status = run_process({DWH_CLI_PATH, "local", "status", "--dir", state.string()});
  EXPECT_NE(status.out.find("not running"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace dwh::test
