// The simulator's schedule and options, without a database: the seed fixes the mix, every kind
// appears in its share, and bad options are refused.
#include <gtest/gtest.h>

#include <map>

#include "dwh/source/simulate.hpp"
#include "dwh/source/simulate_plan.hpp"

namespace dwh::source {
namespace {

using std::chrono::milliseconds;

SimulateOptions options(double rate, milliseconds duration, std::uint64_t seed) {
  SimulateOptions o;
  o.url = "postgresql://postgres@127.0.0.1:5432/totesys";
  o.rate = rate;
  o.duration = duration;
  o.seed = seed;
  return o;
}

std::map<OperationKind, std::int64_t> mix(const WorkloadPlan& plan) {
  std::map<OperationKind, std::int64_t> m;
  for (const auto& op : plan.operations) ++m[op.kind];
  return m;
}

bool same_schedule(const WorkloadPlan& a, const WorkloadPlan& b) {
  if (a.operations.size() != b.operations.size()) return false;
  for (std::size_t i = 0; i < a.operations.size(); ++i) {
    if (a.operations[i].kind != b.operations[i].kind || a.operations[i].at != b.operations[i].at ||
        a.operations[i].seed != b.operations[i].seed) {
      return false;
    }
  }
  return true;
}

TEST(SimulatePlan, SameSeedSamePlanOtherSeedOtherOrder) {
  const auto a = plan_workload(options(50, milliseconds(60'000), 7));
  const auto b = plan_workload(options(50, milliseconds(60'000), 7));
  const auto c = plan_workload(options(50, milliseconds(60'000), 8));
  EXPECT_TRUE(same_schedule(a, b));
  EXPECT_FALSE(same_schedule(a, c));
  // The counts per kind depend on rate and duration only.
  EXPECT_EQ(mix(a), mix(c));
}

TEST(SimulatePlan, OperationsFollowTheRateAndTheShares) {
  const auto plan = plan_workload(options(40, milliseconds(50'000), 3));
  ASSERT_EQ(plan.operations.size(), 2000u);
  for (std::size_t i = 0; i < plan.operations.size(); ++i) {
    EXPECT_EQ(plan.operations[i].at, milliseconds(static_cast<std::int64_t>(i) * 25)) << i;
  }
  const auto m = mix(plan);
  double total_share = 0;
  for (int k = 0; k < kOperationKinds; ++k) {
    const auto kind = static_cast<OperationKind>(k);
    total_share += operation_share(kind);
    EXPECT_NEAR(static_cast<double>(m.at(kind)), 2000 * operation_share(kind), 1.0) << operation_name(kind);
  }
  EXPECT_DOUBLE_EQ(total_share, 1.0);
}

TEST(SimulatePlan, ShortRunsStillHaveEveryKindOnce) {
  const auto plan = plan_workload(options(4, milliseconds(5'000), 1));
  ASSERT_EQ(plan.operations.size(), static_cast<std::size_t>(kOperationsForFullMix));
  const auto m = mix(plan);
  for (int k = 0; k < kOperationKinds; ++k) {
    EXPECT_GE(m.count(static_cast<OperationKind>(k)), 1u) << operation_name(static_cast<OperationKind>(k));
  }
  // Below that, nothing is forced in.
  EXPECT_EQ(plan_workload(options(1, milliseconds(3'000), 1)).operations.size(), 3u);
}

TEST(SimulatePlan, LongTransactionsCommitWithinTheRun) {
  auto o = options(10, milliseconds(60'000), 5);
  o.late_hold = milliseconds(3'000);
  const auto plan = plan_workload(o);
  EXPECT_EQ(plan.hold, milliseconds(3'000));
  EXPECT_EQ(plan.long_transactions.size(), 5u);  // one per 4 holds of run time
  for (const auto& op : plan.long_transactions) {
    EXPECT_TRUE(op.kind == OperationKind::SalesOrder || op.kind == OperationKind::PurchaseOrder);
    EXPECT_GT(op.at, milliseconds(0));
    EXPECT_LE(op.at + plan.hold, o.duration);
  }
  // A hold longer than the run is cut to half of it; one long transaction is always there.
  o.duration = milliseconds(2'000);
  const auto short_plan = plan_workload(o);
  EXPECT_EQ(short_plan.hold, milliseconds(1'000));
  ASSERT_EQ(short_plan.long_transactions.size(), 1u);
  EXPECT_LE(short_plan.long_transactions[0].at + short_plan.hold, o.duration);
}

TEST(SimulatePlan, SettlementOpensEverySimulatedDayAfterTheFirst) {
  auto o = options(10, milliseconds(10'000), 5);
  o.day_length = milliseconds(3'000);
  const auto plan = plan_workload(o);
  EXPECT_EQ(plan.settlements,
            (std::vector<milliseconds>{milliseconds(3'000), milliseconds(6'000), milliseconds(9'000)}));
  // Default: a quarter of the run, between 1 s and 60 s.
  o.day_length = milliseconds(0);
  EXPECT_EQ(effective_day_length(o), milliseconds(2'500));
  o.duration = milliseconds(2'000);
  EXPECT_EQ(effective_day_length(o), milliseconds(1'000));
  o.duration = milliseconds(3'600'000);
  EXPECT_EQ(effective_day_length(o), milliseconds(60'000));
}

TEST(SimulateOptions, ParsesDurations) {
  EXPECT_EQ(parse_duration("30s").value(), milliseconds(30'000));
  EXPECT_EQ(parse_duration("2m").value(), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h").value(), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("1500ms").value(), milliseconds(1'500));
  EXPECT_EQ(parse_duration("1.5s").value(), milliseconds(1'500));
  EXPECT_EQ(parse_duration("45").value(), milliseconds(45'000));
  for (const char* bad : {"", "0", "0s", "-5s", "s", "5x", "5 s", "abc", "1e3"}) {
    auto r = parse_duration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidArgument") << bad;
  }
}

TEST(SimulateOptions, RefusesBadOptions) {
  EXPECT_TRUE(validate(options(10, milliseconds(1'000), 1)).ok());
  auto bad_rate = options(-1, milliseconds(1'000), 1);
  auto zero_rate = options(0, milliseconds(1'000), 1);
  auto zero_duration = options(10, milliseconds(0), 1);
  auto no_concurrency = options(10, milliseconds(1'000), 1);
  no_concurrency.concurrency = 0;
  auto bad_url = options(10, milliseconds(1'000), 1);
  bad_url.url = "postgresql://127.0.0.1:99999/totesys";
  for (const auto& o : {bad_rate, zero_rate, zero_duration, no_concurrency, bad_url}) {
    auto r = validate(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind(), ErrorKind::BadInput) << r.error().code << ": " << r.error().message;
  }
  EXPECT_NE(make_error("SimulationFailed", "x").kind(), ErrorKind::BadInput);
}

TEST(SimulateOptions, CountFieldsCoverEveryCount) {
  SimulationCounts a;
  std::int64_t n = 1;
  for (const auto& f : simulation_count_fields()) a.*f.member = n++;
  SimulationCounts b = a;
  b += a;
  n = 1;
  for (const auto& f : simulation_count_fields()) EXPECT_EQ(b.*f.member, 2 * n++) << f.key;
  EXPECT_EQ(sizeof(SimulationCounts), simulation_count_fields().size() * sizeof(std::int64_t));
}

}  // namespace
}  // namespace dwh::source
