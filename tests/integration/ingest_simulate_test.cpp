// dwh ingest while `dwh source simulate` writes (new orders, updates, settlement batches and
// long transactions that commit late): after the workload stops and one final run, the newest
// landed version of every row equals the source, and no row version landed twice.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "dwh/ingest/ingest.hpp"
#include "dwh/source/simulate.hpp"
#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

TEST(IngestUnderWorkload, LandedUnionEqualsSourceWithLateCommits) {
  const auto db = make_totesys_source("ingest_sim", 0.1);
  const std::string landing = "file://" + make_temp_dir("ingest-sim");

  ingest::IngestOptions ingest;
  ingest.source_url = db.url;
  ingest.landing_url = landing;
  ingest.chunk_bytes = 64 << 10;
  ASSERT_TRUE(ingest::run_ingest(ingest));

  source::SimulateOptions sim;
  sim.url = db.url;
  sim.rate = 80;
  sim.duration = std::chrono::milliseconds(8000);
  sim.late_hold = std::chrono::milliseconds(1500);
  sim.seed = 7;
  std::optional<Result<source::SimulateReport>> simulated;
  std::thread writer([&] { simulated = source::simulate(sim); });

  int runs = 0;
  std::atomic<bool> writing{true};
  while (writing) {
    auto r = ingest::run_ingest(ingest);
    ASSERT_TRUE(r) << r.error().message;
    ++runs;
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    if (simulated.has_value()) writing = false;
  }
  writer.join();
  ASSERT_TRUE(simulated && *simulated) << (simulated && !*simulated ? simulated->error().message : "");
  const auto& report = simulated->value();
  EXPECT_GT(report.counts.long_transactions, 0);
  ASSERT_TRUE(ingest::run_ingest(ingest));  // the final run after the workload stopped

  const auto landed = read_landing(landing);
  EXPECT_GE(runs, 5);
  EXPECT_EQ(landed.objects, landed.referenced);
  const auto dups = duplicate_versions(landed);
  EXPECT_TRUE(dups.empty()) << dups.size() << " duplicates, first: " << (dups.empty() ? "" : dups.front());
  const auto diffs = compare_with_source(db.url, landed);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
  std::cerr << "simulate: " << report.counts.late_commits << " late commits seen, "
            << report.counts.long_transactions << " long transactions; " << runs
            << " ingest runs during the workload\n";
}

}  // namespace
}  // namespace dwh::test
