#pragma once
// The schedule of one simulation, fixed before any write: which operation runs when, with which
// random stream. It depends only on the options (rate, duration, seed, day length, hold), so the
// same seed gives the same mix in the same order; only which concurrently created rows an
// operation can refer to depends on timing.
#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "dwh/source/simulate.hpp"

namespace dwh::source {

enum class OperationKind {
  SalesOrder,
  PurchaseOrder,
  Amendment,
  NewDesign,
  NewStaff,
  NewCounterparty,
  DepartmentChange,
  AddressChange,
  CounterpartyChange,
};
inline constexpr int kOperationKinds = 9;

std::string_view operation_name(OperationKind kind);

// Share of the operations that are of this kind. Orders dominate, as in the real data; the rare
// kinds are far more frequent than in totesys (~0.6 new designs a day) so that a short run
// shows every kind.
double operation_share(OperationKind kind);

struct PlannedOperation {
  OperationKind kind = OperationKind::SalesOrder;
  std::chrono::milliseconds at{0};  // from the start of the run
  std::uint64_t seed = 0;           // the operation's own random stream
};

struct WorkloadPlan {
  std::vector<PlannedOperation> operations;  // in start order, `rate` per second
  // Long transactions (SalesOrder or PurchaseOrder inserts) on their own connection.
  std::vector<PlannedOperation> long_transactions;
  std::chrono::milliseconds hold{0};
  std::chrono::milliseconds day_length{0};
  std::vector<std::chrono::milliseconds> settlements;  // one per simulated day after the first
};

// At least this many operations make the plan include every kind at least once.
inline constexpr std::int64_t kOperationsForFullMix = 20;

// Expects validated options.
WorkloadPlan plan_workload(const SimulateOptions& options);

// The effective day length (options.day_length, or its default for the duration).
std::chrono::milliseconds effective_day_length(const SimulateOptions& options);

}  // namespace dwh::source
