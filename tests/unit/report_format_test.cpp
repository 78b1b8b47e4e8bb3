// The dashboard's number, time and text formatting.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "dwh/report/report.hpp"

namespace dwh::report {
namespace {

TEST(ReportFormat, EscapesEveryHtmlSpecialCharacter) {
  EXPECT_EQ(escape_html("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("a \"b\" & c"), "a &quot;b&quot; &amp; c");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");
  EXPECT_EQ(escape_html("caf\u00e9 \u2013 ok"), "caf\u00e9 \u2013 ok");
  EXPECT_EQ(escape_html(""), "");
}

TEST(ReportFormat, IntegersGetThousandsSeparators) {
  EXPECT_EQ(format_integer(0), "0");
  EXPECT_EQ(format_integer(999), "999");
  EXPECT_EQ(format_integer(1000), "1,000");
  EXPECT_EQ(format_integer(1234567), "1,234,567");
  EXPECT_EQ(format_integer(-1234), "-1,234");
  EXPECT_EQ(format_integer(std::numeric_limits<std::int64_t>::min()), "-9,223,372,036,854,775,808");
}

TEST(ReportFormat, DecimalsAndAmounts) {
  EXPECT_EQ(format_decimal(1234567.891, 2), "1,234,567.89");
  EXPECT_EQ(format_decimal(999.996, 2), "1,000.00");  // rounding carries into a new group
  EXPECT_EQ(format_decimal(-0.001, 2), "0.00");
  EXPECT_EQ(format_decimal(-2500.5, 1), "-2,500.5");
  EXPECT_EQ(format_decimal(12.0, 0), "12");
  EXPECT_EQ(format_amount(1234.5, "GBP"), "GBP 1,234.50");
}

TEST(ReportFormat, NiceTicksStartAtZeroAndCoverTheMaximum) {
  EXPECT_EQ(nice_ticks(870000, 5), (std::vector<double>{0, 200000, 400000, 600000, 800000, 1000000}));
  EXPECT_EQ(nice_ticks(100, 5), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(9, 4), (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(nice_ticks(0, 5), (std::vector<double>{0, 1}));
  for (double max : {0.37, 3.0, 47.0, 1001.0, 123456789.0}) {
    for (int n = 1; n <= 6; ++n) {
      const auto t = nice_ticks(max, n);
      EXPECT_GE(t.back(), max) << max << " " << n;
      EXPECT_LE(static_cast<int>(t.size()) - 1, n + 1) << max << " " << n;
    }
  }
}

TEST(ReportFormat, TickLabelsShowDecimalsOnlyWhenTheStepNeedsThem) {
  EXPECT_EQ(format_tick(1000000, 250000), "1,000,000");
  EXPECT_EQ(format_tick(7.5, 2.5), "7.5");
  EXPECT_EQ(format_tick(0.2, 0.05), "0.20");
}

TEST(ReportFormat, MonthsAndAges) {
  EXPECT_EQ(month_label(2024, 1), "Jan 2024");
  EXPECT_EQ(month_label(2025, 12), "Dec 2025");
  EXPECT_EQ(seconds_between("2026-11-21 12:00:00", "2026-11-21 13:30:15.5").value(), 5415.5);
  EXPECT_EQ(seconds_between("2024-02-28 23:59:59", "2024-03-01 00:00:00").value(), 86401);  // leap day
  EXPECT_FALSE(seconds_between("yesterday", "2026-11-21 13:30:15").has_value());
  EXPECT_EQ(format_age(45), "45 s");
  EXPECT_EQ(format_age(3720), "1 h 2 min");
  EXPECT_EQ(format_age(200000), "2 d 7 h");
  EXPECT_EQ(format_age(-90), "-1 min");
}

}  // namespace
}  // namespace dwh::report
