#pragma once
// A Parquet file writer for the files the transform job produces (format 2 footer, Thrift
// compact protocol). Hand-written because Debian packages no C++ Parquet library.
//
// Output is deterministic: the same schema, options and batches give byte-identical files
// (no clocks, no random ids), which the pipeline's file:// vs s3:// test relies on.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"

namespace dwh::parquet {

enum class Compression { None, Snappy, Zstd };

struct WriterOptions {
  Compression compression = Compression::Snappy;  // what Redshift's COPY reads
  // A row group is closed when either limit is reached (whichever comes first).
  std::size_t row_group_rows = 1'000'000;
  std::size_t row_group_bytes = 64u << 20;  // encoded bytes buffered for the open row group
  std::size_t page_bytes = 1u << 20;        // target uncompressed data page size
  bool dictionary = true;                   // RLE_DICTIONARY where it pays; PLAIN otherwise
  int zstd_level = 3;
};

// Where finished bytes go, in order. Returning an error stops the writer.
using ByteSink = std::function<Status(std::string_view)>;

class Writer {
 public:
  static Result<std::unique_ptr<Writer>> open(Schema schema, ByteSink sink, WriterOptions options = {});
  virtual ~Writer() = default;

  // Appends rows; `batch` has one Column per schema column. Fails with "ParquetSchemaMismatch"
  // when column counts, value vector sizes or nulls in a non-nullable column do not fit.
  virtual Status write(const ColumnBatch& batch) = 0;
  // Flushes the open row group and writes the footer. An empty file (no rows) is valid.
  virtual Status close() = 0;

  [[nodiscard]] virtual std::uint64_t rows_written() const = 0;
  [[nodiscard]] virtual std::uint64_t bytes_written() const = 0;
};

}  // namespace dwh::parquet
