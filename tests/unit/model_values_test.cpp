// Landed text -> Parquet numbers: exact results for the formats ingest writes, and a named
// reason for every kind of bad value.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "dwh/model/calendar.hpp"
#include "dwh/model/values.hpp"

namespace dwh::model {
namespace {

constexpr std::int64_t kDay = kMicrosPerDay;

std::int64_t ts(std::string_view text) {
  std::int64_t v = 0;
  const ValueError e = parse_timestamp_micros(text, v);
  EXPECT_EQ(e, ValueError::None) << text << ": " << value_error_message(e);
  return v;
}
ValueError ts_error(std::string_view text) {
  std::int64_t v = 12345;
  const ValueError e = parse_timestamp_micros(text, v);
  EXPECT_EQ(v, 12345) << "out changed on error: " << text;
  return e;
}
ValueError date_error(std::string_view text) {
  std::int32_t v = 7;
  const ValueError e = parse_date_days(text, v);
  EXPECT_EQ(v, 7) << "out changed on error: " << text;
  return e;
}
std::int64_t dec(std::string_view text, int p, int s) {
  std::int64_t v = 0;
  const ValueError e = parse_decimal(text, p, s, v);
  EXPECT_EQ(e, ValueError::None) << text << ": " << value_error_message(e);
  return v;
}
ValueError dec_error(std::string_view text, int p, int s) {
  std::int64_t v = 99;
  const ValueError e = parse_decimal(text, p, s, v);
  EXPECT_EQ(v, 99) << "out changed on error: " << text;
  return e;
}

TEST(TransformValues, TimestampsAsIngestWritesThem) {
  EXPECT_EQ(ts("1970-01-01T00:00:00"), 0);
  EXPECT_EQ(ts("1970-01-01T00:00:00.000"), 0);
  // Real totesys values (milliseconds).
  const std::int64_t day = days_from_civil(2022, 11, 3);
  EXPECT_EQ(ts("2022-11-03T14:20:52.186"),
            day * kDay + ((14 * 60 + 20) * 60 + 52) * kMicrosPerSecond + 186000);
  EXPECT_EQ(ts("2022-11-03T14:20:52.1"), day * kDay + ((14 * 60 + 20) * 60 + 52) * kMicrosPerSecond + 100000);
  EXPECT_EQ(ts("2022-11-03T14:20:52.123456"),
            day * kDay + ((14 * 60 + 20) * 60 + 52) * kMicrosPerSecond + 123456);
  EXPECT_EQ(ts("2022-11-03T23:59:59.999999") + 1, (day + 1) * kDay);
  EXPECT_EQ(ts("1969-12-31T23:59:59.5"), -500000);
  EXPECT_EQ(ts("2024-02-29T00:00:00"), days_from_civil(2024, 2, 29) * kDay);
}

TEST(TransformValues, BadTimestampsNameTheReason) {
  EXPECT_EQ(ts_error(""), ValueError::Empty);
  EXPECT_EQ(ts_error("2022-11-03 14:20:52.186"), ValueError::BadTimestampFormat);  // space, not T
  EXPECT_EQ(ts_error("2022-11-03"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("2022-11-3T14:20:52"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("22-11-03T14:20:52.186"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("2022-11-03T14:20:52Z"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("2022-11-03T14:20:52.186Z"), ValueError::BadFraction);
  EXPECT_EQ(ts_error("2022-11-03T14:20:52+00"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("2022-11-03T14:20:5x"), ValueError::BadTimestampFormat);
  EXPECT_EQ(ts_error("2022-11-03T14:20:52."), ValueError::BadFraction);
  EXPECT_EQ(ts_error("2022-11-03T14:20:52.1234567"), ValueError::BadFraction);
  EXPECT_EQ(ts_error("2022-02-30T14:20:52"), ValueError::NoSuchDate);
  EXPECT_EQ(ts_error("2022-13-01T00:00:00"), ValueError::NoSuchDate);
  EXPECT_EQ(ts_error("2022-11-03T24:00:00"), ValueError::NoSuchTime);
  EXPECT_EQ(ts_error("2022-11-03T23:60:00"), ValueError::NoSuchTime);
  EXPECT_EQ(ts_error("2022-11-03T23:59:60"), ValueError::NoSuchTime);
}

TEST(TransformValues, TimestampParts) {
  const std::int64_t t = ts("2022-11-07T07:55:11.885");
  EXPECT_EQ(format_date(timestamp_date_days(t)), "2022-11-07");
  EXPECT_EQ(timestamp_time_micros(t), ((7 * 60 + 55) * 60 + 11) * kMicrosPerSecond + 885000);
  const std::int64_t before = ts("1969-12-31T23:00:00");
  EXPECT_EQ(timestamp_date_days(before), -1);
  EXPECT_EQ(timestamp_time_micros(before), 23 * 3600 * kMicrosPerSecond);
  EXPECT_EQ(timestamp_date_days(ts("1969-12-31T00:00:00")), -1);
}

TEST(TransformValues, TimesOfDay) {
  std::int64_t v = 0;
  EXPECT_EQ(parse_time_micros("14:20:52.186", v), ValueError::None);
  EXPECT_EQ(v, ((14 * 60 + 20) * 60 + 52) * kMicrosPerSecond + 186000);
  EXPECT_EQ(parse_time_micros("00:00:00", v), ValueError::None);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(parse_time_micros("24:00:00", v), ValueError::NoSuchTime);
  EXPECT_EQ(parse_time_micros("1:00:00", v), ValueError::BadTimeFormat);
  EXPECT_EQ(parse_time_micros("01:00:00.", v), ValueError::BadFraction);
  EXPECT_EQ(parse_time_micros("01-00-00", v), ValueError::BadTimeFormat);
}

TEST(TransformValues, DatesStrictly) {
  std::int32_t d = 0;
  EXPECT_EQ(parse_date_days("2022-11-03", d), ValueError::None);
  EXPECT_EQ(d, 19299);
  EXPECT_EQ(parse_date_days("1970-01-01", d), ValueError::None);
  EXPECT_EQ(d, 0);
  EXPECT_EQ(parse_date_days("2024-02-29", d), ValueError::None);
  EXPECT_EQ(format_date(d), "2024-02-29");
  EXPECT_EQ(date_error(""), ValueError::Empty);
  EXPECT_EQ(date_error("2024-02-30"), ValueError::NoSuchDate);
  EXPECT_EQ(date_error("2023-02-29"), ValueError::NoSuchDate);
  EXPECT_EQ(date_error("2023-00-10"), ValueError::NoSuchDate);
  EXPECT_EQ(date_error("2023-04-31"), ValueError::NoSuchDate);
  EXPECT_EQ(date_error("2023-04-00"), ValueError::NoSuchDate);
  EXPECT_EQ(date_error("2023-4-01"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error("2023-04-1"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error("02023-04-01"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error("2023/04/01"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error("2023-04-01T00:00:00"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error(" 2023-04-1"), ValueError::BadDateFormat);
  EXPECT_EQ(date_error("2023-0a-01"), ValueError::BadDateFormat);
}

TEST(TransformValues, DecimalsExactlyAtTheScale) {
  EXPECT_EQ(dec("3.94", 10, 2), 394);
  EXPECT_EQ(dec("552548.62", 10, 2), 55254862);
  EXPECT_EQ(dec("3.9", 10, 2), 390);
  EXPECT_EQ(dec("3", 10, 2), 300);
  EXPECT_EQ(dec("0.05", 10, 2), 5);
  EXPECT_EQ(dec("-0.05", 10, 2), -5);
  EXPECT_EQ(dec("-0.00", 10, 2), 0);
  EXPECT_EQ(dec("00012.50", 10, 2), 1250);
  EXPECT_EQ(dec("99999999.99", 10, 2), 9999999999);
  EXPECT_EQ(dec("-99999999.99", 10, 2), -9999999999);
  EXPECT_EQ(dec("9999999999999999.99", 18, 2), 999999999999999999);
  EXPECT_EQ(dec("0.123", 3, 3), 123);
  EXPECT_EQ(dec("42", 2, 0), 42);
}

TEST(TransformValues, BadDecimalsAreNeverRounded) {
  EXPECT_EQ(dec_error("3.945", 10, 2), ValueError::TooManyDecimalPlaces);
  EXPECT_EQ(dec_error("3.940", 10, 2), ValueError::TooManyDecimalPlaces);
  EXPECT_EQ(dec_error("1.5", 5, 0), ValueError::TooManyDecimalPlaces);
  EXPECT_EQ(dec_error("100000000.00", 10, 2), ValueError::ExceedsPrecision);
  EXPECT_EQ(dec_error("10000000000000000", 18, 2), ValueError::ExceedsPrecision);
  EXPECT_EQ(dec_error("0.1234", 3, 3), ValueError::TooManyDecimalPlaces);
  EXPECT_EQ(dec_error("1.00", 3, 3), ValueError::ExceedsPrecision);
  EXPECT_EQ(dec_error("", 10, 2), ValueError::Empty);
  EXPECT_EQ(dec_error("-", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error(".5", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("5.", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("+5", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("1e3", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("1.2.3", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error(" 1", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("NaN", 10, 2), ValueError::BadNumber);
  EXPECT_EQ(dec_error("1", 19, 2), ValueError::BadPrecision);
  EXPECT_EQ(dec_error("1", 2, 3), ValueError::BadPrecision);
}

TEST(TransformValues, IntegersWithRangeChecks) {
  std::int32_t i = 0;
  EXPECT_EQ(parse_int32("42972", i), ValueError::None);
  EXPECT_EQ(i, 42972);
  EXPECT_EQ(parse_int32("-2147483648", i), ValueError::None);
  EXPECT_EQ(i, std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(parse_int32("2147483647", i), ValueError::None);
  EXPECT_EQ(i, std::numeric_limits<std::int32_t>::max());
  EXPECT_EQ(parse_int32("2147483648", i), ValueError::OutOfRange);
  EXPECT_EQ(parse_int32("-2147483649", i), ValueError::OutOfRange);
  EXPECT_EQ(i, std::numeric_limits<std::int32_t>::max());  // unchanged by the failures
  EXPECT_EQ(parse_int32("", i), ValueError::Empty);
  EXPECT_EQ(parse_int32("1.0", i), ValueError::BadNumber);
  EXPECT_EQ(parse_int32("12a", i), ValueError::BadNumber);
  EXPECT_EQ(parse_int32("-", i), ValueError::BadNumber);

  std::int64_t l = 0;
  EXPECT_EQ(parse_int64("9223372036854775807", l), ValueError::None);
  EXPECT_EQ(l, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_int64("-9223372036854775808", l), ValueError::None);
  EXPECT_EQ(l, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_int64("9223372036854775808", l), ValueError::OutOfRange);
  EXPECT_EQ(parse_int64("-9223372036854775809", l), ValueError::OutOfRange);
  EXPECT_EQ(parse_int64("99999999999999999999999", l), ValueError::OutOfRange);

  EXPECT_EQ(check_int32(5'000'000'000, i), ValueError::OutOfRange);
  EXPECT_EQ(check_int32(-7, i), ValueError::None);
  EXPECT_EQ(i, -7);

  std::int64_t u = 0;
  EXPECT_EQ(integer_to_decimal(42, 10, 2, u), ValueError::None);
  EXPECT_EQ(u, 4200);
  EXPECT_EQ(integer_to_decimal(100000000, 10, 2, u), ValueError::ExceedsPrecision);
  EXPECT_EQ(integer_to_decimal(-99999999, 10, 2, u), ValueError::None);
  EXPECT_EQ(u, -9999999900);
}

// Written independently of the parser: civil date from calendar.hpp (tested against timegm),
// the rest with printf.
std::string format_timestamp(std::int64_t micros, int fraction_digits) {
  const std::int32_t days = timestamp_date_days(micros);
  const std::int64_t t = timestamp_time_micros(micros);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%sT%02lld:%02lld:%02lld", format_date(days).c_str(),
                static_cast<long long>(t / 3'600'000'000LL), static_cast<long long>(t / 60'000'000 % 60),
                static_cast<long long>(t / 1'000'000 % 60));
  std::string out = buf;
  if (fraction_digits > 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(t % 1'000'000));
    out += std::string(buf).substr(0, 1 + static_cast<std::size_t>(fraction_digits));
  }
  return out;
}

TEST(TransformValues, RandomTimestampsRoundTrip) {
  std::mt19937_64 rng(20261121);
  const std::int64_t lo = days_from_civil(1900, 1, 1) * kDay;
  const std::int64_t hi = days_from_civil(2100, 12, 31) * kDay;
  std::uniform_int_distribution<std::int64_t> pick(lo, hi);
  for (int i = 0; i < 50000; ++i) {
    const std::int64_t micros = pick(rng);
    ASSERT_EQ(ts(format_timestamp(micros, 6)), micros) << format_timestamp(micros, 6);
    const std::int64_t millis_only = micros - timestamp_time_micros(micros) % 1000;
    ASSERT_EQ(ts(format_timestamp(millis_only, 3)), millis_only);
    std::int32_t d = 0;
    ASSERT_EQ(parse_date_days(format_date(timestamp_date_days(micros)), d), ValueError::None);
    ASSERT_EQ(d, timestamp_date_days(micros));
  }
}

TEST(TransformValues, RandomDecimalsRoundTrip) {
  std::mt19937_64 rng(7);
  for (int precision = 1; precision <= kMaxDecimalPrecision; ++precision) {
    for (int scale = 0; scale <= precision; ++scale) {
      std::int64_t limit = 1;
      for (int k = 0; k < precision; ++k) limit *= 10;
      std::uniform_int_distribution<std::int64_t> pick(-(limit - 1), limit - 1);
      for (int i = 0; i < 200; ++i) {
        const std::int64_t u = pick(rng);
        std::int64_t scale_pow = 1;
        for (int k = 0; k < scale; ++k) scale_pow *= 10;
        const std::uint64_t mag = static_cast<std::uint64_t>(u < 0 ? -u : u);
        std::string text = (u < 0 ? "-" : "") + std::to_string(mag / static_cast<std::uint64_t>(scale_pow));
        if (scale > 0) {
          std::string frac = std::to_string(mag % static_cast<std::uint64_t>(scale_pow));
          text += "." + std::string(static_cast<std::size_t>(scale) - frac.size(), '0') + frac;
        }
        ASSERT_EQ(dec(text, precision, scale), u) << text << " at (" << precision << "," << scale << ")";
      }
    }
  }
}

// Mutations of valid values never crash or read out of bounds (ASan), and what is accepted
// still reads back to its own text.
TEST(TransformValues, MutatedInputsAreRejectedOrExact) {
  std::mt19937_64 rng(99);
  const std::string seeds[] = {"2022-11-03T14:20:52.186", "2024-02-29", "552548.62", "-2147483648"};
  const char alphabet[] = "0123456789-+.:TZ eE\0";
  for (int i = 0; i < 100000; ++i) {
    std::string s = seeds[static_cast<std::size_t>(i) % 4];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = s.empty() ? 0 : rng() % s.size();
      switch (rng() % 3) {
        case 0:
          if (!s.empty()) s[at] = alphabet[rng() % (sizeof alphabet - 1)];
          break;
        case 1:
          if (!s.empty()) s.erase(at, 1);
          break;
        default:
          s.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]);
          break;
      }
    }
    std::int64_t v = 0;
    std::int32_t d = 0;
    if (parse_timestamp_micros(s, v) == ValueError::None) {
      const std::size_t digits = s.size() > 20 ? s.size() - 20 : 0;
      ASSERT_EQ(format_timestamp(v, static_cast<int>(digits)), s);
    }
    if (parse_date_days(s, d) == ValueError::None) {
      ASSERT_EQ(format_date(d), s);
    }
    (void)parse_decimal(s, 10, 2, v);
    (void)parse_int32(s, d);
    (void)parse_time_micros(s, v);
  }
}

TEST(TransformValues, EveryErrorHasAMessage) {
  for (int e = 0; e <= static_cast<int>(ValueError::BadPrecision); ++e) {
    const std::string_view m = value_error_message(static_cast<ValueError>(e));
    EXPECT_FALSE(m.empty());
    EXPECT_NE(m, "unknown error") << e;
  }
  EXPECT_EQ(value_error_message(ValueError::NoSuchDate), "no such date");
  EXPECT_EQ(value_error_message(ValueError::TooManyDecimalPlaces), "more decimal places than the scale");
}

}  // namespace
}  // namespace dwh::model
