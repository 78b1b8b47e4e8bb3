#pragma once
// Columnar data as the transform engine produces it and the Parquet writer/reader consume it.
// One representation for both directions, so a file read back compares equal to what was written.
//
// Values per logical type (all in Column::ints unless said otherwise):
//   Boolean          0 / 1
//   Int32, Int64     the value
//   Date             days since 1970-01-01
//   TimeMillis       milliseconds since midnight
//   TimeMicros       microseconds since midnight
//   TimestampMillis  milliseconds since 1970-01-01T00:00:00 (no time zone: "local" semantics,
//                    isAdjustedToUTC = false, like the source's timestamp without time zone)
//   TimestampMicros  microseconds, likewise
//   Decimal          the unscaled value (precision <= 18: INT32 when <= 9, else INT64)
//   Double           Column::doubles
//   String           Column::bytes + Column::offsets (UTF-8; offsets.size() == rows + 1)
// A null slot keeps a placeholder value (0, 0.0 or an empty string) so indexes line up.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dwh::parquet {

enum class LogicalType {
  Boolean,
  Int32,
  Int64,
  Double,
  String,
  Date,
  TimeMillis,
  TimeMicros,
  TimestampMillis,
  TimestampMicros,
  Decimal,
};

struct ColumnSchema {
  std::string name;
  LogicalType type = LogicalType::String;
  bool nullable = true;
  int precision = 0;  // Decimal only: 1..18
  int scale = 0;      // Decimal only: 0..precision
};

struct Schema {
  std::vector<ColumnSchema> columns;
};

struct Column {
  std::vector<std::int64_t> ints;
  std::vector<double> doubles;
  std::string bytes;
  std::vector<std::uint32_t> offsets{0};
  // One byte per row, 1 = present. Empty means every row is present.
  std::vector<std::uint8_t> valid;

  [[nodiscard]] bool is_null(std::size_t row) const { return !valid.empty() && valid[row] == 0; }
  [[nodiscard]] std::string_view string_at(std::size_t row) const {
    return std::string_view(bytes).substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

struct ColumnBatch {
  std::size_t rows = 0;
  std::vector<Column> columns;  // same order as the Schema
};

}  // namespace dwh::parquet
