#pragma once
// Reads the Parquet files our writer produces (and tolerates what other common writers put in
// the same subset: PLAIN / RLE_DICTIONARY / PLAIN_DICTIONARY, data page v1 and v2, SNAPPY / ZSTD /
// UNCOMPRESSED, required and optional flat columns). Anything outside that subset is a clear
// "ParquetUnsupported" error naming the column and the feature, never a wrong value.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"

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

// A byte range of the file: [offset, offset + size).
struct ByteSpan {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  [[nodiscard]] std::uint64_t end() const { return offset + size; }
};

class Reader {
 public:
  // `bytes` is the whole file. `name` is used in error messages (object key or path).
  static Result<std::unique_ptr<Reader>> open(std::string bytes, std::string name);

  // Reading by ranges, so a large object never has to be in memory whole: given the file's last
  // 8 bytes (footer length + magic), the size of its tail (footer + those 8 bytes)...
  static Result<std::uint64_t> tail_size(std::string_view last_8_bytes, std::uint64_t file_size,
                                         const std::string& name);
  // ...then open from the file's last `tail.size()` bytes (at least tail_size()). Row groups are
  // then decoded with decode_row_group() from the bytes of row_group_span(); read_row_group()
  // and read_all() fail with "ParquetNoData".
  static Result<std::unique_ptr<Reader>> open_tail(std::string tail, std::uint64_t file_size,
                                                   std::string name);
  virtual ~Reader() = default;

  [[nodiscard]] virtual const Schema& schema() const = 0;
  [[nodiscard]] virtual std::uint64_t rows() const = 0;
  [[nodiscard]] virtual std::size_t row_groups() const = 0;
  [[nodiscard]] virtual const RowGroupInfo& row_group_info(std::size_t index) const = 0;
  // Where row group `index`'s column chunks lie in the file (all of them, and what lies between).
  [[nodiscard]] virtual ByteSpan row_group_span(std::size_t index) const = 0;
  // Decodes row group `index` from `bytes`, which start at `bytes_offset` in the file and cover
  // its row_group_span(). Safe to call from several threads at once.
  virtual Result<ColumnBatch> decode_row_group(std::size_t index, std::string_view bytes,
                                               std::uint64_t bytes_offset) const = 0;
  // Decodes one row group; safe to call from several threads at once for different indexes.
  virtual Result<ColumnBatch> read_row_group(std::size_t index) const = 0;
  // Every row group concatenated.
  virtual Result<ColumnBatch> read_all() const = 0;
};

}  // namespace dwh::parquet
