// One model over its source's landed objects, as a TBB pipeline:
//   serial, in order   read and decompress line-aligned chunks (ObjectReader)
//   parallel           parse (simdjson), evaluate the model, build a ColumnBatch
//   serial, in order   number the lines, handle bad records, write Parquet
// At most chunks_in_flight chunks exist at once, so memory does not grow with the table.
// Per-thread state (parser, buffers, key hashes, date ranges) lives in an
// enumerable_thread_specific and is merged once at the end.
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>
#include <unordered_set>

#include "dwh/core/for_each_table.hpp"
#include "dwh/model/values.hpp"
#include "internal.hpp"

namespace dwh::transform::detail {
namespace {

constexpr std::size_t kMaxDuplicatesNamed = 5;

struct ThreadState {
  std::unique_ptr<LineParser> json;
  std::vector<Value> values;
  std::vector<OutValue> out;
  std::string scratch;
  std::vector<std::uint64_t> hashes;    // of the chunk being processed
  std::vector<std::uint64_t> overflow;  // chunks that did not fit KeyHashes
  std::map<std::string, DateRange> dates;
};

// The unique-key hashes of a table's output rows: one array sized from the ingest manifests'
// row counts (8 bytes per row, no growth slack), filled a chunk at a time (one atomic add per
// chunk), sorted in place at the end. Rows beyond the estimate go to per-thread overflow.
struct KeyHashes {
  std::unique_ptr<std::uint64_t[]> data;
  std::size_t capacity = 0;
  std::atomic<std::size_t> used{0};

  explicit KeyHashes(std::size_t n) : data(std::make_unique_for_overwrite<std::uint64_t[]>(n)), capacity(n) {}
  // Appends a chunk's hashes; returns how many fitted (the caller keeps the rest).
  std::size_t add(const std::vector<std::uint64_t>& h) {
    const std::size_t at = used.fetch_add(h.size(), std::memory_order_relaxed);
    if (at >= capacity) return 0;
    const std::size_t n = std::min(h.size(), capacity - at);
    std::memcpy(data.get() + at, h.data(), n * sizeof(std::uint64_t));
    return n;
  }
};

struct Piece {
  Chunk chunk;
  parquet::ColumnBatch batch;
  std::vector<Problem> problems;
  std::uint64_t lines = 0;
  std::uint64_t rows_in = 0;
};

// Latest version per key when a dimension's rows come from several ingest runs: the versions of
// every run but the largest are indexed first (key -> best cursor and run); rows of the largest
// run then win over that index or mark it beaten (each key once, so a relaxed flag suffices).
struct Dedup {
  struct Entry {
    std::int64_t cursor = 0;
    int run = 0;
  };
  std::unordered_map<std::string, std::size_t> index;
  std::vector<Entry> entries;
  std::unique_ptr<std::atomic<std::uint8_t>[]> beaten;
  int big_run = -1;

  bool newer(std::int64_t c1, int r1, const Entry& e) const {
    return c1 > e.cursor || (c1 == e.cursor && r1 > e.run);
  }

  // Whether the version (key, cursor, run) is the one to emit.
  bool keep(const std::string& key, std::int64_t cursor, int run) const {
    const auto it = index.find(key);
    if (run == big_run) {
      if (it == index.end()) return true;
      if (!newer(cursor, run, entries[it->second])) return false;
      beaten[it->second].store(1, std::memory_order_relaxed);
      return true;
    }
    if (it == index.end()) return true;  // cannot happen: every small-run key is indexed
    const Entry& e = entries[it->second];
    return e.cursor == cursor && e.run == run && beaten[it->second].load(std::memory_order_relaxed) == 0;
  }
};

bool cursor_of(const std::vector<Value>& values, int cursor, std::int64_t& out) {
  if (cursor < 0) {
    out = 0;
    return true;
  }
  const Value& v = values[static_cast<std::size_t>(cursor)];
  if (v.kind != Value::Kind::Text) {
    out = 0;
    return v.kind == Value::Kind::Null;
  }
  return parse_timestamp_micros(v.text, out) == ValueError::None;
}

Result<std::unique_ptr<Dedup>> build_dedup(RunContext& ctx, const Evaluator& ev,
                                           const std::vector<InputObject>& objects, int big_run) {
  auto d = std::make_unique<Dedup>();
  d->big_run = big_run;
  std::vector<bool> needed(ev.source().columns.size(), false);
  for (int k : ev.primary_key()) needed[static_cast<std::size_t>(k)] = true;
  if (ev.cursor() >= 0) needed[static_cast<std::size_t>(ev.cursor())] = true;
  const RecordParser parser(ev.source(), needed);
  auto json = make_line_parser(parser);
  std::vector<Value> values;
  Problem problem;
  for (const auto& o : objects) {
    if (o.run == big_run) continue;
    ObjectReader reader(*ctx.landing, o, ctx.options->chunk_bytes);
    Chunk c;
    for (;;) {
      auto more = reader.next(c);
      if (!more) return std::move(more).error();
      if (!*more) break;
      std::size_t pos = 0;
      while (pos < c.size) {
        const char* nl = static_cast<const char*>(std::memchr(c.data.get() + pos, '\n', c.size - pos));
        const std::size_t end = nl ? static_cast<std::size_t>(nl - c.data.get()) : c.size;
        const std::string_view line(c.data.get() + pos, end - pos);
        const std::size_t cap = c.capacity - pos;
        pos = end + 1;
        if (line.empty()) continue;
        std::int64_t cursor = 0;
        // Bad records are reported by the main pass; here they are just not indexed.
        if (!json->parse(line, cap, values, problem) || !cursor_of(values, ev.cursor(), cursor)) continue;
        const std::string key = key_of(values, ev.primary_key());
        const auto [it, fresh] = d->index.emplace(key, d->entries.size());
        if (fresh)
          d->entries.push_back({cursor, o.run});
        else if (d->newer(cursor, o.run, d->entries[it->second]))
          d->entries[it->second] = {cursor, o.run};
      }
    }
  }
  d->beaten = std::make_unique<std::atomic<std::uint8_t>[]>(d->entries.size());
  for (std::size_t i = 0; i < d->entries.size(); ++i) d->beaten[i].store(0);
  return d;
}

using KeySet = std::unordered_set<std::uint64_t>;

// One streamed model's run: its passes over the landed objects, each a TBB pipeline, into one
// output file, then the unique-key expectation.
class StreamedModel {
 public:
  StreamedModel(RunContext& ctx, const Model& model, const Evaluator& ev, TableOutcome& oc)
      : ctx_(ctx), model_(model), ev_(ev), oc_(oc), parser_(ev.source(), ev.needed()) {}

  // Which objects, in which passes, and the output file.
  Status open(const TableInputs& inputs);
  Status run_passes();
  // The unique key holds over this run's output ("ExpectationFailed" names the duplicates).
  Status check_unique_key();
  // Commits the output file; fills the outcome.
  Status finish();

 private:
  // One pass's pipeline state; with `find`, the pass only looks for the rows whose unique-key
  // hash is in it (the search for the duplicates a failed expectation names) into `found`.
  struct Pass {
    Pass(const std::vector<InputObject>& o, const KeySet* f, std::vector<std::string>* fd)
        : objects(o), find(f), found(fd), lines_seen(o.size(), 0) {}
    const std::vector<InputObject>& objects;
    const KeySet* find;
    std::vector<std::string>* found;
    std::atomic<bool> failed{false};
    std::optional<Error> input_error, output_error;
    std::vector<std::uint64_t> lines_seen;
    std::size_t next = 0;
    std::size_t current = 0;
    std::unique_ptr<ObjectReader> reader;
  };

  Status run_pass(const std::vector<InputObject>& objects, const KeySet* find,
                  std::vector<std::string>* found);
  // Serial, in order: the next line-aligned chunk of the pass's objects (nullptr at the end).
  Piece* read_piece(Pass& pass, tbb::flow_control& fc);
  // Parallel: parses, filters and evaluates one chunk.
  void process(Piece& p, int run, const KeySet* find);
  // Serial, in order: numbers the lines, handles bad records, writes the rows.
  void write_piece(Pass& pass, std::unique_ptr<Piece> p);
  Status report_duplicates(const KeySet& dup);

  RunContext& ctx_;
  const Model& model_;
  const Evaluator& ev_;
  TableOutcome& oc_;
  const RecordParser parser_;
  std::vector<std::vector<InputObject>> passes_;
  std::unique_ptr<Dedup> dedup_;
  std::unique_ptr<OutputFile> file_;
  tbb::enumerable_thread_specific<ThreadState> tls_;
  std::unique_ptr<KeyHashes> hashes_;
  bool crash_armed_ = true;
};

// Facts keep every version in run order; a dimension fed by several runs reads its largest run
// first (see Dedup).
Status StreamedModel::open(const TableInputs& inputs) {
  std::set<int> runs;
  for (const auto& o : inputs.objects) runs.insert(o.run);
  if (model_.kind == ModelKind::Dimension && runs.size() > 1) {
    std::map<int, std::uint64_t> sizes;
    for (const auto& o : inputs.objects) sizes[o.run] += o.size.value_or(0);
    int big = sizes.begin()->first;
    for (const auto& [run, size] : sizes) {
      if (size > sizes[big]) big = run;
    }
    auto d = build_dedup(ctx_, ev_, inputs.objects, big);
    if (!d) return std::move(d).error();
    dedup_ = std::move(d).value();
    std::vector<InputObject> first, rest;
    for (const auto& o : inputs.objects) (o.run == big ? first : rest).push_back(o);
    passes_.push_back(std::move(first));
    passes_.push_back(std::move(rest));
  } else {
    passes_.push_back(inputs.objects);
  }
  auto opened =
      OutputFile::open(*ctx_.processed, output_key(model_.table, ctx_.run_id), ev_.schema(), ctx_.writer);
  if (!opened) return std::move(opened).error();
  file_ = std::move(opened).value();
  std::uint64_t expected_rows = 0;
  for (const auto& o : inputs.objects) expected_rows += o.rows;
  hashes_ =
      std::make_unique<KeyHashes>(ev_.unique_columns().empty() ? 0 : static_cast<std::size_t>(expected_rows));
  return {};
}

void StreamedModel::process(Piece& p, int run, const KeySet* find) {
  auto& ts = tls_.local();
  if (!ts.json) ts.json = make_line_parser(parser_);
  const auto& schema = ev_.schema();
  const auto& unique = ev_.unique_columns();
  if (!find) p.batch = empty_batch(schema);
  ts.hashes.clear();
  const char* data = p.chunk.data.get();
  std::size_t pos = 0;
  auto problem = [&](Problem& pr, std::string_view line) {
    if (find) return;
    pr.line = p.lines;
    pr.record.assign(line);
    p.problems.push_back(std::move(pr));
  };
  while (pos < p.chunk.size) {
    const char* nl = static_cast<const char*>(std::memchr(data + pos, '\n', p.chunk.size - pos));
    const std::size_t end = nl ? static_cast<std::size_t>(nl - data) : p.chunk.size;
    const std::string_view line(data + pos, end - pos);
    const std::size_t cap = p.chunk.capacity - pos;
    pos = end + 1;
    ++p.lines;
    if (line.empty() || line == "\r") continue;
    ++p.rows_in;
    Problem pr;
    if (!ts.json->parse(line, cap, ts.values, pr)) {
      problem(pr, line);
      continue;
    }
    if (dedup_) {
      std::int64_t cursor = 0;
      if (!cursor_of(ts.values, ev_.cursor(), cursor)) {
        pr.column = ev_.source().columns[static_cast<std::size_t>(ev_.cursor())].name;
        pr.value = value_text(ts.values[static_cast<std::size_t>(ev_.cursor())]);
        pr.reason = "bad cursor value";
        problem(pr, line);
        continue;
      }
      if (!dedup_->keep(key_of(ts.values, ev_.primary_key()), cursor, run)) continue;
    }
    if (!ev_.evaluate(ts.values, ts.out, ts.scratch, pr)) {
      problem(pr, line);
      continue;
    }
    if (!unique.empty()) {
      const std::uint64_t h = row_key_hash(ts.out, unique);
      if (find) {
        if (find->count(h)) {
          pr.line = p.lines;
          pr.value = row_key_text(schema, ts.out, unique);
          p.problems.push_back(std::move(pr));
        }
        continue;
      }
      ts.hashes.push_back(h);
    }
    if (find) continue;
    for (const auto& [idx, table] : ev_.calendar_columns()) {
      if (!ts.out[idx].null) ts.dates[table].add(ts.out[idx].i);
    }
    append_row(schema, ts.out, p.batch);
  }
  if (!find && !ts.hashes.empty()) {
    const std::size_t taken = hashes_->add(ts.hashes);
    ts.overflow.insert(ts.overflow.end(), ts.hashes.begin() + static_cast<std::ptrdiff_t>(taken),
                       ts.hashes.end());
  }
}

Piece* StreamedModel::read_piece(Pass& pass, tbb::flow_control& fc) {
  for (;;) {
    if (pass.failed.load() || ctx_.stop.load()) {
      fc.stop();
      return nullptr;
    }
    if (!pass.reader) {
      if (pass.next == pass.objects.size()) {
        fc.stop();
        return nullptr;
      }
      pass.current = pass.next++;
      pass.reader = std::make_unique<ObjectReader>(*ctx_.landing, pass.objects[pass.current],
                                                   ctx_.options->chunk_bytes);
    }
    auto p = std::make_unique<Piece>();
    auto more = pass.reader->next(p->chunk);
    if (!more) {
      pass.input_error = std::move(more).error();
      pass.failed = true;
      fc.stop();
      return nullptr;
    }
    if (!*more) {
      pass.reader.reset();
      continue;
    }
    p->chunk.object = pass.current;
    return p.release();
  }
}

void StreamedModel::write_piece(Pass& pass, std::unique_ptr<Piece> p) {
  if (pass.failed.load()) return;
  const std::size_t obj = p->chunk.object;
  const std::string& key = pass.objects[obj].key;
  for (auto& pr : p->problems) {
    pr.line += pass.lines_seen[obj];
    if (pass.find) {
      pass.found->push_back(key + " line " + std::to_string(pr.line) + " (" + pr.value + ")");
      continue;
    }
    if (!ctx_.options->quarantine) {
      pass.output_error = bad_record_error(model_.table, key, pr);
      pass.failed = true;
      return;
    }
    oc_.rejects.push_back(reject_line(key, pr));
    ++oc_.result.rejected;
  }
  pass.lines_seen[obj] += p->lines;
  if (pass.find) return;
  oc_.result.rows_in += p->rows_in;
  if (p->batch.rows == 0) return;
  if (auto s = file_->write(p->batch); !s) {
    pass.output_error =
        with_context(std::move(s).error(), model_.table + ": cannot write " + file_->key() + ": ");
    pass.failed = true;
    return;
  }
  if (crash_armed_) {
    crash_armed_ = false;
    crash_point("transform-mid-write");
  }
}

Status StreamedModel::run_pass(const std::vector<InputObject>& objects, const KeySet* find,
                               std::vector<std::string>* found) {
  Pass pass(objects, find, found);
  tbb::parallel_pipeline(
      static_cast<std::size_t>(std::max(1, ctx_.options->chunks_in_flight)),
      tbb::make_filter<void, Piece*>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) {
        return read_piece(pass, fc);
      }) & tbb::make_filter<Piece*, Piece*>(tbb::filter_mode::parallel, [&](Piece* p) {
        if (!pass.failed.load()) process(*p, objects[p->chunk.object].run, find);
        return p;
      }) & tbb::make_filter<Piece*, void>(tbb::filter_mode::serial_in_order, [&](Piece* raw) {
        write_piece(pass, std::unique_ptr<Piece>(raw));
      }));
  if (pass.output_error) return std::move(*pass.output_error);
  if (pass.input_error) return std::move(*pass.input_error);
  if (ctx_.stop.load()) return core::stopped_error();
  return {};
}

Status StreamedModel::run_passes() {
  for (const auto& pass : passes_) {
    if (auto s = run_pass(pass, nullptr, nullptr); !s) return s;
  }
  return {};
}

Status StreamedModel::check_unique_key() {
  if (ev_.unique_columns().empty()) return {};
  KeyHashes& hashes = *hashes_;
  const std::size_t n = std::min(hashes.used.load(), hashes.capacity);
  std::uint64_t* all = hashes.data.get();
  tbb::parallel_sort(all, all + n);
  std::vector<std::uint64_t> overflow;
  for (auto& ts : tls_) overflow.insert(overflow.end(), ts.overflow.begin(), ts.overflow.end());
  std::sort(overflow.begin(), overflow.end());
  KeySet dup;
  for (std::size_t i = 1; i < n && dup.size() < kMaxDuplicatesNamed; ++i) {
    if (all[i] == all[i - 1]) dup.insert(all[i]);
  }
  for (std::size_t i = 0; i < overflow.size() && dup.size() < kMaxDuplicatesNamed; ++i) {
    if ((i > 0 && overflow[i] == overflow[i - 1]) || std::binary_search(all, all + n, overflow[i]))
      dup.insert(overflow[i]);
  }
  hashes.data.reset();
  if (dup.empty()) return {};
  return report_duplicates(dup);
}

Status StreamedModel::report_duplicates(const KeySet& dup) {
  std::vector<std::string> found;
  for (const auto& pass : passes_) (void)run_pass(pass, &dup, &found);
  const auto& unique = ev_.unique_columns();
  std::string names;
  for (const auto& c : unique) names += (names.empty() ? "" : ", ") + ev_.schema().columns[c].name;
  std::string m = model_.table + ": unique key (" + names + ") violated; rows with the same key:";
  for (std::size_t i = 0; i < found.size() && i < 2 * kMaxDuplicatesNamed; ++i) m += "\n  " + found[i];
  m += "\nNothing was committed.";
  return make_error("ExpectationFailed", m);
}

Status StreamedModel::finish() {
  for (auto& ts : tls_) {
    for (const auto& [table, range] : ts.dates) oc_.dates[table].merge(range);
  }
  if (auto s = file_->finish(); !s) {
    return with_context(std::move(s).error(), model_.table + ": cannot store " + file_->key() + ": ");
  }
  oc_.result.rows = file_->rows();
  if (oc_.result.rows > 0) {
    oc_.result.key = file_->key();
    oc_.result.bytes = file_->bytes();
    oc_.result.sha256 = file_->sha256();
  }
  return {};
}

}  // namespace

TableOutcome run_streamed_model(RunContext& ctx, const Model& model, const Evaluator& ev,
                                const TableInputs& inputs) {
  const auto t0 = std::chrono::steady_clock::now();
  TableOutcome oc;
  oc.result.table = model.table;
  StreamedModel run(ctx, model, ev, oc);
  Status s = run.open(inputs);
  if (s) s = run.run_passes();
  if (s) s = run.check_unique_key();
  if (s) s = run.finish();
  if (!s) {
    oc.error = std::move(s).error();
    return oc;
  }
  oc.result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return oc;
}

}  // namespace dwh::transform::detail
