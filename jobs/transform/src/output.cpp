// Where the transform job's results go: Parquet objects streamed to the processed store (hashed
// and counted on the way), reject records, and the messages that name a bad record.

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "dwh/core/run_id.hpp"
#include "internal.hpp"

namespace dwh::transform::detail {

std::string output_key(const std::string& table, const std::string& run_id) {
  return table + "/" + core::run_id_date_path(run_id).value_or("0000/00/00") + "/" + run_id + ".parquet";
}

std::string reject_line(const std::string& object, const Problem& p) {
  nlohmann::json j = {{"object", object}, {"line", p.line},     {"column", p.column},
                      {"value", p.value}, {"reason", p.reason}, {"record", p.record}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Error bad_record_error(const std::string& table, const std::string& object, const Problem& p) {
  std::string m = table + ": bad record in " + object + " line " + std::to_string(p.line);
  if (!p.column.empty()) m += ", column " + p.column;
  if (!p.value.empty()) m += ", value " + p.value;
  m += ": " + p.reason + ". Nothing was committed; rerun with --quarantine to set bad records aside.";
  return make_error("BadRecord", m);
}

Result<std::unique_ptr<OutputFile>> OutputFile::open(stores::ObjectStore& store, std::string key,
                                                     const parquet::Schema& schema,
                                                     const parquet::WriterOptions& options) {
  auto out = std::unique_ptr<OutputFile>(new OutputFile());
  out->key_ = std::move(key);
  auto object = store.open_writer(out->key_);
  if (!object) return std::move(object).error();
  out->object_ = std::move(object).value();
  OutputFile* self = out.get();
  auto writer = parquet::Writer::open(
      schema,
      [self](std::string_view bytes) -> Status {
        self->sha_.update(bytes);
        self->bytes_ += bytes.size();
        return self->object_->write(bytes);
      },
      options);
  if (!writer) return std::move(writer).error();
  out->writer_ = std::move(writer).value();
  return out;
}

OutputFile::~OutputFile() {
  if (!done_) abort();
}

Status OutputFile::write(const parquet::ColumnBatch& batch) {
  return writer_->write(batch);
}

std::uint64_t OutputFile::rows() const {
  return writer_ ? writer_->rows_written() : 0;
}

Status OutputFile::finish() {
  if (writer_->rows_written() == 0) {
    abort();
    return {};
  }
  if (auto s = writer_->close(); !s) return s;
  sha256_ = sha_.finish_hex();
  if (auto s = object_->commit(); !s) return s;
  done_ = true;
  return {};
}

void OutputFile::abort() {
  if (object_ && !done_) object_->abort();
  done_ = true;
}

}  // namespace dwh::transform::detail
