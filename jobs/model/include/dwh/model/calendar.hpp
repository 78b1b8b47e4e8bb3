#pragma once
// Proleptic Gregorian calendar arithmetic on "days since 1970-01-01" (Parquet's DATE), and the
// parts of a date the generated calendar dimension holds. Pure functions; the arithmetic is
// constexpr and inline because the engine calls it once per value.
//
// Conventions (docs/models.md): ISO day of week, Monday = 1 ... Sunday = 7; English day and
// month names in full, unpadded ("Monday", "September"); quarter 1..4.
#include <cstdint>
#include <string>
#include <string_view>

namespace dwh::model {

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31

  friend constexpr bool operator==(const CivilDate&, const CivilDate&) = default;
};

constexpr bool is_leap_year(int year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// 0 when month is outside 1..12.
constexpr int days_in_month(int year, int month) noexcept {
  constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

constexpr bool is_valid_date(int year, int month, int day) noexcept {
  return day >= 1 && day <= days_in_month(year, month);
}

// Days since 1970-01-01 of a valid civil date (H. Hinnant's days_from_civil: no table, no loop).
constexpr std::int64_t days_from_civil(int year, int month, int day) noexcept {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;                          // [0, 399]
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;       // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;           // [0, 365]
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * 146097 + doe - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t days) noexcept {
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return CivilDate{static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

// ISO 8601 day of week: Monday = 1 ... Sunday = 7. 1970-01-01 was a Thursday.
constexpr int iso_day_of_week(std::int64_t days) noexcept {
  const std::int64_t r = (days + 3) % 7;  // Monday = 0
  return static_cast<int>(r < 0 ? r + 7 : r) + 1;
}

// 1..4; 0 when month is outside 1..12.
constexpr int quarter_of_month(int month) noexcept {
  return month < 1 || month > 12 ? 0 : (month - 1) / 3 + 1;
}

// "Monday" ... "Sunday"; "" outside 1..7.
std::string_view day_name(int iso_day_of_week) noexcept;
// "January" ... "December"; "" outside 1..12.
std::string_view month_name(int month) noexcept;

// Every part of one date, as dim_date holds them.
struct CalendarFields {
  std::int64_t days = 0;  // the date itself
  int year = 1970;
  int month = 1;
  int day = 1;
  int iso_day_of_week = 4;
  int quarter = 1;
  std::string_view day_name;
  std::string_view month_name;
};

CalendarFields calendar_fields(std::int64_t days) noexcept;

// "YYYY-MM-DD" (for messages and tests; years outside 0..9999 are written as they are).
std::string format_date(std::int64_t days);

}  // namespace dwh::model
