#include "dwh/model/calendar.hpp"

#include <array>
#include <cstdio>

namespace dwh::model {
namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"January",   "February", "March",    "April",
                                                          "May",       "June",     "July",     "August",
                                                          "September", "October",  "November", "December"};

}  // namespace

std::string_view day_name(int iso_day_of_week) noexcept {
  if (iso_day_of_week < 1 || iso_day_of_week > 7) return {};
  return kDayNames[static_cast<std::size_t>(iso_day_of_week - 1)];
}

std::string_view month_name(int month) noexcept {
  if (month < 1 || month > 12) return {};
  return kMonthNames[static_cast<std::size_t>(month - 1)];
}

CalendarFields calendar_fields(std::int64_t days) noexcept {
  const CivilDate c = civil_from_days(days);
  CalendarFields f;
  f.days = days;
  f.year = c.year;
  f.month = c.month;
  f.day = c.day;
  f.iso_day_of_week = iso_day_of_week(days);
  f.quarter = quarter_of_month(c.month);
  f.day_name = day_name(f.iso_day_of_week);
  f.month_name = month_name(c.month);
  return f;
}

std::string format_date(std::int64_t days) {
  const CivilDate c = civil_from_days(days);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return {buf, n > 0 ? static_cast<std::size_t>(n) : 0};
}

}  // namespace dwh::model
