#include "load_stage.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "dwh/parquet/reader.hpp"
#include "load_copy_text.hpp"
#include "load_sql.hpp"

namespace dwh::load::detail {
namespace {

// COPY data goes to libpq in pieces of about this size; a row group's text is encoded whole
// (that is the parallel part) and then sent piece by piece.
constexpr std::size_t kCopyPiece = 1u << 20;

Status check_schema(const transform::Model& model, const parquet::Schema& actual, const std::string& key) {
  const parquet::Schema want = transform::parquet_schema(model);
  if (actual.columns.size() != want.columns.size()) {
    return make_error("ManifestInvalid", key + " has " + std::to_string(actual.columns.size()) + " columns, model " +
                                             model.table + " has " + std::to_string(want.columns.size()));
  }
  for (std::size_t i = 0; i < want.columns.size(); ++i) {
    const auto& a = actual.columns[i];
    const auto& w = want.columns[i];
    if (a.name != w.name || a.type != w.type || (w.type == parquet::LogicalType::Decimal && a.scale != w.scale)) {
      return make_error("ManifestInvalid", key + ": column " + std::to_string(i + 1) + " is '" + a.name +
                                               "', which does not match model column " + model.table + "." + w.name);
    }
  }
  return {};
}

class FirstError {
 public:
  void set(Error e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(e);
  }
  bool failed() const {
    std::lock_guard lock(mutex_);
    return error_.has_value();
  }
  std::optional<Error> take() {
    std::lock_guard lock(mutex_);
    return std::move(error_);
  }

 private:
  mutable std::mutex mutex_;
  std::optional<Error> error_;
};

}  // namespace

Result<std::uint64_t> stage_postgres(Connection& conn, const transform::Model& model, std::string bytes,
                                     const std::string& key, int threads) {
  auto reader = parquet::Reader::open(std::move(bytes), key);
  if (!reader) return std::move(reader).error();
  const parquet::Reader& r = **reader;
  if (auto s = check_schema(model, r.schema(), key); !s) return std::move(s).error();
  if (auto s = conn.begin_copy(sql::copy_from_stdin(model)); !s) return std::move(s).error();

  const std::size_t groups = r.row_groups();
  const int workers = std::max(1, threads);
  std::size_t next = 0;
  FirstError failure;
  // Tokens bound memory: each holds one decoded row group's COPY text.
  tbb::task_arena arena(workers + 1);
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(workers) + 1,
        tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                            [&](tbb::flow_control& fc) -> std::size_t {
                                              if (next >= groups || failure.failed()) {
                                                fc.stop();
                                                return 0;
                                              }
                                              return next++;
                                            }) &
            tbb::make_filter<std::size_t, std::shared_ptr<std::string>>(
                tbb::filter_mode::parallel,
                [&](std::size_t index) -> std::shared_ptr<std::string> {
                  auto text = std::make_shared<std::string>();
                  if (failure.failed()) return text;
                  auto batch = r.read_row_group(index);
                  if (!batch) {
                    failure.set(std::move(batch).error());
                    return text;
                  }
                  text->reserve(batch->rows * 16 * r.schema().columns.size() / 2);
                  if (auto s = detail::append_copy_text(r.schema(), *batch, 0, batch->rows, *text); !s) {
                    Error e = std::move(s).error();
                    e.message = key + ": " + e.message;
                    failure.set(std::move(e));
                  }
                  return text;
                }) &
            tbb::make_filter<std::shared_ptr<std::string>, void>(
                tbb::filter_mode::serial_in_order, [&](const std::shared_ptr<std::string>& text) {
                  if (failure.failed()) return;
                  for (std::size_t at = 0; at < text->size(); at += kCopyPiece) {
                    if (auto s = conn.put_copy(std::string_view(*text).substr(at, kCopyPiece)); !s) {
                      failure.set(std::move(s).error());
                      return;
                    }
                  }
                  text->clear();
                  text->shrink_to_fit();
                }));
  });
  if (auto e = failure.take()) return std::move(*e);  // the caller's rollback ends the COPY
  return conn.end_copy();
}

}  // namespace dwh::load::detail
