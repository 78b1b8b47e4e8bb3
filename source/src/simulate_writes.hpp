#pragma once
// The simulator's writes, one function per operation kind. Each runs (and commits) its own
// transaction on the connection it is given and returns what it committed; pqxx exceptions go
// to the caller, which retries rollbacks (deadlock, serialization) and stops on anything else.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <unordered_set>
#include <vector>

#include "dwh/source/simulate.hpp"
#include "dwh/source/simulate_plan.hpp"
#include "simulate_random.hpp"

namespace dwh::source::sim {

// Milliseconds since 1970-01-01 UTC: the writers' clock, as the application's clock in totesys.
std::int64_t now_ms();

// Ids of a dimension table's rows taken in a seeded random order, each once before any repeats,
// so that a run changes distinct rows while it can.
class Rotation {
 public:
  Rotation() = default;
  Rotation(std::vector<std::int64_t> ids, std::uint64_t seed);
  std::optional<std::int64_t> next();

 private:
  std::vector<std::int64_t> ids_;
  std::size_t pos_ = 0;
  Rng rng_{0};
};

// What the writers share: ids they may refer to (new rows join once committed), the rows already
// amended, and the rotations of dimension rows to change. Every member is guarded by `mu`.
struct Pools {
  std::mutex mu;
  std::vector<std::int64_t> designs, staff, counterparties, addresses, departments, currencies;
  std::int64_t sales_receipt_type = 0;
  std::int64_t purchase_payment_type = 0;
  // Orders that existed at the start (amendment targets): ids in [min, max], 0/0 when none.
  std::int64_t sales_min = 0, sales_max = 0, purchase_min = 0, purchase_max = 0;
  std::unordered_set<std::int64_t> amended_sales, amended_purchases;
  Rotation department_rotation, address_rotation, counterparty_rotation;

  std::int64_t pick(Rng& rng, const std::vector<std::int64_t>& ids);  // locks
};

// What an operation needs to know besides its connection.
struct WriteContext {
  Pools& pools;
  std::int64_t sim_day = 0;  // the simulated business date (days since 1970-01-01)
};

SimulationCounts insert_sales_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts insert_purchase_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts amend_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts insert_design(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts insert_staff(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts insert_counterparty(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts change_department(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts change_address(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);
SimulationCounts change_counterparty(pqxx::connection& conn, Rng& rng, const WriteContext& ctx);

SimulationCounts run_operation(pqxx::connection& conn, OperationKind kind, Rng& rng, const WriteContext& ctx);

// The daily batch: marks paid the unpaid payments due between first_day and sim_day (a fixed
// 61% of them, chosen per payment from the seed, as in the real data; the rest stay unpaid).
SimulationCounts settle_payments(pqxx::connection& conn, std::int64_t first_day, std::int64_t sim_day,
                                 std::uint64_t seed);

struct LongTransactionResult {
  SimulationCounts counts;
  std::optional<LateCommit> late;
};
// Inserts an order with its transaction and payment stamped with the clock at the start, keeps
// the transaction open for `hold` (or until `stop` says so), looks for rows other writers
// committed meanwhile with a newer last_updated, then commits.
LongTransactionResult run_long_transaction(pqxx::connection& conn, OperationKind kind, Rng& rng,
                                           const WriteContext& ctx, std::chrono::milliseconds hold,
                                           const std::function<bool()>& stop);

}  // namespace dwh::source::sim
