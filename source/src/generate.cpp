#include "dwh/source/generate.hpp"

#include <chrono>
#include <cmath>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

#include "dwh/core/log.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/source/generate_model.hpp"
#include "dwh/source/schema_init.hpp"
#include "generate_constraints.hpp"
#include "generate_load.hpp"

namespace dwh::source {
namespace {

// One generate at a time per database (an arbitrary constant: "totesgen" in ASCII).
constexpr long long kGenerateLockKey = 0x746f74657367656eLL;

// Real row counts (2024-11-15 dump): they add up, 11,187 + 4,649 = 15,836 transactions and payments.
constexpr double kSalesOrders = 11'187;
constexpr double kPurchaseOrders = 4'649;
constexpr double kDesigns = 472;
constexpr double kCounterparties = 20;
constexpr double kAddresses = 30;

std::int64_t sublinear(double base, double scale) {
  return std::max<std::int64_t>(1, std::llround(base * std::sqrt(scale)));
}

std::string format_scale(double scale) {
  std::ostringstream out;
  out << scale;
  return out.str();
}

// Tables that already hold rows, in schema order.
std::vector<std::string> tables_with_rows(pqxx::connection& conn) {
  std::vector<std::string> found;
  pqxx::work tx(conn);
  tx.exec("SET LOCAL search_path TO public");
  for (const auto& t : totesys_tables())
    if (tx.exec("SELECT EXISTS (SELECT 1 FROM " + std::string(t.name) + ")")[0][0].as<bool>())
      found.emplace_back(t.name);
  return found;
}

// A generate run killed mid-load leaves the big tables without their constraints. With
// --replace that is repaired: the missing constraints are added and, only if the schema is then
// exactly totesys, committed; anything else is left untouched and reported.
Status check_or_repair_schema(pqxx::connection& conn, ExistingData existing) {
  Status checked = check_schema(conn);
  if (checked || existing != ExistingData::Replace || checked.error().code != "SchemaMismatch")
    return checked;
  try {
    pqxx::work tx(conn);
    restore_missing_constraints(tx);
    if (!schema_differences(tx).empty()) return checked;
    tx.commit();
    log::warn("source generate: put back constraints an interrupted load had dropped");
    return {};
  } catch (const std::exception&) {
    return checked;
  }
}

}  // namespace

std::int64_t TableCounts::total() const {
  return address + counterparty + currency + department + design + staff + payment_type + sales_order +
         purchase_order + transaction + payment;
}

std::int64_t TableCounts::of(std::string_view table) const {
  if (table == "address") return address;
  if (table == "counterparty") return counterparty;
  if (table == "currency") return currency;
  if (table == "department") return department;
  if (table == "design") return design;
  if (table == "staff") return staff;
  if (table == "payment_type") return payment_type;
  if (table == "sales_order") return sales_order;
  if (table == "purchase_order") return purchase_order;
  if (table == "transaction") return transaction;
  if (table == "payment") return payment;
  throw std::out_of_range("not a totesys table: " + std::string(table));
}

TableCounts counts_for_scale(double scale) {
  TableCounts c;
  c.currency = 3;
  c.department = 8;
  c.staff = 20;
  c.payment_type = 4;
  c.address = sublinear(kAddresses, scale);
  c.counterparty = sublinear(kCounterparties, scale);
  c.design = sublinear(kDesigns, scale);
  c.sales_order = std::llround(kSalesOrders * scale);
  c.purchase_order = std::llround(kPurchaseOrders * scale);
  c.transaction = c.sales_order + c.purchase_order;
  c.payment = c.transaction;
  return c;
}

Status validate(const GenerateOptions& options) {
  if (!std::isfinite(options.scale) || options.scale <= 0)
    return make_error("InvalidArgument",
                      "--scale must be a number greater than 0 (got " + format_scale(options.scale) + ")");
  if (options.scale > kMaxScale)
    return make_error("InvalidArgument", "--scale must be at most " + format_scale(kMaxScale) +
                                             " (ids are PostgreSQL integers); got " +
                                             format_scale(options.scale));
  return {};
}

Result<GenerateReport> generate(const GenerateOptions& options) {
  if (auto v = validate(options); !v) return v.error();
  const auto start = std::chrono::steady_clock::now();
  GenerateReport report;
  report.counts = counts_for_scale(options.scale);
  report.streams = 4;
  // This connection holds a session lock for the whole run, so a second generate on the same
  // database waits and then sees this one's rows, instead of both loading at once.
  auto conn = pg::connect(options.url, options.connect_timeout);
  if (!conn) return conn.error();
  try {
    pqxx::nontransaction(**conn).exec("SELECT pg_advisory_lock(" + std::to_string(kGenerateLockKey) + ")");
  } catch (const std::exception& e) {
    return make_error("DatabaseError", e.what());
  }
  if (auto s = check_or_repair_schema(**conn, options.existing); !s) return s.error();
  try {
    const auto filled = tables_with_rows(**conn);
    if (!filled.empty() && options.existing == ExistingData::Refuse) {
      std::string list;
      for (const auto& t : filled) list += (list.empty() ? "" : ", ") + t;
      return make_error("NotEmpty", "the totesys tables already hold rows (" + list +
                                        "); pass --replace to empty every totesys table first");
    }
  } catch (const std::exception& e) {
    return make_error("DatabaseError", e.what());
  }

  const gen::Model model(report.counts, options.seed);
  auto phases = load_generated(options, model);
  if (!phases) return std::move(phases).error();
  report.phases = *phases;

  // The end state must be exactly init's schema, constraints rebuilt included.
  const auto check_start = std::chrono::steady_clock::now();
  if (auto s = check_schema(**conn); !s)
    return make_error("DatabaseError",
                      "after loading, the schema is not the totesys schema: " + s.error().message);
  report.phases.finish +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - check_start).count();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace dwh::source
