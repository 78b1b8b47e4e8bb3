#include "types.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

#include "dwh/model/values.hpp"

namespace dwh::model::detail {
namespace {

using parquet::LogicalType;

// numeric without (p,s): the warehouse keeps plain `numeric`; Parquet needs a fixed scale.
constexpr int kPlainNumericPrecision = 18;
constexpr int kPlainNumericScale = 2;

std::string lower_without_spaces_in_parens(std::string_view text) {
  std::string out;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth > 0 && c == ' ') continue;
    if (depth == 0 && c == ' ' && !out.empty() && out.back() == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  // "numeric (10,2)" -> "numeric(10,2)"
  if (const auto p = out.find(" ("); p != std::string::npos) out.erase(p, 1);
  return out;
}

bool parse_small_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 3) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::optional<SourceType> parse_source_type(std::string_view t) {
  if (t == "integer") return SourceType::Integer;
  if (t == "decimal") return SourceType::Decimal;
  if (t == "double") return SourceType::Double;
  if (t == "boolean") return SourceType::Boolean;
  if (t == "text") return SourceType::Text;
  if (t == "timestamp") return SourceType::Timestamp;
  if (t == "date") return SourceType::Date;
  return std::nullopt;
}

std::optional<SqlType> parse_sql_type(std::string_view text) {
  const std::string t = lower_without_spaces_in_parens(text);
  SqlType out;
  out.sql = t;
  if (t == "int" || t == "integer") {
    out.sql = "int";
    out.type = LogicalType::Int32;
  } else if (t == "bigint") {
    out.type = LogicalType::Int64;
  } else if (t == "varchar" || t == "text") {
    out.sql = "varchar";
    out.type = LogicalType::String;
  } else if (t == "boolean") {
    out.type = LogicalType::Boolean;
  } else if (t == "date") {
    out.type = LogicalType::Date;
  } else if (t == "time") {
    out.type = LogicalType::TimeMicros;
  } else if (t == "timestamp") {
    out.type = LogicalType::TimestampMicros;
  } else if (t == "double precision") {
    out.type = LogicalType::Double;
  } else if (t == "numeric") {
    out.type = LogicalType::Decimal;
    out.precision = kPlainNumericPrecision;
    out.scale = kPlainNumericScale;
  } else if (t.starts_with("numeric(") && t.ends_with(")")) {
    const std::string_view inner = std::string_view(t).substr(8, t.size() - 9);
    const auto comma = inner.find(',');
    int p = 0, s = 0;
    if (comma == std::string_view::npos || !parse_small_int(inner.substr(0, comma), p) ||
        !parse_small_int(inner.substr(comma + 1), s)) {
      return std::nullopt;
    }
    if (p < 1 || p > kMaxDecimalPrecision || s < 0 || s > p) return std::nullopt;
    out.type = LogicalType::Decimal;
    out.precision = p;
    out.scale = s;
  } else {
    return std::nullopt;
  }
  return out;
}

std::string_view logical_type_name(LogicalType type) {
  switch (type) {
    case LogicalType::Boolean:
      return "boolean";
    case LogicalType::Int32:
      return "int32";
    case LogicalType::Int64:
      return "int64";
    case LogicalType::Double:
      return "double";
    case LogicalType::String:
      return "string";
    case LogicalType::Date:
      return "date";
    case LogicalType::TimeMillis:
      return "time(millis)";
    case LogicalType::TimeMicros:
      return "time(micros)";
    case LogicalType::TimestampMillis:
      return "timestamp(millis)";
    case LogicalType::TimestampMicros:
      return "timestamp(micros)";
    case LogicalType::Decimal:
      return "decimal";
  }
  return "?";
}

bool copy_allowed(SourceType from, const parquet::ColumnSchema& to) {
  switch (from) {
    case SourceType::Integer:
      return to.type == LogicalType::Int32 || to.type == LogicalType::Int64 ||
             to.type == LogicalType::Decimal || to.type == LogicalType::Double;
    case SourceType::Decimal:
      return to.type == LogicalType::Decimal || to.type == LogicalType::Double;
    case SourceType::Double:
      return to.type == LogicalType::Double;
    case SourceType::Boolean:
      return to.type == LogicalType::Boolean;
    case SourceType::Text:
      return to.type == LogicalType::String;
    case SourceType::Timestamp:
      return to.type == LogicalType::TimestampMicros || to.type == LogicalType::TimestampMillis;
    case SourceType::Date:
      return to.type == LogicalType::Date;
  }
  return false;
}

std::optional<std::string> literal_error(std::string_view text, const parquet::ColumnSchema& to) {
  ValueError e = ValueError::None;
  switch (to.type) {
    case LogicalType::String:
      return std::nullopt;
    case LogicalType::Boolean:
      if (text == "true" || text == "false") return std::nullopt;
      return std::string("not a boolean (true or false)");
    case LogicalType::Int32: {
      std::int32_t v = 0;
      e = parse_int32(text, v);
      break;
    }
    case LogicalType::Int64: {
      std::int64_t v = 0;
      e = parse_int64(text, v);
      break;
    }
    case LogicalType::Double: {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || ptr != text.data() + text.size()) return std::string("not a number");
      return std::nullopt;
    }
    case LogicalType::Date: {
      std::int32_t v = 0;
      e = parse_date_days(text, v);
      break;
    }
    case LogicalType::TimeMillis:
    case LogicalType::TimeMicros: {
      std::int64_t v = 0;
      e = parse_time_micros(text, v);
      break;
    }
    case LogicalType::TimestampMillis:
    case LogicalType::TimestampMicros: {
      std::int64_t v = 0;
      e = parse_timestamp_micros(text, v);
      break;
    }
    case LogicalType::Decimal: {
      std::int64_t v = 0;
      e = parse_decimal(text, to.precision, to.scale, v);
      break;
    }
  }
  if (e == ValueError::None) return std::nullopt;
  return std::string(value_error_message(e));
}

}  // namespace dwh::model::detail

namespace dwh::model {

std::string_view source_type_name(SourceType type) {
  switch (type) {
    case SourceType::Integer:
      return "integer";
    case SourceType::Decimal:
      return "decimal";
    case SourceType::Double:
      return "double";
    case SourceType::Boolean:
      return "boolean";
    case SourceType::Text:
      return "text";
    case SourceType::Timestamp:
      return "timestamp";
    case SourceType::Date:
      return "date";
  }
  return "?";
}

}  // namespace dwh::model
