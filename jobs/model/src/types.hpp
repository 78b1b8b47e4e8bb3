#pragma once
// The type vocabulary of model files: source types (sources.toml), warehouse SQL types (models)
// and how they map to Parquet, plus which conversions a model may ask for. Private to the loader.
#include <optional>
#include <string>
#include <string_view>

#include "dwh/model/model.hpp"
#include "dwh/parquet/column_batch.hpp"

namespace dwh::model::detail {

// "integer", "decimal", "double", "boolean", "text", "timestamp", "date".
std::optional<SourceType> parse_source_type(std::string_view text);
inline constexpr std::string_view kSourceTypeNames =
    "integer, decimal, double, boolean, text, timestamp, date";

struct SqlType {
  std::string sql;  // normalised: "int", "numeric(10,2)", "numeric", ...
  parquet::LogicalType type = parquet::LogicalType::String;
  int precision = 0;
  int scale = 0;
};
// Warehouse types (docs/models.md): int, bigint, varchar, boolean, date, time, timestamp,
// double precision, numeric (-> DECIMAL(18,2)), numeric(p,s) with 1 <= p <= 18, 0 <= s <= p.
// Case and spaces inside the parentheses are ignored.
std::optional<SqlType> parse_sql_type(std::string_view text);
inline constexpr std::string_view kSqlTypeNames =
    "int, bigint, varchar, boolean, date, time, timestamp, double precision, numeric, numeric(p,s)";

std::string_view logical_type_name(parquet::LogicalType type);

// Whether op = "copy" may carry a source value into a column (same meaning, or widening).
bool copy_allowed(SourceType from, const parquet::ColumnSchema& to);

// Why `text` is not a valid value of `to` (constants, map values, if_null), or nullopt if it is.
std::optional<std::string> literal_error(std::string_view text, const parquet::ColumnSchema& to);

}  // namespace dwh::model::detail
