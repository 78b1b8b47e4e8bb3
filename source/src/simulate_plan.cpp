#include "dwh/source/simulate_plan.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "simulate_random.hpp"

namespace dwh::source {
namespace {

using std::chrono::milliseconds;

constexpr std::array<OperationKind, kOperationKinds> kAllKinds = {
    OperationKind::SalesOrder,       OperationKind::PurchaseOrder, OperationKind::Amendment,
    OperationKind::NewDesign,        OperationKind::NewStaff,      OperationKind::NewCounterparty,
    OperationKind::DepartmentChange, OperationKind::AddressChange, OperationKind::CounterpartyChange,
};

// One long transaction per this many hold periods of run time, and at least one per run.
constexpr std::int64_t kHoldPeriodsPerLongTransaction = 4;
constexpr milliseconds kMinDefaultDay{1'000};
constexpr milliseconds kMaxDefaultDay{60'000};
constexpr int kDefaultDaysPerRun = 4;

// Sub-stream numbers, so that the operation, long-transaction and shuffle streams never overlap.
constexpr std::uint64_t kShuffleStream = 0;
constexpr std::uint64_t kOperationStreamBase = 1'000;
constexpr std::uint64_t kLongStreamBase = 1ULL << 40;

bool is_order(OperationKind k) {
  return k == OperationKind::SalesOrder || k == OperationKind::PurchaseOrder;
}

// Exact counts per kind for `total` operations: the rare kinds get their share (rounded, and at
// least one in a run long enough for the full mix); orders take the rest, split in their ratio.
std::array<std::int64_t, kOperationKinds> quotas(std::int64_t total) {
  std::array<std::int64_t, kOperationKinds> counts{};
  std::int64_t rest = total;
  for (std::size_t i = 0; i < kAllKinds.size(); ++i) {
    const OperationKind kind = kAllKinds[i];
    if (is_order(kind)) continue;
    auto n = static_cast<std::int64_t>(std::llround(static_cast<double>(total) * operation_share(kind)));
    if (total >= kOperationsForFullMix) n = std::max<std::int64_t>(n, 1);
    n = std::min(n, rest);
    counts[i] = n;
    rest -= n;
  }
  const double sales = operation_share(OperationKind::SalesOrder);
  const double purchase = operation_share(OperationKind::PurchaseOrder);
  const auto purchases =
      static_cast<std::int64_t>(std::llround(static_cast<double>(rest) * purchase / (sales + purchase)));
  counts[static_cast<std::size_t>(OperationKind::PurchaseOrder)] = purchases;
  counts[static_cast<std::size_t>(OperationKind::SalesOrder)] = rest - purchases;
  return counts;
}

}  // namespace

std::string_view operation_name(OperationKind kind) {
  switch (kind) {
    case OperationKind::SalesOrder:
      return "sales_order";
    case OperationKind::PurchaseOrder:
      return "purchase_order";
    case OperationKind::Amendment:
      return "amendment";
    case OperationKind::NewDesign:
      return "new_design";
    case OperationKind::NewStaff:
      return "new_staff";
    case OperationKind::NewCounterparty:
      return "new_counterparty";
    case OperationKind::DepartmentChange:
      return "department_change";
    case OperationKind::AddressChange:
      return "address_change";
    case OperationKind::CounterpartyChange:
      return "counterparty_change";
  }
  return "unknown";
}

double operation_share(OperationKind kind) {
  switch (kind) {
    case OperationKind::SalesOrder:
      return 0.55;
    case OperationKind::PurchaseOrder:
      return 0.22;  // real ratio about 22 sales : 9 purchase a day
    case OperationKind::Amendment:
      return 0.08;
    case OperationKind::NewDesign:
      return 0.03;
    case OperationKind::NewStaff:
      return 0.02;
    case OperationKind::NewCounterparty:
      return 0.02;
    case OperationKind::DepartmentChange:
      return 0.02;
    case OperationKind::AddressChange:
      return 0.03;
    case OperationKind::CounterpartyChange:
      return 0.03;
  }
  return 0.0;
}

milliseconds effective_day_length(const SimulateOptions& options) {
  if (options.day_length.count() > 0) return options.day_length;
  return std::clamp(options.duration / kDefaultDaysPerRun, kMinDefaultDay, kMaxDefaultDay);
}

WorkloadPlan plan_workload(const SimulateOptions& options) {
  WorkloadPlan plan;
  const auto duration_ms = options.duration.count();
  const auto total =
      static_cast<std::int64_t>(std::floor(options.rate * static_cast<double>(duration_ms) / 1000.0));

  // Kinds in a seeded random order, then one every 1/rate seconds.
  const auto counts = quotas(total);
  std::vector<OperationKind> kinds;
  kinds.reserve(static_cast<std::size_t>(total));
  for (std::size_t i = 0; i < kAllKinds.size(); ++i) kinds.insert(kinds.end(), counts[i], kAllKinds[i]);
  sim::Rng shuffle_rng(sim::derive_seed(options.seed, kShuffleStream));
  shuffle_rng.shuffle(kinds);
  plan.operations.reserve(kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    PlannedOperation op;
    op.kind = kinds[i];
    op.at = milliseconds(static_cast<std::int64_t>(static_cast<double>(i) * 1000.0 / options.rate));
    op.seed = sim::derive_seed(options.seed, kOperationStreamBase + i);
    plan.operations.push_back(op);
  }

  // Long transactions: spread over the run so that each can commit before it ends.
  plan.hold = std::min(options.late_hold, options.duration / 2);
  const std::int64_t hold_ms = std::max<std::int64_t>(plan.hold.count(), 1);
  const std::int64_t long_count =
      std::max<std::int64_t>(1, duration_ms / (kHoldPeriodsPerLongTransaction * hold_ms));
  const std::int64_t window = duration_ms - plan.hold.count();
  for (std::int64_t j = 0; j < long_count; ++j) {
    PlannedOperation op;
    const std::uint64_t seed =
        sim::derive_seed(options.seed, kLongStreamBase + static_cast<std::uint64_t>(j));
    // Mostly sales orders, like the order stream.
    op.kind = sim::Rng(seed).chance(0.7) ? OperationKind::SalesOrder : OperationKind::PurchaseOrder;
    op.at = milliseconds(window * (j + 1) / (long_count + 1));
    op.seed = seed;
    plan.long_transactions.push_back(op);
  }

  plan.day_length = effective_day_length(options);
  for (auto t = plan.day_length; t < options.duration; t += plan.day_length) plan.settlements.push_back(t);
  return plan;
}

}  // namespace dwh::source
