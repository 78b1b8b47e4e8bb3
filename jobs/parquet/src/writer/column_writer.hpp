#pragma once
// Encodes one column of one row group into Parquet pages: PLAIN or dictionary (RLE_DICTIONARY)
// data pages v1 with RLE definition levels, compressed page by page, plus min/max statistics.
// One instance per column; instances share nothing, so the writer runs them in parallel.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"
#include "dwh/parquet/writer.hpp"
#include "format/format.hpp"

namespace dwh::parquet {

struct EncodedChunk {
  // The dictionary page (if any), then the data pages, each a header + compressed body; kept
  // as pieces so a row group's pages are never copied into one buffer.
  std::vector<std::string> pages;
  format::ColumnMetaData meta;  // offsets relative to the start of the first page
};

// Checks one column of a batch against its schema: vector sizes, nulls where not nullable, value
// ranges (INT32-stored types, time of day, decimal precision, booleans). "ParquetSchemaMismatch"
// or "ParquetValueOutOfRange" naming the column and row.
Status validate_column(const ColumnSchema& schema, const Column& column, std::size_t rows);

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(ColumnSchema schema, const WriterOptions& options);
  ~ColumnChunkWriter();
  ColumnChunkWriter(const ColumnChunkWriter&) = delete;
  ColumnChunkWriter& operator=(const ColumnChunkWriter&) = delete;

  // Appends rows [begin, end) of a validated column.
  Status append(const Column& column, std::size_t begin, std::size_t end);
  // Encoded bytes held for the open row group (pages, the open page, the dictionary).
  [[nodiscard]] std::size_t buffered_bytes() const;
  // Closes the chunk and starts a fresh one for the next row group.
  Result<EncodedChunk> finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace dwh::parquet
