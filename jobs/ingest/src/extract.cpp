// One table, pipelined with bounded memory: a serial stage reads COPY text from the connection,
// a parallel stage turns chunks into JSON Lines and compresses each into its own gzip member
// (or zstd frame), and a serial stage hashes and writes them in order.
#include <tbb/parallel_pipeline.h>

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

// Prefixes an error with the table it happened in: several tables are extracted in one run.
Error in_table(const TablePlan& plan, Error e) {
  e.message = "table " + plan.table.name + ": " + e.message;
  return e;
}

// One table's extraction: what the three pipeline stages share. The reading and writing stages
// are serial (tbb runs one item at a time through them, in order), so only `failure_` is touched
// concurrently, and it is thread-safe.
class TableExtraction {
 public:
  TableExtraction(pg::Connection& session, ObjectStore& store, const TablePlan& plan, const std::string& key,
                  const ExtractSettings& settings)
      : session_(session),
        store_(store),
        plan_(plan),
        key_(key),
        settings_(settings),
        encoder_(column_specs(plan), plan.cursor_index) {
    report_.table = plan.table.name;
    report_.mode = plan.incremental ? "incremental" : "full";
  }

  // Runs the pipeline over the COPY the session has begun; the report, or the first error
  // (the object then aborted, so nothing is left under the key).
  Result<TableReport> run() {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(std::max(1, settings_.chunks_in_flight)),
        tbb::make_filter<void, ChunkPtr>(tbb::filter_mode::serial_in_order,
                                         [this](tbb::flow_control& fc) { return read(fc); }) &
            tbb::make_filter<ChunkPtr, ChunkPtr>(
                tbb::filter_mode::parallel, [this](ChunkPtr chunk) { return encode(std::move(chunk)); }) &
            tbb::make_filter<ChunkPtr, void>(tbb::filter_mode::serial_in_order,
                                             [this](const ChunkPtr& chunk) { write(*chunk); }));
    return finish();
  }

 private:
  static std::vector<ColumnSpec> column_specs(const TablePlan& plan) {
    std::vector<ColumnSpec> specs;
    specs.reserve(plan.columns.size());
    for (const auto& c : plan.columns) specs.push_back({c.name, column_kind_for_type(c.typname)});
    return specs;
  }

  // Serial stage: the next chunk of COPY text; stops the pipeline at the end or on a failure.
  ChunkPtr read(tbb::flow_control& fc) {
    if (!more_ || failure_.failed()) {
      fc.stop();
      return nullptr;
    }
    auto chunk = std::make_shared<Chunk>();
    chunk->text.reserve(settings_.chunk_bytes + (64u << 10));
    auto r = session_.read_copy_out(chunk->text, settings_.chunk_bytes);
    if (!r) {
      failure_.set(std::move(r).error());
      fc.stop();
      return nullptr;
    }
    more_ = *r;
    if (chunk->text.empty()) {
      fc.stop();
      return nullptr;
    }
    return chunk;
  }

  // Parallel stage: COPY text to JSON Lines to one compressed member.
  ChunkPtr encode(ChunkPtr chunk) {
    if (failure_.failed()) return chunk;
    // Per-thread buffers, reused: a fresh multi-megabyte buffer per chunk costs page
    // faults and zeroing on every chunk. Only the compressed bytes travel on.
    thread_local std::string json;
    thread_local std::string packed;
    json.clear();
    packed.clear();
    auto rows = encoder_.encode(chunk->text, json, chunk->range);
    if (!rows) {
      failure_.set(std::move(rows).error());
      return chunk;
    }
    chunk->rows = *rows;
    std::string().swap(chunk->text);
    if (auto s = compress_chunk(settings_.compression, json, packed); !s) {
      failure_.set(std::move(s).error());
      return chunk;
    }
    chunk->compressed.assign(packed);
    return chunk;
  }

  // Serial stage, in order: hashes and writes a member; the object is opened at the first rows,
  // so a table without rows leaves no object.
  void write(const Chunk& chunk) {
    if (failure_.failed() || chunk.rows == 0) return;
    if (!writer_) {
      auto w = store_.open_writer(key_);
      if (!w) {
        failure_.set(std::move(w).error());
        return;
      }
      writer_ = std::move(w).value();
    }
    sha_.update(chunk.compressed);
    if (auto s = writer_->write(chunk.compressed); !s) {
      failure_.set(std::move(s).error());
      return;
    }
    report_.rows += chunk.rows;
    report_.bytes += chunk.compressed.size();
    range_.merge(chunk.range);
    if (!crashed_mid_upload_checked_) {
      crashed_mid_upload_checked_ = true;
      crash_point("mid-upload");
    }
  }

  // After the pipeline: aborts on a failure, else commits the object (if any) and completes
  // the report.
  Result<TableReport> finish() {
    if (auto e = failure_.take()) {
      if (writer_) writer_->abort();
      return in_table(plan_, std::move(*e));
    }
    if (writer_) {
      if (auto s = writer_->commit(); !s) {
        Error e = std::move(s).error();
        e.message = "cannot store " + key_ + ": " + e.message;
        return in_table(plan_, std::move(e));
      }
      report_.key = key_;
      report_.sha256 = sha_.finish_hex();
    }
    report_.cursor_min = range_.min;
    report_.cursor_max = range_.max;
    return std::move(report_);
  }

  pg::Connection& session_;
  ObjectStore& store_;
  const TablePlan& plan_;
  const std::string& key_;
  const ExtractSettings& settings_;
  const JsonLinesEncoder encoder_;
  TableReport report_;
  FirstError failure_;
  core::StreamDigest sha_{core::StreamDigest::Kind::Sha256};
  std::unique_ptr<ObjectWriter> writer_;
  CursorRange range_;
  bool more_ = true;
  bool crashed_mid_upload_checked_ = false;
};

}  // namespace

Result<TableReport> extract_table(pg::Connection& session, ObjectStore& store, const TablePlan& plan,
                                  const std::string& key, const ExtractSettings& settings) {
  const auto t0 = std::chrono::steady_clock::now();
  TableExtraction extraction(session, store, plan, key, settings);
  if (auto s = session.begin_copy_out("COPY (" + plan.select_sql + ") TO STDOUT"); !s) {
    return in_table(plan, std::move(s).error());
  }
  auto report = extraction.run();
  if (report) report->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace dwh::ingest::ingest_detail
