#pragma once
// How our logical types map to Parquet physical types and annotations, in both directions.
#include <string>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"
#include "format/format.hpp"

namespace dwh::parquet {

// The physical layout a column's values take.
enum class Physical { Boolean, Int32, Int64, Double, ByteArray };

Physical physical_of(const ColumnSchema& c);
format::PhysicalType format_type(Physical p);

// Checks names, decimal precision/scale. "ParquetSchemaInvalid" naming the column.
Status validate_schema(const Schema& schema);

// The leaf SchemaElement: physical type, repetition, LogicalType and (where one exists)
// ConvertedType, so readers that know only the older annotations read the same values.
format::SchemaElement schema_element(const ColumnSchema& c);

// The reverse, for the reader: "ParquetUnsupported" naming the column for anything outside what
// column_batch.hpp can hold exactly (nested, repeated, unsigned, NANOS, UTC-adjusted, FLOAT, ...).
Result<ColumnSchema> column_schema(const format::SchemaElement& e);

std::string logical_type_name(LogicalType t);

}  // namespace dwh::parquet
