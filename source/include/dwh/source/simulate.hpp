#pragma once
// `dwh source simulate`: a live workload on a generated totesys database, for the incremental
// jobs' tests and the demo. Writers insert orders with their transaction and payment, now and then
// staff, designs and counterparties; they amend orders and change departments, addresses and
// counterparty contacts; a settlement batch opens every simulated day and marks due payments
// paid; long transactions hold their rows uncommitted for seconds, so rows with an older
// last_updated become visible after newer ones (what an incremental extractor must not lose).
//
// Every write sets last_updated itself, as the real application does (the column has no default
// and no trigger): new rows get created_at = last_updated = the writer's clock in milliseconds;
// updates move last_updated forward.
//
// Error codes: "InvalidArgument" (bad options), the dwh::pg connection codes, "SchemaMissing"
// (no totesys tables), "NoBaseData" (run `dwh source generate` first): all bad input, exit 2
// (see is_simulate_input_error). "SimulationFailed": a write failed during the run, exit 1.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::source {

struct SimulateOptions {
  std::string url;  // libpq URI of the totesys database
  // Operations per second: new orders, amendments, new staff/designs/counterparties and
  // dimension changes, in fixed shares (see simulate_plan.hpp). Settlement batches and long
  // transactions come on top.
  double rate = 10.0;
  std::chrono::milliseconds duration{60'000};
  std::uint64_t seed = 1;
  int concurrency = 3;  // writer connections for the operations
  // Length of one simulated business day; the settlement batch opens each day after the first.
  // Zero: a quarter of the duration, between 1 s and 60 s.
  std::chrono::milliseconds day_length{0};
  // How long a long transaction stays open before it commits (at most half the duration).
  std::chrono::milliseconds late_hold{3'000};
  std::chrono::seconds connect_timeout{10};
  // Set (e.g. from a SIGINT handler) to end the run early; the report covers what was done.
  const std::atomic<bool>* stop = nullptr;
};

// Everything one run committed, by kind. Order inserts count their transaction and payment too.
struct SimulationCounts {
  std::int64_t sales_orders = 0;
  std::int64_t purchase_orders = 0;
  std::int64_t transactions = 0;
  std::int64_t payments = 0;
  std::int64_t staff = 0;
  std::int64_t designs = 0;
  std::int64_t counterparties = 0;
  std::int64_t addresses = 0;  // legal addresses of some new counterparties
  std::int64_t settlement_batches = 0;
  std::int64_t payments_settled = 0;
  std::int64_t amendments = 0;        // distinct orders amended (each at most once per run)
  std::int64_t amended_payments = 0;  // unpaid payments whose amount followed a quantity change
  std::int64_t department_changes = 0;
  std::int64_t address_changes = 0;
  std::int64_t counterparty_changes = 0;
  std::int64_t long_transactions = 0;
  std::int64_t late_commits = 0;  // long transactions seen to be overtaken before they committed

  SimulationCounts& operator+=(const SimulationCounts& other);
};

// The count fields with their JSON key and table label, in print order.
struct CountField {
  std::string_view key;
  std::string_view label;
  std::int64_t SimulationCounts::*member;
};
const std::vector<CountField>& simulation_count_fields();

// A row that committed late: its last_updated is older than that of a row another writer
// committed while it was held.
struct LateCommit {
  std::string table;  // "sales_order" or "purchase_order"
  std::int64_t id = 0;
  std::string last_updated;  // "YYYY-MM-DD HH:MM:SS.mmm"
  std::string overtaken_by_table;
  std::int64_t overtaken_by_id = 0;
  std::string overtaken_by_last_updated;
};

struct SimulateReport {
  SimulationCounts counts;
  std::int64_t planned_operations = 0;
  std::int64_t skipped_operations = 0;  // not started by the deadline (the rate was not kept up)
  bool interrupted = false;             // options.stop ended the run early
  std::string started_at;               // writer clock at the start, "YYYY-MM-DD HH:MM:SS.mmm"
  std::chrono::milliseconds elapsed{0};
  std::vector<LateCommit> late_commits;
};

// "30s", "2m", "1h", "1500ms", "1.5s", or plain seconds ("45"). Must be positive.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// Checks the options without touching the database ("InvalidArgument").
Status validate(const SimulateOptions& options);

// Runs the workload against options.url until the duration has passed and every long
// transaction has committed.
Result<SimulateReport> simulate(const SimulateOptions& options);

}  // namespace dwh::source
