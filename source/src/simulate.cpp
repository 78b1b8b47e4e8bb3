// The run: a preflight on the database, then writer threads that follow the plan, one thread for
// long transactions, and the settlement batches on the calling thread.
#include "dwh/source/simulate.hpp"

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "dwh/core/log.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/source/simulate_plan.hpp"
#include "simulate_values.hpp"
#include "simulate_writes.hpp"

namespace dwh::source {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr int kRollbackRetries = 3;
constexpr milliseconds kWaitSlice{50};
constexpr std::int64_t kMsPerDay = 86'400'000;
// The settlement batch also pays what fell due in the week before the run (base data that
// reaches up to today), as the real batch pays on the due date.
constexpr std::int64_t kSettlementLookbackDays = 6;
// Seeds of the dimension rotations (distinct from the plan's streams).
constexpr std::uint64_t kRotationStream = 1ULL << 50;

constexpr std::array<std::string_view, 11> kTables = {
    "address",      "counterparty", "currency",       "department",  "design", "staff",
    "payment_type", "sales_order",  "purchase_order", "transaction", "payment"};
// Tables a simulation needs rows in before it can write orders.
constexpr std::array<std::string_view, 7> kBaseTables = {
    "address", "counterparty", "currency", "department", "design", "staff", "payment_type"};

Error failure(std::string message) {
  return make_error("SimulationFailed", std::move(message));
}

std::vector<std::int64_t> ids(pqxx::nontransaction& q, const std::string& sql) {
  std::vector<std::int64_t> out;
  for (const auto& row : q.exec(sql)) out.push_back(row[0].as<std::int64_t>());
  return out;
}

// Checks that the totesys tables exist and hold base data, and loads what writers refer to.
Status load_pools(pqxx::connection& conn, const std::string& where, std::uint64_t seed, sim::Pools& p) {
  pqxx::nontransaction q(conn);
  std::string missing;
  for (auto table : kTables) {
    const pqxx::result r = q.exec_params("SELECT to_regclass($1) IS NULL", std::string(table));
    if (r[0][0].as<bool>()) missing += (missing.empty() ? "" : ", ") + std::string(table);
  }
  if (!missing.empty()) {
    return make_error("SchemaMissing", "the database at " + where + " has no totesys table " + missing +
                                           ": run `dwh source init` and `dwh source generate` first");
  }
  std::string empty;
  for (auto table : kBaseTables) {
    const pqxx::result r = q.exec("SELECT NOT EXISTS (SELECT 1 FROM " + std::string(table) + ")");
    if (r[0][0].as<bool>()) empty += (empty.empty() ? "" : ", ") + std::string(table);
  }
  if (!empty.empty()) {
    return make_error("NoBaseData", "the totesys database at " + where + " has no rows in " + empty +
                                        ": run `dwh source generate` first");
  }
  for (const auto& row : q.exec("SELECT payment_type_id, payment_type_name::text FROM payment_type")) {
    const auto name = row[1].as<std::string>();
    if (name == "SALES_RECEIPT") p.sales_receipt_type = row[0].as<std::int64_t>();
    if (name == "PURCHASE_PAYMENT") p.purchase_payment_type = row[0].as<std::int64_t>();
  }
  if (p.sales_receipt_type == 0 || p.purchase_payment_type == 0) {
    return make_error("NoBaseData",
                      "payment_type at " + where +
                          " lacks SALES_RECEIPT or PURCHASE_PAYMENT: run `dwh source generate` first");
  }
  p.designs = ids(q, "SELECT design_id FROM design ORDER BY 1");
  p.staff = ids(q, "SELECT staff_id FROM staff ORDER BY 1");
  p.counterparties = ids(q, "SELECT counterparty_id FROM counterparty ORDER BY 1");
  p.addresses = ids(q, "SELECT address_id FROM address ORDER BY 1");
  p.departments = ids(q, "SELECT department_id FROM department ORDER BY 1");
  p.currencies = ids(q, "SELECT currency_id FROM currency ORDER BY 1");
  const pqxx::row so =
      q.exec1("SELECT coalesce(min(sales_order_id), 0), coalesce(max(sales_order_id), 0) FROM sales_order");
  p.sales_min = so[0].as<std::int64_t>();
  p.sales_max = so[1].as<std::int64_t>();
  const pqxx::row po = q.exec1(
      "SELECT coalesce(min(purchase_order_id), 0), coalesce(max(purchase_order_id), 0) FROM purchase_order");
  p.purchase_min = po[0].as<std::int64_t>();
  p.purchase_max = po[1].as<std::int64_t>();
  p.department_rotation = sim::Rotation(p.departments, sim::derive_seed(seed, kRotationStream));
  p.address_rotation = sim::Rotation(p.addresses, sim::derive_seed(seed, kRotationStream + 1));
  p.counterparty_rotation = sim::Rotation(p.counterparties, sim::derive_seed(seed, kRotationStream + 2));
  return {};
}

// Shared by the threads of one run.
class Run {
 public:
  Run(const SimulateOptions& options, const WorkloadPlan& plan, sim::Pools& pools, std::int64_t start_day)
      : options_(options), plan_(plan), pools_(pools), start_day_(start_day), t0_(Clock::now()) {}

  bool stopping() const { return failed_.load() || (options_.stop != nullptr && options_.stop->load()); }

  // Sleeps until `offset` into the run; false when the run is stopping.
  bool wait_until(milliseconds offset) const {
    const auto at = t0_ + offset;
    for (;;) {
      if (stopping()) return false;
      const auto now = Clock::now();
      if (now >= at) return true;
      std::this_thread::sleep_for(std::min<Clock::duration>(at - now, kWaitSlice));
    }
  }

  bool past_deadline() const { return Clock::now() - t0_ >= options_.duration; }

  std::int64_t sim_day_now() const {
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - t0_);
    return start_day_ + elapsed / plan_.day_length;
  }

  void fail(Error error) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(error);
    failed_ = true;
  }

  void add(const SimulationCounts& counts, std::int64_t skipped = 0) {
    std::lock_guard lock(mu_);
    counts_ += counts;
    skipped_ += skipped;
  }

  void add_late(LateCommit late) {
    std::lock_guard lock(mu_);
    late_.push_back(std::move(late));
  }

  // A writer connection; on failure the run stops with the error.
  std::unique_ptr<pqxx::connection> connect() {
    auto conn = pg::connect(options_.url, options_.connect_timeout);
    if (!conn) {
      fail(failure("a writer could not connect: " + conn.error().message));
      return nullptr;
    }
    return std::move(conn).value();
  }

  // Runs `write`, retrying when PostgreSQL rolled it back (deadlock, serialization failure).
  template <class F>
  bool attempt(std::string_view what, F&& write) {
    for (int attempt = 1;; ++attempt) {
      try {
        write();
        return true;
      } catch (const pqxx::transaction_rollback& e) {
        if (attempt >= kRollbackRetries) {
          fail(failure(std::string(what) + " was rolled back " + std::to_string(attempt) +
                       " times: " + e.what()));
          return false;
        }
      } catch (const std::exception& e) {
        fail(failure(std::string(what) + " failed: " + e.what()));
        return false;
      }
    }
  }

  void writer(std::atomic<std::size_t>& next) {
    auto conn = connect();
    if (!conn) return;
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= plan_.operations.size()) return;
      const PlannedOperation& op = plan_.operations[i];
      if (!wait_until(op.at)) return;
      if (past_deadline()) {
        add({}, 1);
        continue;
      }
      sim::WriteContext ctx{pools_, sim_day_now()};
      SimulationCounts done;
      const bool ok = attempt(operation_name(op.kind), [&] {
        sim::Rng rng(op.seed);  // a retry writes the same values again
        done = sim::run_operation(*conn, op.kind, rng, ctx);
      });
      if (!ok) return;
      add(done);
    }
  }

  void long_writer() {
    if (plan_.long_transactions.empty()) return;
    auto conn = connect();
    if (!conn) return;
    for (const auto& op : plan_.long_transactions) {
      if (!wait_until(op.at)) return;
      sim::WriteContext ctx{pools_, sim_day_now()};
      sim::LongTransactionResult result;
      const bool ok = attempt("long transaction", [&] {
        sim::Rng rng(op.seed);
        result =
            sim::run_long_transaction(*conn, op.kind, rng, ctx, plan_.hold, [this] { return stopping(); });
      });
      if (!ok) return;
      add(result.counts);
      if (result.late) add_late(std::move(*result.late));
    }
  }

  void settler(pqxx::connection& conn) {
    for (std::size_t k = 0; k < plan_.settlements.size(); ++k) {
      if (!wait_until(plan_.settlements[k])) return;
      const std::int64_t day = start_day_ + static_cast<std::int64_t>(k) + 1;
      SimulationCounts done;
      const bool ok = attempt("settlement batch", [&] {
        done = sim::settle_payments(conn, start_day_ - kSettlementLookbackDays, day, options_.seed);
      });
      if (!ok) return;
      log::debug("settlement batch",
                 {{"sim_date", sim::iso_date(day)}, {"payments_settled", done.payments_settled}});
      add(done);
    }
  }

  milliseconds elapsed() const { return std::chrono::duration_cast<milliseconds>(Clock::now() - t0_); }

  Result<SimulateReport> finish(SimulateReport report) {
    std::lock_guard lock(mu_);
    if (error_) return *error_;
    report.counts = counts_;
    report.skipped_operations = skipped_;
    std::sort(late_.begin(), late_.end(),
              [](const LateCommit& a, const LateCommit& b) { return a.id < b.id; });
    report.late_commits = late_;
    return report;
  }

 private:
  const SimulateOptions& options_;
  const WorkloadPlan& plan_;
  sim::Pools& pools_;
  const std::int64_t start_day_;
  const Clock::time_point t0_;
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  std::optional<Error> error_;
  SimulationCounts counts_;
  std::int64_t skipped_ = 0;
  std::vector<LateCommit> late_;
};

}  // namespace

Result<SimulateReport> simulate(const SimulateOptions& options) {
  if (auto valid = validate(options); !valid) return valid.error();
  auto url = pg::validate_database_url(options.url);
  if (!url) return url.error();
  auto conn = pg::connect(options.url, options.connect_timeout);
  if (!conn) return conn.error();

  sim::Pools pools;
  try {
    if (auto loaded = load_pools(**conn, url->where(), options.seed, pools); !loaded) return loaded.error();
  } catch (const std::exception& e) {
    return failure("reading the totesys base data at " + url->where() + " failed: " + e.what());
  }

  const WorkloadPlan plan = plan_workload(options);
  const std::int64_t started_ms = sim::now_ms();
  SimulateReport report;
  report.planned_operations = static_cast<std::int64_t>(plan.operations.size());
  report.started_at = sim::timestamp_ms(started_ms);
  log::info("simulation started", {{"where", url->where()},
                                   {"planned_operations", report.planned_operations},
                                   {"long_transactions", plan.long_transactions.size()},
                                   {"settlement_batches", plan.settlements.size()},
                                   {"day_length_ms", plan.day_length.count()},
                                   {"hold_ms", plan.hold.count()}});

  Run run(options, plan, pools, started_ms / kMsPerDay);
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < options.concurrency; ++i) threads.emplace_back([&run, &next] { run.writer(next); });
  threads.emplace_back([&run] { run.long_writer(); });
  run.settler(**conn);
  for (auto& t : threads) t.join();

  report.elapsed = run.elapsed();
  report.interrupted = options.stop != nullptr && options.stop->load();
  auto finished = run.finish(std::move(report));
  if (finished && finished->skipped_operations > 0) {
    log::warn("the database did not keep up with --rate: operations left out",
              {{"skipped_operations", finished->skipped_operations}});
  }
  return finished;
}

}  // namespace dwh::source
