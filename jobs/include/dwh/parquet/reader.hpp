#pragma once
// Reads the Parquet files our writer produces (and tolerates what other common writers put in
// the same subset: PLAIN / RLE_DICTIONARY / PLAIN_DICTIONARY, data page v1 and v2, SNAPPY / ZSTD /
// UNCOMPRESSED, required and optional flat columns). Anything outside that subset is a clear
// "ParquetUnsupported" error naming the column and the feature, never a wrong value.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "dwh/parquet/column_batch.hpp"
#include "dwh/result.hpp"

namespace dwh::parquet {

struct ColumnStatistics {
  bool has_min_max = false;
  std::int64_t min_int = 0, max_int = 0;  // integer-like types
  double min_double = 0, max_double = 0;  // Double
  std::string min_bytes, max_bytes;       // String
  std::uint64_t null_count = 0;
};

struct RowGroupInfo {
  std::uint64_t rows = 0;
  std::vector<ColumnStatistics> statistics;  // per column
};

class Reader {
 public:
  // `bytes` is the whole file. `name` is used in error messages (object key or path).
  static Result<std::unique_ptr<Reader>> open(std::string bytes, std::string name);
  virtual ~Reader() = default;

  [[nodiscard]] virtual const Schema& schema() const = 0;
  [[nodiscard]] virtual std::uint64_t rows() const = 0;
  [[nodiscard]] virtual std::size_t row_groups() const = 0;
  [[nodiscard]] virtual const RowGroupInfo& row_group_info(std::size_t index) const = 0;
  // Decodes one row group; safe to call from several threads at once for different indexes.
  virtual Result<ColumnBatch> read_row_group(std::size_t index) const = 0;
  // Every row group concatenated.
  virtual Result<ColumnBatch> read_all() const = 0;
};

}  // namespace dwh::parquet
