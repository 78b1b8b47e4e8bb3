// The dashboard page from given data (no database): one mark per row, small multiples per
// currency, escaped values, empty states, and nothing that could load or run.
#include <gtest/gtest.h>

#include <string>

#include "dwh/report/report.hpp"

namespace dwh::report {
namespace {

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size()))
    ++n;
  return n;
}

ReportData sample() {
  ReportData d;
  d.generated_at = "2026-11-21 13:00:00";
  for (int m = 1; m <= 6; ++m) {
    d.revenue_by_month.push_back({2025, m, "GBP", 10, 100, 1000.0 * m});
    if (m != 3) d.revenue_by_month.push_back({2025, m, "USD", 5, 50, 700.0 * m});
    d.purchases_payments.push_back({2025, m, "GBP", 500.0 * m, 400.0, 900.0});
  }
  d.top_designs = {{1, "Granite", 5000, 40, 1}, {2, "<b>bold</b>", 4000, 30, 2}};
  d.top_staff = {{1, "Ada", "Lovelace", "Sales", "GBP", 9, 12345.67, 1},
                 {2, "Ben", "O'Neil", "Sales", "GBP", 8, 999.5, 2},
                 {1, "Ada", "Lovelace", "Sales", "USD", 2, 50.0, 1}};
  d.sales_by_country = {{"France", "GBP", 3, 30, 300.0}, {"Japan", "USD", 1, 10, 100.0}};
  d.freshness = {std::string("2026-11-21 12:30:00.25"), std::string("2026-11-21 12:45:00"), 2};
  d.last_run = LastRun{"run-2", "totesys", "2026-11-21 12:45:00", 0.75,
                       R"({"fact_sales_order": {"staged": 12, "written": 10}})"};
  return d;
}

TEST(ReportRender, OneMarkPerRowPerSeries) {
  std::map<std::string, std::size_t> marks;
  const std::string html = render_report(sample(), &marks);
  EXPECT_EQ(marks[kRevenueByMonth], 11u);
  EXPECT_EQ(marks[kPurchasesPayments], 18u);  // 6 months x 3 series
  EXPECT_EQ(marks[kTopDesigns], 2u);
  EXPECT_EQ(marks[kTopStaff], 3u);
  EXPECT_EQ(marks[kSalesByCountry], 2u);
  for (const auto& [chart, n] : marks) {
    EXPECT_EQ(occurrences(html, "class=\"mark\" data-chart=\"" + chart + "\""), n) << chart;
  }
  // Money charts: one per currency, each with its own axis.
  EXPECT_EQ(occurrences(html, "<svg class=\"chart\" data-chart=\"revenue-by-month\""), 2u);
  EXPECT_EQ(occurrences(html, "<svg class=\"chart\" data-chart=\"top-staff\""), 2u);
  EXPECT_EQ(occurrences(html, "class=\"mark\" data-chart=\"top-staff\" data-currency=\"USD\""), 1u);
}

TEST(ReportRender, FiguresAreFormattedWithSeparatorsAndCurrencies) {
  const std::string html = render_report(sample());
  EXPECT_NE(html.find("GBP 12,345.67"), std::string::npos);
  EXPECT_NE(html.find(">5,000<"), std::string::npos);
  EXPECT_NE(html.find("Jan 2025"), std::string::npos);
  EXPECT_NE(html.find("30 min before this report"), std::string::npos);
  EXPECT_NE(html.find(">run-2<"), std::string::npos);
  EXPECT_NE(html.find("Last run: loaded"), std::string::npos);
}

TEST(ReportRender, DatabaseValuesAreEscaped) {
  ReportData d = sample();
  d.top_designs[0].design_name = "<script>alert('x')</script>";
  d.sales_by_country[0].country = "\"><img src=x onerror=alert(1)>";
  d.top_staff[0].currency = "G\"B'P";
  const std::string html = render_report(d);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("data-currency=\"G&quot;B&#39;P\""), std::string::npos);
  EXPECT_NE(html.find("O&#39;Neil"), std::string::npos);
}

TEST(ReportRender, LongLabelsAreShortenedOnCharacterBoundaries) {
  ReportData d = sample();
  d.top_designs[0].design_name = std::string(30, 'x') + "\u00e9\u00e9\u00e9";
  const std::string html = render_report(d);
  EXPECT_NE(html.find(std::string(23, 'x') + "\u2026<"), std::string::npos);
  // The tooltip keeps the whole name.
  EXPECT_NE(html.find(std::string(30, 'x') + "\u00e9\u00e9\u00e9 (design"), std::string::npos);
}

TEST(ReportRender, EmptyWarehouseShowsNoDataYetForEveryChart) {
  ReportData d;
  d.generated_at = "2026-11-21 13:00:00";
  std::map<std::string, std::size_t> marks;
  const std::string html = render_report(d, &marks);
  for (const char* chart : {kRevenueByMonth, kPurchasesPayments, kTopDesigns, kTopStaff, kSalesByCountry}) {
    EXPECT_EQ(marks[chart], 0u) << chart;
    EXPECT_EQ(occurrences(html, std::string("class=\"empty\" data-chart=\"") + chart + "\""), 1u) << chart;
  }
  EXPECT_EQ(occurrences(html, "<svg"), 0u);
  EXPECT_NE(html.find("no loads yet"), std::string::npos);
}

TEST(ReportRender, PageLoadsAndRunsNothing) {
  const std::string html = render_report(sample());
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  // The only URL is the SVG namespace name, which is never fetched.
  EXPECT_EQ(occurrences(html, "://"), occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

}  // namespace
}  // namespace dwh::report
