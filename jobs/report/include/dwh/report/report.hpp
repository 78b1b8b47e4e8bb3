#pragma once
// `dwh report`: the warehouse dashboard as ONE self-contained HTML file (inline CSS, inline SVG
// charts drawn here, no script, no fonts, no network fetch; a Content-Security-Policy forbids
// them). Every number comes from the warehouse views (models/<dataset>/views/*.sql) and the
// control table, so a BI tool pointed at the same views sees the same numbers.
//
// Amounts are never summed across currencies (the source has no exchange rates): every money
// chart is drawn once per currency (small multiples with their own axis and currency code).
//
// Each chart mark (bar or point) is an SVG element with class "mark" and data-chart="<chart id>"
// (plus data-currency / data-series where they apply), so a test can count marks through the
// DOM. A chart without data shows an element with class "empty" and the same data-chart.
//
// Error codes: WarehouseNotInitialized (a view or the control table is missing: run
// `dwh warehouse init`), WarehouseError (any other query failure), WriteFailed, and the
// connection codes of dwh/pg/database_url.hpp.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::report {

// Chart ids (data-chart values).
inline constexpr const char* kRevenueByMonth = "revenue-by-month";
inline constexpr const char* kTopDesigns = "top-designs";
inline constexpr const char* kTopStaff = "top-staff";
inline constexpr const char* kSalesByCountry = "sales-by-country";
inline constexpr const char* kPurchasesPayments = "purchases-payments";
inline constexpr int kTopN = 10;

struct MonthRevenue {  // sales_revenue_by_month_currency
  int year = 0;
  int month = 0;  // 1..12
  std::string currency;
  std::int64_t orders = 0;
  std::int64_t units = 0;
  double revenue = 0;
};

struct DesignUnits {  // sales_units_by_design, units_rank <= 10
  std::int64_t design_id = 0;
  std::string design_name;
  std::int64_t units = 0;
  std::int64_t orders = 0;
  std::int64_t rank = 0;
};

struct StaffRevenue {  // sales_revenue_by_staff, revenue_rank <= 10 (rank within the currency)
  std::int64_t staff_id = 0;
  std::string first_name;
  std::string last_name;
  std::string department;
  std::string currency;
  std::int64_t orders = 0;
  double revenue = 0;
  std::int64_t rank = 0;
};

struct CountrySales {  // sales_by_counterparty_country
  std::string country;
  std::string currency;
  std::int64_t orders = 0;
  std::int64_t units = 0;
  double revenue = 0;
};

struct MonthPurchasesPayments {  // purchases_and_payments_by_month
  int year = 0;
  int month = 0;
  std::string currency;
  double purchases = 0;
  double purchase_payments = 0;
  double sales_receipts = 0;
};

struct Freshness {  // warehouse_freshness; timestamps as the database prints them (UTC)
  std::optional<std::string> newest_source_change;
  std::optional<std::string> last_load_at;
  std::int64_t loads = 0;
};

// The newest row of the control table. Only committed loads are recorded there, so a row means
// that run loaded completely.
struct LastRun {
  std::string run_id;
  std::string model;
  std::string loaded_at;
  double load_seconds = 0;
  std::string row_counts;  // as stored (JSON text: rows per table)
};

struct ReportData {
  std::string title = "Warehouse dashboard";
  std::string generated_at;  // "YYYY-MM-DD HH:MM:SS" UTC
  std::vector<MonthRevenue> revenue_by_month;
  std::vector<DesignUnits> top_designs;
  std::vector<StaffRevenue> top_staff;
  std::vector<CountrySales> sales_by_country;
  std::vector<MonthPurchasesPayments> purchases_payments;
  Freshness freshness;
  std::optional<LastRun> last_run;
};

// Reads every view the page shows (one read-only transaction, so the charts agree).
Result<ReportData> query_report(const std::string& warehouse_url);

// The page. `marks` (optional) receives the number of marks drawn per chart id.
std::string render_report(const ReportData& data, std::map<std::string, std::size_t>* marks = nullptr);

struct ReportSummary {
  std::filesystem::path out;
  std::uint64_t bytes = 0;
  std::map<std::string, std::size_t> marks;
};

// query_report + render_report, written to `out` atomically (temporary file, then rename).
Result<ReportSummary> write_report(const std::string& warehouse_url, const std::filesystem::path& out);

// ---- Formatting the page uses (exposed for unit tests) ----

// Text for HTML text and (quoted) attribute contexts: & < > " ' escaped.
std::string escape_html(std::string_view text);
// 1234567 -> "1,234,567"; -1234 -> "-1,234".
std::string format_integer(std::int64_t value);
// Fixed decimals with thousands separators: (1234567.891, 2) -> "1,234,567.89".
std::string format_decimal(double value, int decimals);
// "GBP 1,234.50".
std::string format_amount(double value, std::string_view currency);
// Axis ticks from 0: a 1/2/5 x 10^k step giving at most `max_ticks` intervals up to >= max.
std::vector<double> nice_ticks(double max, int max_ticks = 5);
// A tick label: thousands separators, decimals only when the step needs them.
std::string format_tick(double value, double step);
// "Jan 2024".
std::string month_label(int year, int month);
// Seconds between two "YYYY-MM-DD HH:MM:SS[.ffffff]" UTC timestamps (later - earlier); nullopt
// if either does not parse.
std::optional<double> seconds_between(std::string_view earlier, std::string_view later);
// 45 -> "45 s", 3720 -> "1 h 2 min", 200000 -> "2 d 7 h".
std::string format_age(double seconds);

}  // namespace dwh::report
