#pragma once
// Landed text values (docs/ingest.md "Values") to the numbers Parquet stores. The engine calls
// these once per value, so they are pure, allocation-free and never throw. Each returns
// ValueError::None and sets `out`, or a reason (value_error_message) and leaves `out` alone.
//
//   timestamp  "YYYY-MM-DDTHH:MM:SS" with an optional fraction of 1..6 digits
//              -> microseconds since 1970-01-01T00:00:00 (no time zone)
//   date       "YYYY-MM-DD" -> days since 1970-01-01
//   time       "HH:MM:SS" with an optional fraction of 1..6 digits -> microseconds since midnight
//   decimal    "[-]digits[.digits]" -> the unscaled integer at a target (precision, scale);
//              never rounded: more decimal places than the scale is an error
//   integer    "[-]digits" -> int64 / int32 with a range check
// Strict widths: a year has 4 digits, month, day, hours, minutes and seconds 2. No spaces,
// no exponents, no time zone.
#include <cstdint>
#include <string_view>

namespace dwh::model {

enum class ValueError : std::uint8_t {
  None,
  Empty,                 // ""
  BadTimestampFormat,    // not YYYY-MM-DDTHH:MM:SS[.ffffff]
  BadDateFormat,         // not YYYY-MM-DD
  BadTimeFormat,         // not HH:MM:SS[.ffffff]
  NoSuchDate,            // 2024-02-30, month 13, day 0
  NoSuchTime,            // hour > 23, minute or second > 59
  BadFraction,           // '.' without digits, or more than 6 digits
  BadNumber,             // not [-]digits[.digits]
  TooManyDecimalPlaces,  // more fraction digits than the target scale
  ExceedsPrecision,      // more integer digits than precision - scale
  OutOfRange,            // integer outside the target type
  BadPrecision,          // precision/scale not 1..18 / 0..precision (a caller bug)
};

// A short English reason ("no such date", "more decimal places than the scale"), for messages
// that also name the object, line, column and value.
std::string_view value_error_message(ValueError error) noexcept;

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
inline constexpr int kMaxDecimalPrecision = 18;  // what fits an int64 unscaled value

ValueError parse_timestamp_micros(std::string_view text, std::int64_t& out) noexcept;
ValueError parse_date_days(std::string_view text, std::int32_t& out) noexcept;
// "HH:MM:SS[.ffffff]" -> microseconds since midnight (model constants; landed times are rare).
ValueError parse_time_micros(std::string_view text, std::int64_t& out) noexcept;
ValueError parse_decimal(std::string_view text, int precision, int scale, std::int64_t& unscaled) noexcept;
ValueError parse_int64(std::string_view text, std::int64_t& out) noexcept;
ValueError parse_int32(std::string_view text, std::int32_t& out) noexcept;
// A JSON number already read as int64 (simdjson), narrowed to Int32.
ValueError check_int32(std::int64_t value, std::int32_t& out) noexcept;
// A decimal read as an integer (JSON number) at (precision, scale): value * 10^scale.
ValueError integer_to_decimal(std::int64_t value, int precision, int scale, std::int64_t& unscaled) noexcept;

// The date and time-of-day parts of a timestamp (floor division, so times before 1970 work).
constexpr std::int32_t timestamp_date_days(std::int64_t micros) noexcept {
  std::int64_t d = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --d;
  return static_cast<std::int32_t>(d);
}
constexpr std::int64_t timestamp_time_micros(std::int64_t micros) noexcept {
  const std::int64_t r = micros % kMicrosPerDay;
  return r < 0 ? r + kMicrosPerDay : r;
}

}  // namespace dwh::model
