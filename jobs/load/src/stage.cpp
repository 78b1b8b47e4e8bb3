#include "stage.hpp"

#include <tbb/global_control.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "copy_text.hpp"
#include "dwh/core/first_error.hpp"
#include "dwh/core/hash.hpp"
#include "dwh/parquet/reader.hpp"
#include "sql.hpp"

namespace dwh::load::detail {
namespace {

using core::FirstError;

// COPY data goes to libpq in pieces of about this size.
constexpr std::size_t kCopyPiece = 1u << 20;
// Rows encoded as one unit of parallel work: large enough to amortise the hand-off, small
// enough that the encoded slices in flight stay far below one decoded row group.
constexpr std::size_t kSliceRows = std::size_t{64} * 1024;
// The first read from the end. A footer of ours is about 1.5 KiB per row group of a 15-column
// table, so one request usually suffices; a larger footer costs a second.
constexpr std::uint64_t kTailGuess = std::uint64_t{16} * 1024;
// Redshift's verification reads the object in ranges of this size.
constexpr std::uint64_t kVerifyRange = 8u << 20;

Error checksum_error(stores::ObjectStore& store, const ExpectedObject& o, const std::string& what) {
  return make_error("ChecksumMismatch", "checksum check failed: " + store.url() + "/" + o.key + " " + what);
}

// Reads one object front to back in ranges, hashing every byte once. The tail is read first (the
// footer is needed before anything else) and kept, so no byte is fetched twice: reads that reach
// into it are served from it.
class HashedObject {
 public:
  HashedObject(stores::ObjectStore& store, const ExpectedObject& object)
      : store_(store), object_(object), sha_(core::StreamDigest::Kind::Sha256), tail_offset_(object.bytes) {}

  [[nodiscard]] std::uint64_t position() const { return position_; }
  [[nodiscard]] std::uint64_t bytes_read() const { return bytes_read_; }
  [[nodiscard]] std::uint64_t largest_read() const { return largest_read_; }
  [[nodiscard]] const std::string& tail() const { return tail_; }

  // Reads the last `n` bytes (all of them if the object is smaller) and keeps them. One byte
  // more is asked for, so an object longer than the manifest says is caught here.
  Status read_tail(std::uint64_t n) {
    const std::uint64_t size = object_.bytes;
    n = std::min(n, size);
    if (n <= tail_.size()) return {};
    auto got = store_.get_range(object_.key, size - n, n + 1);
    if (!got) return with_key(std::move(got).error());
    count(got->size());
    if (got->size() != n) {
      return checksum_error(store_, object_,
                            got->size() > n
                                ? "has more than the " + std::to_string(size) + " bytes its manifest says"
                                : "has fewer than the " + std::to_string(size) + " bytes its manifest says");
    }
    tail_ = std::move(got).value();
    tail_offset_ = size - n;
    return {};
  }

  // The bytes [position(), end), hashed. Fewer than asked means the object is shorter than the
  // manifest says.
  Result<std::string> read_to(std::uint64_t end) {
    end = std::min(end, object_.bytes);
    if (end <= position_) return std::string();
    std::string out;
    if (position_ < tail_offset_) {
      const std::uint64_t until = std::min(end, tail_offset_);
      auto got = store_.get_range(object_.key, position_, until - position_);
      if (!got) return with_key(std::move(got).error());
      count(got->size());
      if (got->size() != until - position_) {
        return checksum_error(store_, object_,
                              "ends at byte " + std::to_string(position_ + got->size()) +
                                  ", its manifest says it has " + std::to_string(object_.bytes));
      }
      out = std::move(got).value();
    }
    if (end > tail_offset_) {
      const std::uint64_t from = std::max(position_, tail_offset_);
      out.append(tail_, static_cast<std::size_t>(from - tail_offset_), static_cast<std::size_t>(end - from));
    }
    sha_.update(out);
    position_ = end;
    return out;
  }

  // Hashes the rest of the object and compares with the manifest.
  Status finish() {
    if (auto rest = read_to(object_.bytes); !rest) return std::move(rest).error();
    const std::string sha = sha_.finish_hex();
    if (sha != object_.sha256)
      return checksum_error(store_, object_, "has sha256 " + sha + ", its manifest says " + object_.sha256);
    return {};
  }

 private:
  void count(std::uint64_t n) {
    bytes_read_ += n;
    largest_read_ = std::max(largest_read_, n);
  }

  [[nodiscard]] Error with_key(Error e) const {
    e.message = "cannot read " + object_.key + ": " + e.message;
    return e;
  }

  stores::ObjectStore& store_;
  const ExpectedObject& object_;
  core::StreamDigest sha_;
  std::uint64_t position_ = 0;
  std::string tail_;
  std::uint64_t tail_offset_;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t largest_read_ = 0;
};

Result<std::unique_ptr<parquet::Reader>> open_footer(HashedObject& object, const ExpectedObject& o) {
  if (auto s = object.read_tail(kTailGuess); !s) return std::move(s).error();
  const std::string& guess = object.tail();
  auto needed = parquet::Reader::tail_size(
      std::string_view(guess).substr(guess.size() - std::min<std::size_t>(8, guess.size())), o.bytes, o.key);
  if (!needed) return std::move(needed).error();
  if (*needed > guess.size()) {
    if (auto s = object.read_tail(*needed); !s) return std::move(s).error();
  }
  const std::string& tail = object.tail();
  return parquet::Reader::open_tail(tail.substr(tail.size() - static_cast<std::size_t>(*needed)), o.bytes,
                                    o.key);
}

Status check_schema(const model::Model& model, const parquet::Schema& actual, const std::string& key) {
  const parquet::Schema want = model::parquet_schema(model);
  if (actual.columns.size() != want.columns.size()) {
    return make_error("ManifestInvalid", key + " has " + std::to_string(actual.columns.size()) +
                                             " columns, model " + model.table + " has " +
                                             std::to_string(want.columns.size()));
  }
  for (std::size_t i = 0; i < want.columns.size(); ++i) {
    const auto& a = actual.columns[i];
    const auto& w = want.columns[i];
    if (a.name != w.name || a.type != w.type ||
        (w.type == parquet::LogicalType::Decimal && a.scale != w.scale)) {
      return make_error("ManifestInvalid", key + ": column " + std::to_string(i + 1) + " is '" + a.name +
                                               "', which does not match model column " + model.table + "." +
                                               w.name);
    }
  }
  return {};
}

struct Slice {
  std::shared_ptr<const parquet::ColumnBatch> batch;
  std::size_t begin = 0, end = 0;
  std::string text;
};
using SlicePtr = std::shared_ptr<Slice>;

// Hands out slices of rows in file order, reading and decoding the next row group (its columns
// in parallel) when the current one is used up.
class SliceSource {
 public:
  SliceSource(const parquet::Reader& reader, HashedObject& object, const std::string& key)
      : reader_(reader), object_(object), key_(key) {}

  // nullptr at the end.
  Result<SlicePtr> next() {
    while (!batch_ || row_ == batch_->rows) {
      batch_.reset();
      if (group_ == reader_.row_groups()) return SlicePtr();
      const std::size_t g = group_++;
      const parquet::ByteSpan span = reader_.row_group_span(g);
      if (span.offset < object_.position()) {
        return make_error("ParquetUnsupported",
                          key_ + ": row group " + std::to_string(g) + " starts at byte " +
                              std::to_string(span.offset) + ", before the end of the one before it (" +
                              std::to_string(object_.position()) + "); row groups are read in file order");
      }
      const std::uint64_t at = object_.position();
      auto bytes = object_.read_to(span.end());
      if (!bytes) return std::move(bytes).error();
      auto batch = reader_.decode_row_group(g, *bytes, at);
      if (!batch) return std::move(batch).error();
      batch_ = std::make_shared<const parquet::ColumnBatch>(std::move(batch).value());
      row_ = 0;
    }
    auto slice = std::make_shared<Slice>();
    slice->batch = batch_;
    slice->begin = row_;
    slice->end = std::min(batch_->rows, row_ + kSliceRows);
    row_ = slice->end;
    return slice;
  }

 private:
  const parquet::Reader& reader_;
  HashedObject& object_;
  const std::string& key_;
  std::shared_ptr<const parquet::ColumnBatch> batch_;
  std::size_t group_ = 0;
  std::size_t row_ = 0;
};

}  // namespace

Result<StageReport> stage_postgres(pg::Connection& conn, const model::Model& model,
                                   stores::ObjectStore& store, const ExpectedObject& object, int threads) {
  HashedObject hashed(store, object);
  auto reader = open_footer(hashed, object);
  if (!reader) return std::move(reader).error();
  const parquet::Reader& r = **reader;
  if (auto s = check_schema(model, r.schema(), object.key); !s) return std::move(s).error();
  if (auto s = conn.begin_copy_in(sql::copy_from_stdin(model)); !s) return std::move(s).error();

  const int workers = std::max(1, threads);
  SliceSource source(r, hashed, object.key);
  FirstError failure;
  // Tokens bound memory: each holds one slice's COPY text. The arena has a slot for the reading
  // thread besides the encoders (it mostly waits on I/O), which TBB's default limit of one
  // thread per core would refuse, with a warning, on a 2-core machine.
  tbb::global_control allow(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(static_cast<std::size_t>(workers) + 1,
                            tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
  tbb::task_arena arena(workers + 1);
  arena.execute([&] {
    tbb::parallel_pipeline(
        2 * static_cast<std::size_t>(workers) + 1,
        tbb::make_filter<void, SlicePtr>(tbb::filter_mode::serial_in_order,
                                         [&](tbb::flow_control& fc) -> SlicePtr {
                                           if (failure.failed()) {
                                             fc.stop();
                                             return nullptr;
                                           }
                                           auto slice = source.next();
                                           if (!slice) {
                                             failure.set(std::move(slice).error());
                                             fc.stop();
                                             return nullptr;
                                           }
                                           if (!*slice) {  // the end of the object
                                             fc.stop();
                                             return nullptr;
                                           }
                                           return std::move(slice).value();
                                         }) &
            tbb::make_filter<SlicePtr, SlicePtr>(
                tbb::filter_mode::parallel,
                [&](SlicePtr slice) -> SlicePtr {
                  if (failure.failed()) return slice;
                  slice->text.reserve((slice->end - slice->begin) * 8 * r.schema().columns.size());
                  if (auto s =
                          append_copy_text(r.schema(), *slice->batch, slice->begin, slice->end, slice->text);
                      !s) {
                    Error e = std::move(s).error();
                    e.message = object.key + ": " + e.message;
                    failure.set(std::move(e));
                  }
                  slice->batch.reset();  // the row group goes as soon as its last slice is encoded
                  return slice;
                }) &
            tbb::make_filter<SlicePtr, void>(tbb::filter_mode::serial_in_order, [&](const SlicePtr& slice) {
              if (failure.failed()) return;
              for (std::size_t at = 0; at < slice->text.size(); at += kCopyPiece) {
                if (auto s = conn.put_copy_data(std::string_view(slice->text).substr(at, kCopyPiece)); !s) {
                  failure.set(std::move(s).error());
                  return;
                }
              }
            }));
  });
  if (auto e = failure.take()) {
    // A corrupted object shows first as undecodable; the checksum names the real cause.
    if (e->code.rfind("Parquet", 0) == 0) {
      if (auto s = hashed.finish(); !s && s.error().code == "ChecksumMismatch") return std::move(s).error();
    }
    return std::move(*e);  // the caller's rollback ends the COPY
  }
  if (auto s = hashed.finish(); !s) return std::move(s).error();
  auto rows = conn.end_copy_in();
  if (!rows) return std::move(rows).error();
  return StageReport{*rows, hashed.bytes_read(), hashed.largest_read()};
}

Result<StageReport> verify_object(stores::ObjectStore& store, const ExpectedObject& object) {
  HashedObject hashed(store, object);
  if (auto s = hashed.read_tail(std::min<std::uint64_t>(object.bytes, 8)); !s) return std::move(s).error();
  while (hashed.position() < object.bytes) {
    if (auto part = hashed.read_to(hashed.position() + kVerifyRange); !part) return std::move(part).error();
  }
  if (auto s = hashed.finish(); !s) return std::move(s).error();
  return StageReport{0, hashed.bytes_read(), hashed.largest_read()};
}

}  // namespace dwh::load::detail
