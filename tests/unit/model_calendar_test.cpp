// Calendar arithmetic against independent facts: known weekdays of known dates, libc's timegm
// for every day over four centuries, leap-year rules, names without padding.
#include <gtest/gtest.h>

#include <ctime>

#include "dwh/model/calendar.hpp"

namespace dwh::model {
namespace {

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(civil_from_days(0) == CivilDate{1970, 1, 1});
static_assert(iso_day_of_week(0) == 4);  // Thursday

TEST(TransformCalendar, KnownDates) {
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(days_from_civil(2022, 11, 3), 19299);
  EXPECT_EQ(civil_from_days(19299), (CivilDate{2022, 11, 3}));
  EXPECT_EQ(civil_from_days(-719528), (CivilDate{0, 1, 1}));
  EXPECT_EQ(civil_from_days(2932896), (CivilDate{9999, 12, 31}));
}

TEST(TransformCalendar, RoundTripsAndMatchesTimegmOverFourCenturies) {
  // timegm is the C library's own civil -> seconds conversion: an independent oracle.
  for (std::int64_t days = days_from_civil(1800, 1, 1); days <= days_from_civil(2200, 12, 31); ++days) {
    const CivilDate c = civil_from_days(days);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), days);
    std::tm tm{};
    tm.tm_year = c.year - 1900;
    tm.tm_mon = c.month - 1;
    tm.tm_mday = c.day;
    tm.tm_hour = 12;
    const time_t t = timegm(&tm);
    ASSERT_EQ((t - 12 * 3600) / 86400, days) << format_date(days);
    // tm_wday: Sunday = 0.
    ASSERT_EQ(iso_day_of_week(days), tm.tm_wday == 0 ? 7 : tm.tm_wday) << format_date(days);
  }
}

TEST(TransformCalendar, IsoWeekdaysAndUnpaddedNames) {
  // 2022-11-03 was a Thursday (totesys_transform.md: ('2022-11-03',2022,11,3,4,'Thursday','November',4)).
  const CalendarFields f = calendar_fields(days_from_civil(2022, 11, 3));
  EXPECT_EQ(f.year, 2022);
  EXPECT_EQ(f.month, 11);
  EXPECT_EQ(f.day, 3);
  EXPECT_EQ(f.iso_day_of_week, 4);
  EXPECT_EQ(f.day_name, "Thursday");
  EXPECT_EQ(f.month_name, "November");
  EXPECT_EQ(f.quarter, 4);
  // 2024-01-01 Monday = 1; 2023-12-31 Sunday = 7; before the epoch too.
  EXPECT_EQ(iso_day_of_week(days_from_civil(2024, 1, 1)), 1);
  EXPECT_EQ(iso_day_of_week(days_from_civil(2023, 12, 31)), 7);
  EXPECT_EQ(iso_day_of_week(days_from_civil(1969, 12, 29)), 1);
  EXPECT_EQ(day_name(3), "Wednesday");
  EXPECT_EQ(day_name(7), "Sunday");
  EXPECT_EQ(day_name(0), "");
  EXPECT_EQ(day_name(8), "");
  EXPECT_EQ(month_name(9), "September");
  EXPECT_EQ(month_name(5), "May");
  EXPECT_EQ(month_name(13), "");
}

TEST(TransformCalendar, QuartersAndMonthLengths) {
  const int quarters[12] = {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4};
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(quarter_of_month(m), quarters[m - 1]) << m;
  EXPECT_EQ(quarter_of_month(0), 0);
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2023, 2), 28);
  EXPECT_EQ(days_in_month(1900, 2), 28);
  EXPECT_EQ(days_in_month(2000, 2), 29);
  EXPECT_EQ(days_in_month(2023, 4), 30);
  EXPECT_EQ(days_in_month(2023, 13), 0);
  EXPECT_TRUE(is_valid_date(2024, 2, 29));
  EXPECT_FALSE(is_valid_date(2023, 2, 29));
  EXPECT_FALSE(is_valid_date(2024, 4, 31));
  EXPECT_FALSE(is_valid_date(2024, 1, 0));
}

TEST(TransformCalendar, FormatDate) {
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(days_from_civil(2024, 2, 29)), "2024-02-29");
  EXPECT_EQ(format_date(-1), "1969-12-31");
}

}  // namespace
}  // namespace dwh::model
