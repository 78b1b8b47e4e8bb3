#pragma once
// The parts of parquet.thrift (apache/parquet-format) that our writer emits and our reader reads,
// as plain structs, with their Thrift compact encoding (parquet_format.cpp). Field ids follow
// parquet.thrift; fields we never use are skipped when reading.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::parquet::format {

enum class PhysicalType : std::int32_t {
  Boolean = 0,
  Int32 = 1,
  Int64 = 2,
  Int96 = 3,
  Float = 4,
  Double = 5,
  ByteArray = 6,
  FixedLenByteArray = 7,
};
enum class Repetition : std::int32_t { Required = 0, Optional = 1, Repeated = 2 };
enum class Encoding : std::int32_t {
  Plain = 0,
  PlainDictionary = 2,
  Rle = 3,
  BitPacked = 4,
  DeltaBinaryPacked = 5,
  DeltaLengthByteArray = 6,
  DeltaByteArray = 7,
  RleDictionary = 8,
  ByteStreamSplit = 9,
};
enum class Codec : std::int32_t {
  Uncompressed = 0,
  Snappy = 1,
  Gzip = 2,
  Lzo = 3,
  Brotli = 4,
  Lz4 = 5,
  Zstd = 6,
  Lz4Raw = 7
};
enum class PageType : std::int32_t { DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3 };
enum class ConvertedType : std::int32_t {
  Utf8 = 0,
  Decimal = 5,
  Date = 6,
  TimeMillis = 7,
  TimeMicros = 8,
  TimestampMillis = 9,
  TimestampMicros = 10,
  Uint8 = 11,
  Uint16 = 12,
  Uint32 = 13,
  Uint64 = 14,
  Int8 = 15,
  Int16 = 16,
  Int32 = 17,
  Int64 = 18,
};

// LogicalType union member ids (parquet.thrift LogicalType).
enum class LogicalKind : std::int32_t {
  None = 0,
  String = 1,
  Map = 2,
  List = 3,
  Enum = 4,
  Decimal = 5,
  Date = 6,
  Time = 7,
  Timestamp = 8,
  Integer = 10,
  Unknown = 11,
  Json = 12,
  Bson = 13,
  Uuid = 14,
};
enum class TimeUnit : std::int32_t { None = 0, Millis = 1, Micros = 2, Nanos = 3 };

struct LogicalTypeInfo {
  LogicalKind kind = LogicalKind::None;
  int decimal_scale = 0, decimal_precision = 0;
  bool adjusted_to_utc = false;  // Time / Timestamp
  TimeUnit unit = TimeUnit::None;
  int bit_width = 0;  // Integer
  bool is_signed = true;
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<std::int32_t> type_length;
  std::optional<Repetition> repetition;
  std::string name;
  std::optional<std::int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<std::int32_t> scale, precision;
  std::optional<LogicalTypeInfo> logical_type;
};

struct Statistics {
  std::optional<std::string> min_value, max_value;    // fields 6 / 5 (new, with column orders)
  std::optional<std::string> min_legacy, max_legacy;  // fields 2 / 1 (deprecated; signed order only)
  std::optional<std::int64_t> null_count;
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::Int32;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  Codec codec = Codec::Uncompressed;
  std::int64_t num_values = 0;
  std::int64_t total_uncompressed_size = 0;
  std::int64_t total_compressed_size = 0;
  std::int64_t data_page_offset = 0;
  std::optional<std::int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  std::optional<std::string> file_path;
  std::int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  std::int64_t total_byte_size = 0;
  std::int64_t num_rows = 0;
  std::optional<std::int64_t> file_offset;
  std::optional<std::int64_t> total_compressed_size;
  std::optional<std::int16_t> ordinal;
};

struct FileMetaData {
  std::int32_t version = 2;
  std::vector<SchemaElement> schema;
  std::int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::optional<std::string> created_by;
  std::size_t column_orders = 0;  // number of TYPE_ORDER entries (written: one per leaf)
};

struct DataPageHeader {
  std::int32_t num_values = 0;
  Encoding encoding = Encoding::Plain;
  Encoding definition_level_encoding = Encoding::Rle;
  Encoding repetition_level_encoding = Encoding::Rle;
};

struct DataPageHeaderV2 {
  std::int32_t num_values = 0, num_nulls = 0, num_rows = 0;
  Encoding encoding = Encoding::Plain;
  std::int32_t definition_levels_byte_length = 0, repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

struct DictionaryPageHeader {
  std::int32_t num_values = 0;
  Encoding encoding = Encoding::Plain;
};

struct PageHeader {
  PageType type = PageType::DataPage;
  std::int32_t uncompressed_page_size = 0;
  std::int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page;
  std::optional<DictionaryPageHeader> dictionary_page;
  std::optional<DataPageHeaderV2> data_page_v2;
};

void encode(const FileMetaData& m, std::string& out);
void encode(const PageHeader& h, std::string& out);

// Parse from the front of `in`; `consumed` gets the header's length. Errors are "ParquetCorrupt".
Result<PageHeader> decode_page_header(std::string_view in, std::size_t& consumed);
Result<FileMetaData> decode_file_metadata(std::string_view in);

}  // namespace dwh::parquet::format
