#include "dwh/model/values.hpp"

#include <limits>

#include "dwh/model/calendar.hpp"

namespace dwh::model {
namespace {

constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Reads exactly `width` digits at s[pos]; false if any is not a digit.
constexpr bool fixed_digits(std::string_view s, std::size_t pos, std::size_t width, int& out) noexcept {
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!is_digit(s[i])) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

constexpr std::int64_t kPow10[19] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};

// "YYYY-MM-DD" at the start of s (s.size() >= 10 checked by the caller).
ValueError date_prefix(std::string_view s, std::int64_t& days) noexcept {
  int y = 0, m = 0, d = 0;
  if (s[4] != '-' || s[7] != '-' || !fixed_digits(s, 0, 4, y) || !fixed_digits(s, 5, 2, m) ||
      !fixed_digits(s, 8, 2, d)) {
    return ValueError::BadDateFormat;
  }
  if (!is_valid_date(y, m, d)) return ValueError::NoSuchDate;
  days = days_from_civil(y, m, d);
  return ValueError::None;
}

// "HH:MM:SS[.f{1,6}]" from s[pos] to the end of s (s.size() >= pos + 8 checked by the caller).
ValueError time_at(std::string_view s, std::size_t pos, std::int64_t& micros_of_day) noexcept {
  int hh = 0, mi = 0, ss = 0;
  if (s[pos + 2] != ':' || s[pos + 5] != ':' || !fixed_digits(s, pos, 2, hh) ||
      !fixed_digits(s, pos + 3, 2, mi) || !fixed_digits(s, pos + 6, 2, ss)) {
    return ValueError::BadTimeFormat;
  }
  if (hh > 23 || mi > 59 || ss > 59) return ValueError::NoSuchTime;
  std::int64_t micros = 0;
  const std::size_t end = pos + 8;
  if (s.size() > end) {
    if (s[end] != '.') return ValueError::BadTimeFormat;
    const std::size_t digits = s.size() - end - 1;
    if (digits == 0 || digits > 6) return ValueError::BadFraction;
    for (std::size_t i = end + 1; i < s.size(); ++i) {
      if (!is_digit(s[i])) return ValueError::BadFraction;
      micros = micros * 10 + (s[i] - '0');
    }
    micros *= kPow10[6 - digits];
  }
  micros_of_day = ((hh * 60 + mi) * 60 + ss) * kMicrosPerSecond + micros;
  return ValueError::None;
}

}  // namespace

std::string_view value_error_message(ValueError error) noexcept {
  switch (error) {
    case ValueError::None:
      return "ok";
    case ValueError::Empty:
      return "empty value";
    case ValueError::BadTimestampFormat:
      return "not a timestamp YYYY-MM-DDTHH:MM:SS[.ffffff]";
    case ValueError::BadDateFormat:
      return "not a date YYYY-MM-DD";
    case ValueError::BadTimeFormat:
      return "not a time HH:MM:SS[.ffffff]";
    case ValueError::NoSuchDate:
      return "no such date";
    case ValueError::NoSuchTime:
      return "no such time of day";
    case ValueError::BadFraction:
      return "fraction of a second must have 1 to 6 digits";
    case ValueError::BadNumber:
      return "not a number [-]digits[.digits]";
    case ValueError::TooManyDecimalPlaces:
      return "more decimal places than the scale";
    case ValueError::ExceedsPrecision:
      return "more digits than the precision allows";
    case ValueError::OutOfRange:
      return "integer out of range";
    case ValueError::BadPrecision:
      return "decimal precision or scale out of range";
  }
  return "unknown error";
}

ValueError parse_date_days(std::string_view s, std::int32_t& out) noexcept {
  if (s.empty()) return ValueError::Empty;
  if (s.size() != 10) return ValueError::BadDateFormat;
  std::int64_t days = 0;
  if (const ValueError e = date_prefix(s, days); e != ValueError::None) return e;
  out = static_cast<std::int32_t>(days);  // years 0..9999 are well inside int32 days
  return ValueError::None;
}

ValueError parse_timestamp_micros(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return ValueError::Empty;
  if (s.size() < 19 || s[10] != 'T') return ValueError::BadTimestampFormat;
  std::int64_t days = 0;
  if (const ValueError e = date_prefix(s, days); e != ValueError::None) {
    return e == ValueError::BadDateFormat ? ValueError::BadTimestampFormat : e;
  }
  std::int64_t time = 0;
  if (const ValueError e = time_at(s, 11, time); e != ValueError::None) {
    return e == ValueError::BadTimeFormat ? ValueError::BadTimestampFormat : e;
  }
  out = days * kMicrosPerDay + time;
  return ValueError::None;
}

ValueError parse_time_micros(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return ValueError::Empty;
  if (s.size() < 8) return ValueError::BadTimeFormat;
  return time_at(s, 0, out);
}

ValueError parse_decimal(std::string_view s, int precision, int scale, std::int64_t& unscaled) noexcept {
  if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) {
    return ValueError::BadPrecision;
  }
  if (s.empty()) return ValueError::Empty;
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  const std::size_t int_begin = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  const std::size_t int_end = i;
  if (int_end == int_begin) return ValueError::BadNumber;
  std::size_t frac_begin = i, frac_end = i;
  if (i < s.size()) {
    if (s[i] != '.') return ValueError::BadNumber;
    frac_begin = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    frac_end = i;
    if (frac_end == frac_begin || i != s.size()) return ValueError::BadNumber;
  }
  const std::size_t frac_digits = frac_end - frac_begin;
  if (frac_digits > static_cast<std::size_t>(scale)) return ValueError::TooManyDecimalPlaces;
  std::size_t first = int_begin;  // leading zeros do not count against the precision
  while (first + 1 < int_end && s[first] == '0') ++first;
  const std::size_t int_digits = (int_end - first == 1 && s[first] == '0') ? 0 : int_end - first;
  if (int_digits > static_cast<std::size_t>(precision - scale)) return ValueError::ExceedsPrecision;
  // At most `precision` (<= 18) significant digits in all: no overflow below.
  std::int64_t v = 0;
  for (std::size_t k = first; k < int_end; ++k) v = v * 10 + (s[k] - '0');
  for (std::size_t k = frac_begin; k < frac_end; ++k) v = v * 10 + (s[k] - '0');
  v *= kPow10[static_cast<std::size_t>(scale) - frac_digits];
  unscaled = negative ? -v : v;
  return ValueError::None;
}

ValueError parse_int64(std::string_view s, std::int64_t& out) noexcept {
  if (s.empty()) return ValueError::Empty;
  std::size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  if (i == s.size()) return ValueError::BadNumber;
  // Accumulate as a negative number: its range is one larger, so INT64_MIN parses.
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  std::int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!is_digit(s[i])) return ValueError::BadNumber;
    const int d = s[i] - '0';
    if (v < (kMin + d) / 10) return ValueError::OutOfRange;
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == kMin) return ValueError::OutOfRange;
    v = -v;
  }
  out = v;
  return ValueError::None;
}

ValueError check_int32(std::int64_t value, std::int32_t& out) noexcept {
  if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
    return ValueError::OutOfRange;
  }
  out = static_cast<std::int32_t>(value);
  return ValueError::None;
}

ValueError parse_int32(std::string_view s, std::int32_t& out) noexcept {
  std::int64_t v = 0;
  if (const ValueError e = parse_int64(s, v); e != ValueError::None) return e;
  return check_int32(v, out);
}

ValueError integer_to_decimal(std::int64_t value, int precision, int scale, std::int64_t& unscaled) noexcept {
  if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) {
    return ValueError::BadPrecision;
  }
  const std::int64_t limit = kPow10[static_cast<std::size_t>(precision - scale)];  // exclusive
  if (value >= limit || value <= -limit) return ValueError::ExceedsPrecision;
  unscaled = value * kPow10[static_cast<std::size_t>(scale)];
  return ValueError::None;
}

}  // namespace dwh::model
