// One table, pipelined with bounded memory: a serial stage reads COPY text from the connection,
// a parallel stage turns chunks into JSON Lines and compresses each into its own gzip member
// (or zstd frame), and a serial stage hashes and writes them in order.
#include <signal.h>
#include <tbb/parallel_pipeline.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "dwh/core/first_error.hpp"
#include "dwh/core/hash.hpp"
#include "internal.hpp"

namespace dwh::ingest::ingest_detail {
namespace {

struct Chunk {
  std::string text;
  std::string compressed;
  std::uint64_t rows = 0;
  CursorRange range;
};
using ChunkPtr = std::shared_ptr<Chunk>;

using core::FirstError;

}  // namespace

Result<TableReport> extract_table(pg::Connection& session, ObjectStore& store, const TablePlan& plan,
                                  const std::string& key, const ExtractSettings& settings) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<ColumnSpec> specs;
  for (const auto& c : plan.columns) specs.push_back({c.name, column_kind_for_type(c.typname)});
  const JsonLinesEncoder encoder(std::move(specs), plan.cursor_index);

  if (auto s = session.begin_copy_out("COPY (" + plan.select_sql + ") TO STDOUT"); !s) {
    Error e = std::move(s).error();
    e.message = "table " + plan.table.name + ": " + e.message;
    return e;
  }

  TableReport report;
  report.table = plan.table.name;
  report.mode = plan.incremental ? "incremental" : "full";
  FirstError failure;
  core::StreamDigest sha(core::StreamDigest::Kind::Sha256);
  std::unique_ptr<ObjectWriter> writer;
  CursorRange range;
  bool more = true;
  bool crashed_mid_upload_checked = false;

  tbb::parallel_pipeline(
      static_cast<std::size_t>(std::max(1, settings.chunks_in_flight)),
      tbb::make_filter<void,
                       ChunkPtr>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) -> ChunkPtr {
        if (!more || failure.failed()) {
          fc.stop();
          return nullptr;
        }
        auto chunk = std::make_shared<Chunk>();
        chunk->text.reserve(settings.chunk_bytes + (64u << 10));
        auto r = session.read_copy_out(chunk->text, settings.chunk_bytes);
        if (!r) {
          failure.set(std::move(r).error());
          fc.stop();
          return nullptr;
        }
        more = *r;
        if (chunk->text.empty()) {
          fc.stop();
          return nullptr;
        }
        return chunk;
      }) & tbb::make_filter<ChunkPtr, ChunkPtr>(tbb::filter_mode::parallel, [&](ChunkPtr chunk) -> ChunkPtr {
        if (failure.failed()) return chunk;
        // Per-thread buffers, reused: a fresh multi-megabyte buffer per chunk costs page
        // faults and zeroing on every chunk. Only the compressed bytes travel on.
        thread_local std::string json;
        thread_local std::string packed;
        json.clear();
        packed.clear();
        auto rows = encoder.encode(chunk->text, json, chunk->range);
        if (!rows) {
          failure.set(std::move(rows).error());
          return chunk;
        }
        chunk->rows = *rows;
        std::string().swap(chunk->text);
        if (auto s = compress_chunk(settings.compression, json, packed); !s) {
          failure.set(std::move(s).error());
          return chunk;
        }
        chunk->compressed.assign(packed);
        return chunk;
      }) & tbb::make_filter<ChunkPtr, void>(tbb::filter_mode::serial_in_order, [&](ChunkPtr chunk) {
        if (failure.failed() || chunk->rows == 0) return;
        if (!writer) {
          auto w = store.open_writer(key);
          if (!w) {
            failure.set(std::move(w).error());
            return;
          }
          writer = std::move(w).value();
        }
        sha.update(chunk->compressed);
        if (auto s = writer->write(chunk->compressed); !s) {
          failure.set(std::move(s).error());
          return;
        }
        report.rows += chunk->rows;
        report.bytes += chunk->compressed.size();
        range.merge(chunk->range);
        if (!crashed_mid_upload_checked) {
          crashed_mid_upload_checked = true;
          crash_point("mid-upload");
        }
      }));

  if (auto e = failure.take()) {
    if (writer) writer->abort();
    e->message = "table " + plan.table.name + ": " + e->message;
    return std::move(*e);
  }
  if (writer) {
    if (auto s = writer->commit(); !s) {
      Error e = std::move(s).error();
      e.message = "table " + plan.table.name + ": cannot store " + key + ": " + e.message;
      return e;
    }
    report.key = key;
    report.sha256 = sha.finish_hex();
  }
  report.cursor_min = range.min;
  report.cursor_max = range.max;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace dwh::ingest::ingest_detail
