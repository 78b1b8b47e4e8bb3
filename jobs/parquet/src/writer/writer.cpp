// The Parquet file writer (dwh/parquet/writer.hpp): row groups of column chunks encoded in
// parallel, then the Thrift footer.
#include "dwh/parquet/writer.hpp"

#include <tbb/parallel_for.h>

#include <cstring>
#include <string>
#include <vector>

#include "format/format.hpp"
#include "format/schema.hpp"
#include "writer/column_writer.hpp"

namespace dwh::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";
// Fixed, so files carry no version drift or clock: same rows, same bytes.
constexpr std::string_view kCreatedBy = "dwhkit parquet writer version 0.1.0";
// Rows encoded per parallel step: large enough to amortise the fork/join, small enough that the
// row-group byte limit is checked often.
constexpr std::size_t kSliceRows = std::size_t{64} * 1024;

class FileWriter final : public Writer {
 public:
  FileWriter(Schema schema, ByteSink sink, WriterOptions options)
      : schema_(std::move(schema)), sink_(std::move(sink)), options_(options) {
    for (const auto& c : schema_.columns)
      columns_.push_back(std::make_unique<ColumnChunkWriter>(c, options_));
    meta_.version = 2;
    format::SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<std::int32_t>(schema_.columns.size());
    meta_.schema.push_back(root);
    for (const auto& c : schema_.columns) meta_.schema.push_back(schema_element(c));
    meta_.created_by = std::string(kCreatedBy);
    meta_.column_orders = schema_.columns.size();
  }

  Status write(const ColumnBatch& batch) override {
    if (auto st = usable(); !st) return st;
    if (batch.columns.size() != schema_.columns.size()) {
      return make_error("ParquetSchemaMismatch", "batch has " + std::to_string(batch.columns.size()) +
                                                     " columns, schema " +
                                                     std::to_string(schema_.columns.size()));
    }
    const std::size_t n = columns_.size();
    std::vector<Status> status(n);
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t c) {
      status[c] = validate_column(schema_.columns[c], batch.columns[c], batch.rows);
    });
    for (auto& st : status) {
      if (!st) return std::move(st);  // nothing of this batch was written
    }
    std::size_t done = 0;
    while (done < batch.rows) {
      const std::size_t room =
          options_.row_group_rows > group_rows_ ? options_.row_group_rows - group_rows_ : 1;
      const std::size_t take = std::min({batch.rows - done, room, kSliceRows});
      tbb::parallel_for(std::size_t{0}, n, [&](std::size_t c) {
        status[c] = columns_[c]->append(batch.columns[c], done, done + take);
      });
      if (auto st = first_error(status); !st) return fail(st.error());
      done += take;
      group_rows_ += take;
      rows_written_ += take;
      if (group_rows_ >= options_.row_group_rows || buffered_bytes() >= options_.row_group_bytes) {
        if (auto st = flush_row_group(); !st) return st;
      }
    }
    return {};
  }

  Status close() override {
    if (auto st = usable(); !st) return st;
    if (group_rows_ > 0) {
      if (auto st = flush_row_group(); !st) return st;
    }
    if (auto st = emit_magic(); !st) return st;
    meta_.num_rows = static_cast<std::int64_t>(rows_written_);
    std::string footer;
    format::encode(meta_, footer);
    const auto length = static_cast<std::uint32_t>(footer.size());
    char le[4];
    std::memcpy(le, &length, 4);
    footer.append(le, 4);
    footer.append(kMagic);
    if (auto st = emit(footer); !st) return st;
    closed_ = true;
    return {};
  }

  [[nodiscard]] std::uint64_t rows_written() const override { return rows_written_; }
  [[nodiscard]] std::uint64_t bytes_written() const override { return bytes_written_; }

 private:
  [[nodiscard]] Status usable() const {
    if (failed_) return make_error("ParquetWriterFailed", "the writer failed earlier");
    if (closed_) return make_error("ParquetWriterClosed", "the writer is closed");
    return {};
  }

  Status fail(Error e) {
    failed_ = true;
    return e;
  }

  static Status first_error(std::vector<Status>& status) {
    for (auto& st : status) {
      if (!st) return std::move(st);
    }
    return {};
  }

  [[nodiscard]] std::size_t buffered_bytes() const {
    std::size_t total = 0;
    for (const auto& c : columns_) total += c->buffered_bytes();
    return total;
  }

  Status emit(std::string_view bytes) {
    if (auto st = sink_(bytes); !st) return fail(st.error());
    bytes_written_ += bytes.size();
    return {};
  }

  Status emit_magic() {
    if (bytes_written_ > 0) return {};
    return emit(kMagic);
  }

  Status flush_row_group() {
    const std::size_t n = columns_.size();
    std::vector<Result<EncodedChunk>> chunks(n, Result<EncodedChunk>(make_error("", "")));
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t c) { chunks[c] = columns_[c]->finish(); });
    for (auto& chunk : chunks) {
      if (!chunk) return fail(chunk.error());
    }
    if (auto st = emit_magic(); !st) return st;
    format::RowGroup group;
    group.num_rows = static_cast<std::int64_t>(group_rows_);
    group.file_offset = static_cast<std::int64_t>(bytes_written_);
    std::int64_t compressed = 0;
    for (auto& chunk : chunks) {
      auto& encoded = chunk.value();
      const auto base = static_cast<std::int64_t>(bytes_written_);
      format::ColumnChunk cc;
      cc.meta_data = std::move(encoded.meta);
      auto& m = *cc.meta_data;
      m.data_page_offset += base;
      if (m.dictionary_page_offset) *m.dictionary_page_offset += base;
      cc.file_offset = m.dictionary_page_offset.value_or(m.data_page_offset);
      group.total_byte_size += m.total_uncompressed_size;
      compressed += m.total_compressed_size;
      for (auto& page : encoded.pages) {
        if (auto st = emit(page); !st) return st;
        page = std::string();  // release the row group's pages as they go out
      }
      group.columns.push_back(std::move(cc));
    }
    group.total_compressed_size = compressed;
    if (meta_.row_groups.size() <= INT16_MAX)
      group.ordinal = static_cast<std::int16_t>(meta_.row_groups.size());
    meta_.row_groups.push_back(std::move(group));
    group_rows_ = 0;
    return {};
  }

  Schema schema_;
  ByteSink sink_;
  WriterOptions options_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> columns_;
  format::FileMetaData meta_;
  std::size_t group_rows_ = 0;
  std::uint64_t rows_written_ = 0;
  std::uint64_t bytes_written_ = 0;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<Writer>> Writer::open(Schema schema, ByteSink sink, WriterOptions options) {
  if (auto st = validate_schema(schema); !st) return st.error();
  if (!sink) return make_error("ParquetInvalidOptions", "no byte sink");
  if (options.row_group_rows == 0 || options.row_group_bytes == 0 || options.page_bytes == 0) {
    return make_error("ParquetInvalidOptions", "row group and page limits must be positive");
  }
  return std::unique_ptr<Writer>(std::make_unique<FileWriter>(std::move(schema), std::move(sink), options));
}

}  // namespace dwh::parquet
