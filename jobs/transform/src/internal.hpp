#pragma once
// Pieces of the transform job shared between its source files.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dwh/core/crash_point.hpp"
#include "dwh/core/hash.hpp"
#include "dwh/model/calendar.hpp"
#include "dwh/model/model.hpp"
#include "dwh/model/values.hpp"
#include "dwh/parquet/column_batch.hpp"
#include "dwh/parquet/writer.hpp"
#include "dwh/stores/compression.hpp"
#include "dwh/stores/object_store.hpp"
#include "dwh/transform/transform.hpp"

namespace dwh::transform {
// The model's vocabulary (dwh::model), which every part of the transform speaks.
using model::calendar_fields;
using model::CalendarFields;
using model::CalendarPart;
using model::check_int32;
using model::civil_from_days;
using model::CivilDate;
using model::ColumnExpr;
using model::Dataset;
using model::days_from_civil;
using model::format_date;
using model::integer_to_decimal;
using model::kMaxDecimalPrecision;
using model::kMicrosPerDay;
using model::kMicrosPerSecond;
using model::load_dataset;
using model::Lookup;
using model::Model;
using model::ModelColumn;
using model::ModelKind;
using model::parquet_schema;
using model::parse_date_days;
using model::parse_decimal;
using model::parse_int32;
using model::parse_int64;
using model::parse_time_micros;
using model::parse_timestamp_micros;
using model::SourceColumn;
using model::SourceTable;
using model::SourceType;
using model::timestamp_date_days;
using model::timestamp_time_micros;
using model::value_error_message;
using model::ValueError;
}  // namespace dwh::transform

namespace dwh::transform::detail {

inline constexpr std::string_view kStatePrefix = "_state/transform/";
inline constexpr std::string_view kRejectedPrefix = "_rejected/";
// The run index of rows that come from the previous run's state (older than every consumed run).
inline constexpr int kStateRun = -1;

// Kills the process when DWH_TEST_CRASH_POINT names `point` (crash-safety tests).
using core::crash_point;

// ---------------------------------------------------------------------------------------------
// Landed objects, streamed: ranged reads, decompression, line-aligned chunks.

struct InputObject {
  std::string key;
  int run = 0;  // index of its ingest run among the consumed ones; kStateRun for state objects
  stores::Compression compression = stores::Compression::Gzip;
  std::optional<std::uint64_t> size;  // what the ingest manifest says (checked at the end)
  std::string sha256;                 // likewise; empty: not checked
  std::uint64_t rows = 0;             // likewise (sizes the unique-key check)
};

// A piece of decompressed JSON Lines holding whole lines only, followed by simdjson's padding.
struct Chunk {
  std::size_t object = 0;  // index into the object list being read
  std::unique_ptr<char[]> data;
  std::size_t size = 0;      // the JSON Lines bytes
  std::size_t capacity = 0;  // readable bytes from data (>= size + kJsonPadding)
};

class ObjectReader {
 public:
  ObjectReader(stores::ObjectStore& store, const InputObject& object, std::size_t chunk_bytes);
  ~ObjectReader();
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  // The next chunk (false at the end, after the size and checksum were checked).
  Result<bool> next(Chunk& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Every line of an object (state objects and small lookup tables).
Result<std::string> read_whole_object(stores::ObjectStore& store, const InputObject& object);

// ---------------------------------------------------------------------------------------------
// Records: one JSON line parsed into the columns a model needs.

struct Value {
  enum class Kind : std::uint8_t { Missing, Null, Int, Double, Bool, Text };
  Kind kind = Kind::Missing;
  std::int64_t i = 0;     // Int, Bool
  double d = 0;           // Double
  std::string_view text;  // Text: the string; Int/Double: the raw number
};

// Why a record cannot be taken.
struct Problem {
  std::size_t object = 0;  // index into the object list
  std::uint64_t line = 0;  // 1-based within the object
  std::string column;
  std::string value;
  std::string reason;
  std::string record;  // the raw line
};

// Which columns of a source table a model reads, and how to find them by name.
class RecordParser {
 public:
  // `needed`: which columns of `table` to read (all when empty).
  RecordParser(const SourceTable& table, std::vector<bool> needed);
  [[nodiscard]] const SourceTable& table() const { return *table_; }
  [[nodiscard]] bool needed(std::size_t column) const { return needed_[column]; }
  [[nodiscard]] std::size_t needed_count() const { return needed_count_; }
  // -1 when the table has no such column.
  [[nodiscard]] int find(std::string_view name) const;

 private:
  const SourceTable* table_;
  std::vector<bool> needed_;
  std::size_t needed_count_ = 0;
  std::unordered_map<std::string_view, int> index_;
};

// Bytes that must be readable after a line handed to LineParser (simdjson's padding).
inline constexpr std::size_t kJsonPadding = 64;

// A JSON line parser for one thread (simdjson on-demand, holding its buffers).
class LineParser {
 public:
  virtual ~LineParser() = default;
  // Parses `line` (with `capacity` readable bytes from its start, at least size + kJsonPadding)
  // into `values` (one per table column). On a bad record fills column/value/reason of
  // `problem` and returns false.
  virtual bool parse(std::string_view line, std::size_t capacity, std::vector<Value>& values,
                     Problem& problem) = 0;
};

// The fastest implementation this CPU runs (AVX2 kernels when present).
std::unique_ptr<LineParser> make_line_parser(const RecordParser& spec);

// A record's identity for maps: the values of `columns`, encoded so equal values compare equal.
void append_key(std::string& out, const Value& v);
std::string key_of(const std::vector<Value>& values, const std::vector<int>& columns);
// Text of a value for messages ("null" for null).
std::string value_text(const Value& v);

// ---------------------------------------------------------------------------------------------
// Current versions of the source tables lookups (and re-emits) need: the state.

struct CurrentRow {
  std::string line;     // the record as landed
  std::string storage;  // owned text of the parsed values
  std::vector<Value> values;
  std::int64_t cursor = 0;
  int run = kStateRun;
  bool changed = false;  // a version of this key landed in the consumed runs
  std::string origin;    // object key it came from, for messages
  std::uint64_t origin_line = 0;
};

struct CurrentTable {
  const SourceTable* source = nullptr;
  std::vector<int> key_columns;
  int cursor_column = -1;
  std::map<std::string, CurrentRow> rows;  // by key_of(primary key): ordered, deterministic
  bool changed = false;
  std::string state_key;  // the object holding it (previous one, or this run's when changed)
  std::uint64_t rows_in = 0;
};

// Parses `line` into `row` (values owning their text). False with `problem` filled if bad.
bool parse_current_row(LineParser& parser, std::string_view line, CurrentRow& row, Problem& problem);

// ---------------------------------------------------------------------------------------------
// Models evaluated on records.

struct OutValue {
  bool null = false;
  std::int64_t i = 0;
  double d = 0;
  std::string_view s;
};

// One lookup: an index over the current rows of its table by the `on` key columns.
class LookupIndex {
 public:
  // Where each part of the key comes from: the model's source record (lookup -1) or the row an
  // earlier lookup found (a chained lookup), and which column.
  struct Part {
    int lookup = -1;
    int column = -1;
  };
  LookupIndex(const Lookup& lookup, const CurrentTable& table, std::vector<Part> parts);
  [[nodiscard]] const Lookup& lookup() const { return *lookup_; }
  [[nodiscard]] const std::vector<Part>& parts() const { return parts_; }
  [[nodiscard]] const CurrentTable& table() const { return *table_; }
  [[nodiscard]] const CurrentRow* find(std::string_view key) const;

 private:
  const Lookup* lookup_;
  const CurrentTable* table_;
  std::vector<Part> parts_;
  std::unordered_map<std::string, const CurrentRow*> index_;
};

class Evaluator {
 public:
  // Fails with ModelError when the model names something the source tables do not have
  // (load_dataset has checked it already; this keeps the engine honest).
  static Result<std::unique_ptr<Evaluator>> create(const Dataset& dataset, const Model& model,
                                                   const std::map<std::string, CurrentTable>& current);

  [[nodiscard]] const parquet::Schema& schema() const { return schema_; }
  [[nodiscard]] const SourceTable& source() const { return *source_; }
  // Source columns the model reads (its own, lookup keys, the primary key and the cursor).
  [[nodiscard]] const std::vector<bool>& needed() const { return needed_; }
  [[nodiscard]] const std::vector<int>& primary_key() const { return primary_key_; }
  [[nodiscard]] int cursor() const { return cursor_; }
  [[nodiscard]] const std::vector<std::unique_ptr<LookupIndex>>& lookups() const { return lookups_; }
  // Output columns whose dates a calendar model must cover, with that model's table.
  [[nodiscard]] const std::vector<std::pair<std::size_t, std::string>>& calendar_columns() const {
    return calendar_columns_;
  }
  [[nodiscard]] const std::vector<std::size_t>& unique_columns() const { return unique_columns_; }

  // Finds the lookup rows of one record (nullptr where a key part is null). False with
  // `problem` filled on a lookup miss.
  bool resolve(const std::vector<Value>& values, std::vector<const CurrentRow*>& rows, std::string& scratch,
               Problem& problem) const;
  // Evaluates one record into `out` (one per output column). False with `problem` filled if bad.
  bool evaluate(const std::vector<Value>& values, std::vector<OutValue>& out, std::string& scratch,
                Problem& problem) const;

 private:
  const Model* model_ = nullptr;
  const SourceTable* source_ = nullptr;
  parquet::Schema schema_;
  std::vector<bool> needed_;
  std::vector<int> primary_key_;
  int cursor_ = -1;
  std::vector<std::unique_ptr<LookupIndex>> lookups_;
  struct Column {
    const ModelColumn* model = nullptr;
    int lookup = -1;  // index into lookups_, -1: the source record
    int index = -1;   // column of the source (or lookup) table; -1 for Constant / Calendar
    SourceType type = SourceType::Text;
  };
  std::vector<Column> columns_;
  std::vector<std::pair<std::size_t, std::string>> calendar_columns_;
  std::vector<std::size_t> unique_columns_;

  // The phases of create(), each indexing one part of the model against the source tables (and
  // marking the source columns it reads as needed), or failing with the ModelError naming it.
  Status index_keys();  // primary key and cursor
  Status index_lookups(const std::map<std::string, CurrentTable>& current);
  // Where each part of lookup `l`'s key comes from; `target` is the looked-up table.
  Result<std::vector<LookupIndex::Part>> lookup_parts(const Lookup& l, const SourceTable& target);
  Status index_columns(const Dataset& dataset);
  Result<Column> resolve_column(const ModelColumn& mc);
  Status index_unique_key();
  // The index in lookups_ of the (last) lookup named `name`; -1 when none (yet).
  [[nodiscard]] int lookup_named(std::string_view name) const;

  // The pieces of evaluate(), per column of a record. Split only for size: take_null and
  // apply_expression are defined `inline` in eval.cpp (their only user), so the record loop
  // keeps them inline as before the split; column_name and reject are the cold reject path.
  // A null (or missing) input: the column's if_null, else null if the column allows it.
  bool take_null(const Column& c, const parquet::ColumnSchema& col, OutValue& o, Problem& problem) const;
  // A present input value through the column's expression.
  bool apply_expression(const Column& c, const parquet::ColumnSchema& col, const Value& v, OutValue& o,
                        Problem& problem) const;
  // The input column named in messages: the source's, or "<lookup table>.<column>".
  [[nodiscard]] std::string column_name(const Column& c) const;
  // Fills `problem` for a value the column cannot take (the message names model table and
  // column) and returns false: the record is rejected.
  bool reject(const Column& c, std::string column, std::string value, std::string why,
              Problem& problem) const;
};

// Appends one evaluated row to `batch` (columns laid out for `schema`).
void append_row(const parquet::Schema& schema, const std::vector<OutValue>& row, parquet::ColumnBatch& batch);
parquet::ColumnBatch empty_batch(const parquet::Schema& schema);
// Hash of output columns `columns` of a row (unique-key expectation).
std::uint64_t row_key_hash(const std::vector<OutValue>& row, const std::vector<std::size_t>& columns);
std::string row_key_text(const parquet::Schema& schema, const std::vector<OutValue>& row,
                         const std::vector<std::size_t>& columns);
// Converts model text (constants, map targets, if_null) to a column's type.
bool convert_text(std::string_view text, const parquet::ColumnSchema& column, OutValue& out,
                  std::string& reason);

// ---------------------------------------------------------------------------------------------
// Output objects.

// A Parquet object being written: bytes go to the store as they come, hashed and counted.
class OutputFile {
 public:
  static Result<std::unique_ptr<OutputFile>> open(stores::ObjectStore& store, std::string key,
                                                  const parquet::Schema& schema,
                                                  const parquet::WriterOptions& options);
  ~OutputFile();
  Status write(const parquet::ColumnBatch& batch);
  // Commits when rows were written; aborts (leaves nothing) when none were.
  Status finish();
  void abort();
  [[nodiscard]] std::uint64_t rows() const;
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  [[nodiscard]] const std::string& key() const { return key_; }
  [[nodiscard]] std::string sha256() const { return sha256_; }

 private:
  OutputFile() = default;
  std::string key_;
  std::unique_ptr<stores::ObjectWriter> object_;
  std::unique_ptr<parquet::Writer> writer_;
  core::StreamDigest sha_{core::StreamDigest::Kind::Sha256};
  std::uint64_t bytes_ = 0;
  std::string sha256_;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------------
// One model's run.

struct TableInputs {
  std::vector<InputObject> objects;  // landed objects of the model's source, in run order
};

struct DateRange {
  std::int64_t min = INT64_MAX;
  std::int64_t max = INT64_MIN;
  [[nodiscard]] bool empty() const { return min > max; }
  void add(std::int64_t d) {
    if (d < min) min = d;
    if (d > max) max = d;
  }
  void merge(const DateRange& o) {
    if (o.empty()) return;
    add(o.min);
    add(o.max);
  }
};

struct TableOutcome {
  TableResult result;
  std::vector<std::string> rejects;        // JSON lines for _rejected/
  std::map<std::string, DateRange> dates;  // per calendar table
  std::optional<Error> error;
};

struct RunContext {
  const Dataset* dataset = nullptr;
  stores::ObjectStore* landing = nullptr;
  stores::ObjectStore* processed = nullptr;
  const TransformOptions* options = nullptr;
  std::string run_id;
  parquet::WriterOptions writer;
  std::atomic<bool> stop{false};  // a table failed: the others stop early
};

std::string output_key(const std::string& table, const std::string& run_id);
std::string reject_line(const std::string& object, const Problem& p);
Error bad_record_error(const std::string& table, const std::string& object, const Problem& p);

// A model whose source is streamed from the landed objects (facts, large dimensions).
TableOutcome run_streamed_model(RunContext& ctx, const Model& model, const Evaluator& evaluator,
                                const TableInputs& inputs);
// A dimension whose source's current version is kept in the state: the rows whose key landed, or
// whose lookup rows changed (the re-emit rule).
TableOutcome run_current_model(RunContext& ctx, const Model& model, const Evaluator& evaluator,
                               const CurrentTable& source);
// A generated calendar: the dates in `now` not in `before`.
TableOutcome run_calendar_model(RunContext& ctx, const Model& model, const DateRange& before,
                                const DateRange& now);

}  // namespace dwh::transform::detail
