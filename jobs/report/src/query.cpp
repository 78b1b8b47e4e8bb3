// The dashboard's data: one read-only transaction over the warehouse views and the control
// table (plain SELECTs with LIMIT, valid on PostgreSQL and Redshift alike), then the page file.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <pqxx/pqxx>

#include "dwh/core/log.hpp"
#include "dwh/pg/database_url.hpp"
#include "dwh/report/report.hpp"

namespace dwh::report {
namespace {

constexpr const char* kRevenueSql =
    "SELECT year, month, currency_code, orders, units_sold, revenue FROM sales_revenue_by_month_currency "
    "ORDER BY year, month, currency_code";
constexpr const char* kDesignsSql =
    "SELECT design_id, design_name, units_sold, orders, units_rank FROM sales_units_by_design "
    "WHERE units_rank <= 10 ORDER BY units_rank, design_id";
constexpr const char* kStaffSql =
    "SELECT staff_id, first_name, last_name, department_name, currency_code, orders, revenue, revenue_rank "
    "FROM sales_revenue_by_staff WHERE revenue_rank <= 10 ORDER BY currency_code, revenue_rank, staff_id";
constexpr const char* kCountrySql =
    "SELECT country, currency_code, orders, units_sold, revenue FROM sales_by_counterparty_country "
    "ORDER BY currency_code, revenue DESC, country";
constexpr const char* kPurchasesSql =
    "SELECT year, month, currency_code, purchases, purchase_payments, sales_receipts "
    "FROM purchases_and_payments_by_month ORDER BY year, month, currency_code";
constexpr const char* kFreshnessSql =
    "SELECT newest_source_change, last_load_at, loads FROM warehouse_freshness";
constexpr const char* kLastRunSql =
    "SELECT run_id, model, loaded_at, load_seconds, row_counts FROM dwh_loaded_manifests "
    "ORDER BY loaded_at DESC, run_id DESC LIMIT 1";

std::string text(const pqxx::field& f) {
  return f.is_null() ? std::string() : f.as<std::string>();
}
std::int64_t integer(const pqxx::field& f) {
  return f.is_null() ? 0 : f.as<std::int64_t>();
}
double amount(const pqxx::field& f) {
  return f.is_null() ? 0.0 : f.as<double>();
}
std::optional<std::string> optional_text(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional<std::string>(f.as<std::string>());
}

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

void read_views(pqxx::read_transaction& tx, ReportData& d) {
  for (const auto& r : tx.exec(kRevenueSql)) {
    d.revenue_by_month.push_back({static_cast<int>(integer(r[0])), static_cast<int>(integer(r[1])),
                                  text(r[2]), integer(r[3]), integer(r[4]), amount(r[5])});
  }
  for (const auto& r : tx.exec(kDesignsSql)) {
    d.top_designs.push_back({integer(r[0]), text(r[1]), integer(r[2]), integer(r[3]), integer(r[4])});
  }
  for (const auto& r : tx.exec(kStaffSql)) {
    d.top_staff.push_back({integer(r[0]), text(r[1]), text(r[2]), text(r[3]), text(r[4]), integer(r[5]),
                           amount(r[6]), integer(r[7])});
  }
  for (const auto& r : tx.exec(kCountrySql)) {
    d.sales_by_country.push_back({text(r[0]), text(r[1]), integer(r[2]), integer(r[3]), amount(r[4])});
  }
  for (const auto& r : tx.exec(kPurchasesSql)) {
    d.purchases_payments.push_back({static_cast<int>(integer(r[0])), static_cast<int>(integer(r[1])),
                                    text(r[2]), amount(r[3]), amount(r[4]), amount(r[5])});
  }
  const auto freshness = tx.exec(kFreshnessSql);
  if (!freshness.empty()) {
    d.freshness = {optional_text(freshness[0][0]), optional_text(freshness[0][1]), integer(freshness[0][2])};
  }
  const auto last = tx.exec(kLastRunSql);
  if (!last.empty()) {
    d.last_run =
        LastRun{text(last[0][0]), text(last[0][1]), text(last[0][2]), amount(last[0][3]), text(last[0][4])};
  }
}

}  // namespace

Result<ReportData> query_report(const std::string& warehouse_url) {
  auto conn = pg::connect(warehouse_url);
  if (!conn) return std::move(conn).error();
  ReportData data;
  data.generated_at = utc_now();
  try {
    pqxx::read_transaction tx(**conn);
    read_views(tx, data);
  } catch (const pqxx::undefined_table& e) {
    return make_error(
        "WarehouseNotInitialized",
        std::string("the warehouse has no dashboard views or control table (run `dwh warehouse init` "
                    "first): ") +
            e.what());
  } catch (const std::exception& e) {
    // libpq's messages name the server and statement, never the password.
    return make_error("WarehouseError", std::string("reading the warehouse views failed: ") + e.what());
  }
  return data;
}

Result<ReportSummary> write_report(const std::string& warehouse_url, const std::filesystem::path& out) {
  namespace fs = std::filesystem;
  auto data = query_report(warehouse_url);
  if (!data) return std::move(data).error();
  ReportSummary summary;
  summary.out = out;
  const std::string html = render_report(*data, &summary.marks);
  summary.bytes = html.size();
  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  // Written aside and renamed, so a browser never opens half a page.
  const fs::path tmp = out.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file.write(html.data(), static_cast<std::streamsize>(html.size()));
    if (!file.flush()) {
      fs::remove(tmp, ec);
      return make_error("WriteFailed", "cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, out, ec);
  if (ec) {
    const std::string reason = ec.message();
    fs::remove(tmp, ec);
    return make_error("WriteFailed", "cannot write " + out.string() + ": " + reason);
  }
  log::info("report written", {{"out", out.string()}, {"bytes", summary.bytes}, {"marks", summary.marks}});
  return summary;
}

}  // namespace dwh::report
