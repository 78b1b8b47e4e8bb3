#pragma once
// PostgreSQL COPY text rows to JSON Lines, one object per row keyed by column name, values
// keeping their exact meaning:
//   integers and floats   JSON numbers, copied from PostgreSQL's text (NaN/Infinity as strings)
//   numeric               strings holding the exact decimal ("3.50"): a JSON number would be
//                         read back as a double by most readers
//   timestamp             "YYYY-MM-DDTHH:MM:SS.mmm" (at least milliseconds; more digits kept)
//   timestamptz           the same with "Z" (the session runs in UTC) or the offset
//   date                  "YYYY-MM-DD"
//   boolean               true / false
//   json, jsonb           embedded as JSON
//   enums, text, others   strings, PostgreSQL's text form
//   NULL                  null
// The session must use DateStyle ISO, TimeZone UTC, client_encoding UTF8 and extra_float_digits 3.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::stores {

enum class ColumnKind { Integer, Decimal, Float, Bool, Timestamp, TimestampTz, Date, Json, Text };

// From pg_type.typname (of the base type for domains).
ColumnKind column_kind_for_type(std::string_view typname);

struct ColumnSpec {
  std::string name;
  ColumnKind kind = ColumnKind::Text;
};

// The smallest and largest cursor value seen, as written to JSON (ISO text, unquoted).
struct CursorRange {
  std::string min;
  std::string max;
  void add(std::string_view value);
  void merge(const CursorRange& other);
  [[nodiscard]] bool empty() const { return max.empty(); }
};

class JsonLinesEncoder {
 public:
  // cursor_column: index into columns whose values feed the range, or -1.
  JsonLinesEncoder(std::vector<ColumnSpec> columns, int cursor_column);

  // Encodes whole rows ("a\tb\n..."); appends JSON lines to `out`. Returns the row count, or
  // "BadCopyData" when a row does not have one field per column.
  Result<std::uint64_t> encode(std::string_view copy_text, std::string& out, CursorRange& range) const;

 private:
  std::vector<ColumnSpec> columns_;
  std::vector<std::string> prefixes_;  // `{"name":` then `,"name":`
  int cursor_column_;
  std::size_t row_overhead_;  // output bytes a row may need beyond 6 per input byte
};

// Appends `s` as a JSON string body (no quotes), escaping what JSON requires.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace dwh::stores
