#include "format/schema.hpp"

#include <set>

namespace dwh::parquet {
namespace {

constexpr int kMaxDecimalPrecision = 18;  // INT64 holds 18 full digits
constexpr int kMaxInt32DecimalPrecision = 9;

using format::ConvertedType;
using format::LogicalKind;
using format::LogicalTypeInfo;
using format::TimeUnit;

LogicalTypeInfo logical(LogicalKind kind) {
  LogicalTypeInfo t;
  t.kind = kind;
  return t;
}

LogicalTypeInfo integer(int bits) {
  LogicalTypeInfo t = logical(LogicalKind::Integer);
  t.bit_width = bits;
  t.is_signed = true;
  return t;
}

LogicalTypeInfo temporal(LogicalKind kind, TimeUnit unit) {
  LogicalTypeInfo t = logical(kind);
  t.adjusted_to_utc = false;  // local semantics, like PostgreSQL's time / timestamp without time zone
  t.unit = unit;
  return t;
}

Error unsupported(const format::SchemaElement& e, const std::string& what) {
  return make_error("ParquetUnsupported", "column " + e.name + ": " + what);
}

}  // namespace

std::string logical_type_name(LogicalType t) {
  switch (t) {
    case LogicalType::Boolean:
      return "Boolean";
    case LogicalType::Int32:
      return "Int32";
    case LogicalType::Int64:
      return "Int64";
    case LogicalType::Double:
      return "Double";
    case LogicalType::String:
      return "String";
    case LogicalType::Date:
      return "Date";
    case LogicalType::TimeMillis:
      return "TimeMillis";
    case LogicalType::TimeMicros:
      return "TimeMicros";
    case LogicalType::TimestampMillis:
      return "TimestampMillis";
    case LogicalType::TimestampMicros:
      return "TimestampMicros";
    case LogicalType::Decimal:
      return "Decimal";
  }
  return "?";
}

Physical physical_of(const ColumnSchema& c) {
  switch (c.type) {
    case LogicalType::Boolean:
      return Physical::Boolean;
    case LogicalType::Int32:
    case LogicalType::Date:
    case LogicalType::TimeMillis:
      return Physical::Int32;
    case LogicalType::Int64:
    case LogicalType::TimeMicros:
    case LogicalType::TimestampMillis:
    case LogicalType::TimestampMicros:
      return Physical::Int64;
    case LogicalType::Double:
      return Physical::Double;
    case LogicalType::String:
      return Physical::ByteArray;
    case LogicalType::Decimal:
      return c.precision <= kMaxInt32DecimalPrecision ? Physical::Int32 : Physical::Int64;
  }
  return Physical::ByteArray;
}

format::PhysicalType format_type(Physical p) {
  switch (p) {
    case Physical::Boolean:
      return format::PhysicalType::Boolean;
    case Physical::Int32:
      return format::PhysicalType::Int32;
    case Physical::Int64:
      return format::PhysicalType::Int64;
    case Physical::Double:
      return format::PhysicalType::Double;
    case Physical::ByteArray:
      return format::PhysicalType::ByteArray;
  }
  return format::PhysicalType::ByteArray;
}

Status validate_schema(const Schema& schema) {
  if (schema.columns.empty())
    return make_error("ParquetSchemaInvalid", "a Parquet schema needs at least one column");
  std::set<std::string> names;
  for (const auto& c : schema.columns) {
    if (c.name.empty()) return make_error("ParquetSchemaInvalid", "a column has an empty name");
    if (!names.insert(c.name).second)
      return make_error("ParquetSchemaInvalid", "column " + c.name + " appears twice");
    if (c.type == LogicalType::Decimal &&
        (c.precision < 1 || c.precision > kMaxDecimalPrecision || c.scale < 0 || c.scale > c.precision)) {
      return make_error("ParquetSchemaInvalid", "column " + c.name + ": decimal(" +
                                                    std::to_string(c.precision) + "," +
                                                    std::to_string(c.scale) +
                                                    ") needs 1 <= precision <= 18 and "
                                                    "0 <= scale <= precision");
    }
  }
  return {};
}

format::SchemaElement schema_element(const ColumnSchema& c) {
  format::SchemaElement e;
  e.name = c.name;
  e.type = format_type(physical_of(c));
  e.repetition = c.nullable ? format::Repetition::Optional : format::Repetition::Required;
  switch (c.type) {
    case LogicalType::Boolean:
    case LogicalType::Double:
      break;  // no annotation
    case LogicalType::Int32:
      e.logical_type = integer(32);
      e.converted_type = ConvertedType::Int32;
      break;
    case LogicalType::Int64:
      e.logical_type = integer(64);
      e.converted_type = ConvertedType::Int64;
      break;
    case LogicalType::String:
      e.logical_type = logical(LogicalKind::String);
      e.converted_type = ConvertedType::Utf8;
      break;
    case LogicalType::Date:
      e.logical_type = logical(LogicalKind::Date);
      e.converted_type = ConvertedType::Date;
      break;
    // TIME_* / TIMESTAMP_* converted types are written for local (not UTC-adjusted) values too, as
    // DuckDB and Arrow do: older readers then still see a time, and newer ones read LogicalType.
    case LogicalType::TimeMillis:
      e.logical_type = temporal(LogicalKind::Time, TimeUnit::Millis);
      e.converted_type = ConvertedType::TimeMillis;
      break;
    case LogicalType::TimeMicros:
      e.logical_type = temporal(LogicalKind::Time, TimeUnit::Micros);
      e.converted_type = ConvertedType::TimeMicros;
      break;
    case LogicalType::TimestampMillis:
      e.logical_type = temporal(LogicalKind::Timestamp, TimeUnit::Millis);
      e.converted_type = ConvertedType::TimestampMillis;
      break;
    case LogicalType::TimestampMicros:
      e.logical_type = temporal(LogicalKind::Timestamp, TimeUnit::Micros);
      e.converted_type = ConvertedType::TimestampMicros;
      break;
    case LogicalType::Decimal: {
      LogicalTypeInfo t = logical(LogicalKind::Decimal);
      t.decimal_precision = c.precision;
      t.decimal_scale = c.scale;
      e.logical_type = t;
      e.converted_type = ConvertedType::Decimal;
      e.precision = c.precision;
      e.scale = c.scale;
      break;
    }
  }
  return e;
}

// What a column's annotations say about its values, before the physical type is considered.
struct Annotation {
  LogicalKind kind = LogicalKind::None;
  TimeUnit unit = TimeUnit::None;
  bool utc = false;
  int bits = 0;
  bool is_signed = true;
  int precision = 0;
  int scale = 0;
};

Result<Annotation> annotation_of(const format::SchemaElement& e) {
  // The LogicalType wins when present; otherwise the ConvertedType; otherwise the bare physical type.
  Annotation a;
  a.precision = e.precision.value_or(0);
  a.scale = e.scale.value_or(0);
  if (e.logical_type) {
    const auto& t = *e.logical_type;
    a.kind = t.kind;
    a.unit = t.unit;
    a.utc = t.adjusted_to_utc;
    a.bits = t.bit_width;
    a.is_signed = t.is_signed;
    if (a.kind == LogicalKind::Decimal) {
      a.precision = t.decimal_precision;
      a.scale = t.decimal_scale;
    }
  } else if (e.converted_type) {
    switch (*e.converted_type) {
      case ConvertedType::Utf8:
        a.kind = LogicalKind::String;
        break;
      case ConvertedType::Decimal:
        a.kind = LogicalKind::Decimal;
        break;
      case ConvertedType::Date:
        a.kind = LogicalKind::Date;
        break;
      case ConvertedType::TimeMillis:
        a.kind = LogicalKind::Time;
        a.unit = TimeUnit::Millis;
        break;
      case ConvertedType::TimeMicros:
        a.kind = LogicalKind::Time;
        a.unit = TimeUnit::Micros;
        break;
      // The converted timestamp types mean UTC-adjusted by the spec, but writers (DuckDB, older
      // Arrow) put them on local timestamps; with no LogicalType we cannot tell, so take the value.
      case ConvertedType::TimestampMillis:
        a.kind = LogicalKind::Timestamp;
        a.unit = TimeUnit::Millis;
        break;
      case ConvertedType::TimestampMicros:
        a.kind = LogicalKind::Timestamp;
        a.unit = TimeUnit::Micros;
        break;
      case ConvertedType::Int8:
        a.kind = LogicalKind::Integer;
        a.bits = 8;
        break;
      case ConvertedType::Int16:
        a.kind = LogicalKind::Integer;
        a.bits = 16;
        break;
      case ConvertedType::Int32:
        a.kind = LogicalKind::Integer;
        a.bits = 32;
        break;
      case ConvertedType::Int64:
        a.kind = LogicalKind::Integer;
        a.bits = 64;
        break;
      case ConvertedType::Uint8:
      case ConvertedType::Uint16:
      case ConvertedType::Uint32:
      case ConvertedType::Uint64:
        a.kind = LogicalKind::Integer;
        a.is_signed = false;
        break;
      default:
        return unsupported(e, "converted type " + std::to_string(static_cast<int>(*e.converted_type)));
    }
  }
  return a;
}

// The column's type: the annotation checked against the physical type it is stored in.
Result<ColumnSchema> typed_column(const format::SchemaElement& e, const Annotation& a, ColumnSchema c) {
  const auto type = *e.type;
  using format::PhysicalType;
  switch (a.kind) {
    case LogicalKind::None:
      if (type == PhysicalType::Boolean)
        c.type = LogicalType::Boolean;
      else if (type == PhysicalType::Int32)
        c.type = LogicalType::Int32;
      else if (type == PhysicalType::Int64)
        c.type = LogicalType::Int64;
      else if (type == PhysicalType::Double)
        c.type = LogicalType::Double;
      else if (type == PhysicalType::ByteArray)
        c.type = LogicalType::String;
      else
        return unsupported(e, "physical type " + std::to_string(static_cast<int>(type)));
      return c;
    case LogicalKind::String:
      if (type != PhysicalType::ByteArray) return unsupported(e, "STRING on a non-BYTE_ARRAY column");
      c.type = LogicalType::String;
      return c;
    case LogicalKind::Integer:
      if (!a.is_signed) return unsupported(e, "unsigned integers");
      if (type == PhysicalType::Int32 && a.bits <= 32)
        c.type = LogicalType::Int32;  // INT(8/16/32) all fit
      else if (type == PhysicalType::Int64 && a.bits == 64)
        c.type = LogicalType::Int64;
      else
        return unsupported(e, "INTEGER(" + std::to_string(a.bits) + ") on this physical type");
      return c;
    case LogicalKind::Date:
      if (type != PhysicalType::Int32) return unsupported(e, "DATE on a non-INT32 column");
      c.type = LogicalType::Date;
      return c;
    case LogicalKind::Time:
      if (a.utc) return unsupported(e, "UTC-adjusted TIME");
      if (a.unit == TimeUnit::Millis && type == PhysicalType::Int32)
        c.type = LogicalType::TimeMillis;
      else if (a.unit == TimeUnit::Micros && type == PhysicalType::Int64)
        c.type = LogicalType::TimeMicros;
      else
        return unsupported(e, "TIME with this unit or physical type");
      return c;
    case LogicalKind::Timestamp:
      if (a.utc) return unsupported(e, "UTC-adjusted TIMESTAMP");
      if (type != PhysicalType::Int64) return unsupported(e, "TIMESTAMP on a non-INT64 column");
      if (a.unit == TimeUnit::Millis)
        c.type = LogicalType::TimestampMillis;
      else if (a.unit == TimeUnit::Micros)
        c.type = LogicalType::TimestampMicros;
      else
        return unsupported(e, "TIMESTAMP NANOS");
      return c;
    case LogicalKind::Decimal:
      if (type != PhysicalType::Int32 && type != PhysicalType::Int64)
        return unsupported(e, "DECIMAL on BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY");
      if (a.precision < 1 || a.precision > (type == PhysicalType::Int32 ? 9 : 18) || a.scale < 0 ||
          a.scale > a.precision) {
        return unsupported(e, "DECIMAL(" + std::to_string(a.precision) + "," + std::to_string(a.scale) +
                                  ") on this physical type");
      }
      c.type = LogicalType::Decimal;
      c.precision = a.precision;
      c.scale = a.scale;
      return c;
    default:
      return unsupported(e, "logical type " + std::to_string(static_cast<int>(a.kind)));
  }
}

Result<ColumnSchema> column_schema(const format::SchemaElement& e) {
  ColumnSchema c;
  c.name = e.name;
  if (e.num_children && *e.num_children > 0) return unsupported(e, "nested (group) columns");
  if (!e.type) return unsupported(e, "a leaf without a physical type");
  const auto rep = e.repetition.value_or(format::Repetition::Optional);
  if (rep == format::Repetition::Repeated) return unsupported(e, "repeated columns");
  if (rep != format::Repetition::Required && rep != format::Repetition::Optional)
    return unsupported(e, "bad repetition");
  c.nullable = rep == format::Repetition::Optional;

  auto annotation = annotation_of(e);
  if (!annotation) return annotation.error();
  return typed_column(e, *annotation, std::move(c));
}
}  // namespace dwh::parquet
