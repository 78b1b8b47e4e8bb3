// Number, time and text formatting for the dashboard page.
#include <cmath>
#include <cstdio>
#include <ctime>

#include "dwh/report/report.hpp"

namespace dwh::report {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Inserts ',' every three digits into a run of digits.
std::string group_digits(std::string_view digits) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int parse_digits(std::string_view s, std::size_t pos, std::size_t len, bool& ok) {
  int v = 0;
  if (pos + len > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::optional<double> parse_utc(std::string_view ts) {
  // "YYYY-MM-DD HH:MM:SS" optionally followed by ".ffffff" (PostgreSQL's text form of timestamp).
  bool ok = ts.size() >= 19 && ts[4] == '-' && ts[7] == '-' && (ts[10] == ' ' || ts[10] == 'T') &&
            ts[13] == ':' && ts[16] == ':';
  if (!ok) return std::nullopt;
  std::tm tm{};
  tm.tm_year = parse_digits(ts, 0, 4, ok) - 1900;
  tm.tm_mon = parse_digits(ts, 5, 2, ok) - 1;
  tm.tm_mday = parse_digits(ts, 8, 2, ok);
  tm.tm_hour = parse_digits(ts, 11, 2, ok);
  tm.tm_min = parse_digits(ts, 14, 2, ok);
  tm.tm_sec = parse_digits(ts, 17, 2, ok);
  if (!ok) return std::nullopt;
  double fraction = 0;
  if (ts.size() > 20 && ts[19] == '.') {
    double scale = 0.1;
    for (std::size_t i = 20; i < ts.size() && ts[i] >= '0' && ts[i] <= '9'; ++i, scale /= 10) {
      fraction += (ts[i] - '0') * scale;
    }
  }
  return static_cast<double>(timegm(&tm)) + fraction;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_integer(std::int64_t value) {
  // Via unsigned so INT64_MIN has a magnitude.
  const std::uint64_t magnitude =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  return (value < 0 ? "-" : "") + group_digits(std::to_string(magnitude));
}

std::string format_decimal(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(value));
  std::string_view text(buf);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string out = group_digits(whole);
  if (dot != std::string_view::npos) out += text.substr(dot);
  // "-0.00" would read as a negative amount.
  const bool negative = value < 0 && out.find_first_not_of("0.,") != std::string::npos;
  return (negative ? "-" : "") + out;
}

std::string format_amount(double value, std::string_view currency) {
  return std::string(currency) + " " + format_decimal(value, 2);
}

std::vector<double> nice_ticks(double max, int max_ticks) {
  if (!(max > 0) || !std::isfinite(max) || max_ticks < 1) return {0, 1};
  const double rough = max / max_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  double step = magnitude * 10;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= rough) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> ticks;
  for (int i = 0;; ++i) {
    const double t = step * i;
    ticks.push_back(t);
    if (t >= max * (1 - 1e-12)) break;
  }
  return ticks;
}

std::string format_tick(double value, double step) {
  int decimals = 0;
  for (double s = step; decimals < 6 && std::fabs(s - std::round(s)) > 1e-9 * std::max(1.0, std::fabs(s));
       s *= 10) {
    ++decimals;
  }
  return format_decimal(value, decimals);
}

std::string month_label(int year, int month) {
  if (month < 1 || month > 12) return std::to_string(year) + "-" + std::to_string(month);
  return std::string(kMonths[month - 1]) + " " + std::to_string(year);
}

std::optional<double> seconds_between(std::string_view earlier, std::string_view later) {
  const auto a = parse_utc(earlier);
  const auto b = parse_utc(later);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

std::string format_age(double seconds) {
  const auto s = static_cast<std::int64_t>(std::llround(std::fabs(seconds)));
  constexpr std::int64_t kMinute = 60, kHour = 3600, kDay = 86400;
  std::string out;
  if (s < kMinute) {
    out = std::to_string(s) + " s";
  } else if (s < kHour) {
    out = std::to_string(s / kMinute) + " min";
  } else if (s < kDay) {
    out = std::to_string(s / kHour) + " h " + std::to_string((s % kHour) / kMinute) + " min";
  } else {
    out = format_integer(s / kDay) + " d " + std::to_string((s % kDay) / kHour) + " h";
  }
  return seconds < 0 ? "-" + out : out;
}

}  // namespace dwh::report
