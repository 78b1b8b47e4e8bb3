#include "copy_text.hpp"

#include <charconv>
#include <cstdint>

namespace dwh::load::detail {
namespace {

using parquet::LogicalType;

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_padded(std::string& out, std::int64_t v, int width) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  for (int i = static_cast<int>(r.ptr - buf); i < width; ++i) out += '0';
  out.append(buf, r.ptr);
}

// Howard Hinnant's civil_from_days: days since 1970-01-01 to (year, month, day).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool append_date(std::string& out, std::int64_t days) {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  if (y < 1 || y > 9999) return false;
  append_padded(out, y, 4);
  out += '-';
  append_padded(out, m, 2);
  out += '-';
  append_padded(out, d, 2);
  return true;
}

// Microseconds since midnight as HH:MM:SS.ffffff.
void append_time(std::string& out, std::int64_t micros) {
  const std::int64_t secs = micros / 1'000'000;
  append_padded(out, secs / 3600, 2);
  out += ':';
  append_padded(out, (secs / 60) % 60, 2);
  out += ':';
  append_padded(out, secs % 60, 2);
  out += '.';
  append_padded(out, micros % 1'000'000, 6);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool append_timestamp(std::string& out, std::int64_t micros) {
  const std::int64_t day = floor_div(micros, 86'400'000'000LL);
  if (!append_date(out, day)) return false;
  out += ' ';
  append_time(out, micros - day * 86'400'000'000LL);
  return true;
}

void append_decimal(std::string& out, std::int64_t unscaled, int scale) {
  if (scale == 0) return append_int(out, unscaled);
  // |INT64_MIN| does not fit: take the magnitude as unsigned.
  const bool negative = unscaled < 0;
  const std::uint64_t mag =
      negative ? 0 - static_cast<std::uint64_t>(unscaled) : static_cast<std::uint64_t>(unscaled);
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, mag);
  std::string digits(buf, r.ptr);
  if (digits.size() <= static_cast<std::size_t>(scale))
    digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
  if (negative) out += '-';
  out.append(digits, 0, digits.size() - static_cast<std::size_t>(scale));
  out += '.';
  out.append(digits, digits.size() - static_cast<std::size_t>(scale));
}

void append_text(std::string& out, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char* esc = nullptr;
    switch (c) {
      case '\\':
        esc = "\\\\";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      default:
        continue;
    }
    out.append(s.data() + start, i - start);
    out += esc;
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

}  // namespace

Status append_copy_text(const parquet::Schema& schema, const parquet::ColumnBatch& batch, std::size_t begin,
                        std::size_t end, std::string& out) {
  const std::size_t ncols = schema.columns.size();
  for (std::size_t row = begin; row < end; ++row) {
    for (std::size_t c = 0; c < ncols; ++c) {
      if (c > 0) out += '\t';
      const auto& col = batch.columns[c];
      if (col.is_null(row)) {
        out += "\\N";
        continue;
      }
      const auto& cs = schema.columns[c];
      bool ok = true;
      switch (cs.type) {
        case LogicalType::Boolean:
          out += col.ints[row] ? 't' : 'f';
          break;
        case LogicalType::Int32:
        case LogicalType::Int64:
          append_int(out, col.ints[row]);
          break;
        case LogicalType::Double: {
          char buf[32];
          auto r = std::to_chars(buf, buf + sizeof buf, col.doubles[row]);  // shortest exact form
          out.append(buf, r.ptr);
          break;
        }
        case LogicalType::String:
          append_text(out, col.string_at(row));
          break;
        case LogicalType::Date:
          ok = append_date(out, col.ints[row]);
          break;
        case LogicalType::TimeMillis:
          append_time(out, col.ints[row] * 1000);
          break;
        case LogicalType::TimeMicros:
          append_time(out, col.ints[row]);
          break;
        case LogicalType::TimestampMillis:
          ok = append_timestamp(out, col.ints[row] * 1000);
          break;
        case LogicalType::TimestampMicros:
          ok = append_timestamp(out, col.ints[row]);
          break;
        case LogicalType::Decimal:
          append_decimal(out, col.ints[row], cs.scale);
          break;
      }
      if (!ok) {
        return make_error("LoadFailed", "column " + cs.name + ": value " + std::to_string(col.ints[row]) +
                                            " is outside the years 1..9999 the warehouse takes");
      }
    }
    out += '\n';
  }
  return {};
}

}  // namespace dwh::load::detail
