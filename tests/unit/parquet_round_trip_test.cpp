// Writer → our reader round trips, row-group splitting, dictionary fallback, statistics,
// determinism, batch validation, and corrupt files (which must fail cleanly, never crash).
// Independent readers (DuckDB, hyparquet) check the same files in tests/integration/parquet_readers_test.cpp.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../../jobs/parquet/src/format/format.hpp"
#include "dwh/parquet/reader.hpp"
#include "dwh/parquet/writer.hpp"

namespace dwh::parquet {
namespace {

Schema all_types_schema(bool nullable) {
  Schema s;
  const auto add = [&](std::string name, LogicalType t, int p = 0, int sc = 0) {
    s.columns.push_back(ColumnSchema{std::move(name), t, nullable, p, sc});
  };
  add("b", LogicalType::Boolean);
  add("i32", LogicalType::Int32);
  add("i64", LogicalType::Int64);
  add("d", LogicalType::Double);
  add("s", LogicalType::String);
  add("date", LogicalType::Date);
  add("tms", LogicalType::TimeMillis);
  add("tus", LogicalType::TimeMicros);
  add("tsms", LogicalType::TimestampMillis);
  add("tsus", LogicalType::TimestampMicros);
  add("dec9", LogicalType::Decimal, 9, 2);
  add("dec18", LogicalType::Decimal, 18, 4);
  return s;
}

// Random values of every type; `distinct` bounds how many different values a column takes
// (small: dictionary pays; large: it does not).
ColumnBatch random_batch(const Schema& schema, std::size_t rows, std::uint64_t seed, std::size_t distinct,
                         double null_rate) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  ColumnBatch b;
  b.rows = rows;
  for (const auto& c : schema.columns) {
    Column col;
    if (c.nullable) col.valid.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const bool present = !c.nullable || unit(rng) >= null_rate;
      if (c.nullable) col.valid[r] = present ? 1 : 0;
      const std::uint64_t k = rng() % distinct;
      const auto sk = static_cast<std::int64_t>(k);
      switch (c.type) {
        case LogicalType::Double:
          col.doubles.push_back(present ? (static_cast<double>(sk) - 1e3) / 7.0 : 0.0);
          break;
        case LogicalType::String: {
          if (present) {
            std::string v = k % 5 == 0 ? "" : "v" + std::to_string(k) + (k % 3 == 0 ? "-é€😀" : "");
            col.bytes += v;
          }
          col.offsets.push_back(static_cast<std::uint32_t>(col.bytes.size()));
          break;
        }
        default: {
          std::int64_t v = 0;
          switch (c.type) {
            case LogicalType::Boolean:
              v = sk & 1;
              break;
            case LogicalType::Int32:
              v = static_cast<std::int32_t>(static_cast<std::uint32_t>(k * 2654435761u));
              break;
            case LogicalType::Int64:
              v = static_cast<std::int64_t>(k * 0x9E3779B97F4A7C15ULL);
              break;
            case LogicalType::Date:
              v = sk % 40000 - 10000;
              break;
            case LogicalType::TimeMillis:
              v = (sk * 7919) % 86'400'000;
              break;
            case LogicalType::TimeMicros:
              v = (sk % 1'000'000'007) * 7'919'111 % 86'400'000'000LL;
              break;
            case LogicalType::TimestampMillis:
              v = (sk % 10'000'000) * 86'399'999LL - 100'000'000'000'000LL;
              break;
            case LogicalType::TimestampMicros:
              v = (sk % 10'000'000) * 86'399'999'999LL - 100'000'000'000'000'000LL;
              break;
            case LogicalType::Decimal:
              v = static_cast<std::int64_t>(
                      k * 0x9E3779B97F4A7C15ULL %
                      (c.precision == 9 ? 1'000'000'000ULL : 1'000'000'000'000'000'000ULL)) *
                  (k % 2 ? -1 : 1);
              break;
            default:
              break;
          }
          col.ints.push_back(present ? v : 0);
        }
      }
    }
    b.columns.push_back(std::move(col));
  }
  return b;
}

std::string write_file(const Schema& schema, const std::vector<ColumnBatch>& batches,
                       WriterOptions options = {}) {
  std::string out;
  auto w = Writer::open(
      schema,
      [&](std::string_view b) {
        out.append(b);
        return Status{};
      },
      options);
  EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
  for (const auto& b : batches) {
    const auto st = w.value()->write(b);
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  }
  const auto st = w.value()->close();
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  EXPECT_EQ(w.value()->bytes_written(), out.size());
  return out;
}

// Same rows, same nulls, same values (doubles compared by bit pattern).
void expect_same(const Schema& schema, const std::vector<ColumnBatch>& written, const ColumnBatch& read) {
  std::size_t total = 0;
  for (const auto& b : written) total += b.rows;
  ASSERT_EQ(read.rows, total);
  ASSERT_EQ(read.columns.size(), schema.columns.size());
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    const auto& rc = read.columns[c];
    std::size_t row = 0;
    for (const auto& b : written) {
      const auto& wc = b.columns[c];
      for (std::size_t r = 0; r < b.rows; ++r, ++row) {
        const std::string where = schema.columns[c].name + " row " + std::to_string(row);
        ASSERT_EQ(wc.is_null(r), rc.is_null(row)) << where;
        if (wc.is_null(r)) continue;
        switch (schema.columns[c].type) {
          case LogicalType::Double:
            ASSERT_EQ(std::bit_cast<std::uint64_t>(wc.doubles[r]),
                      std::bit_cast<std::uint64_t>(rc.doubles[row]))
                << where;
            break;
          case LogicalType::String:
            ASSERT_EQ(wc.string_at(r), rc.string_at(row)) << where;
            break;
          default:
            ASSERT_EQ(wc.ints[r], rc.ints[row]) << where;
        }
      }
    }
  }
}

std::unique_ptr<Reader> open_reader(std::string bytes) {
  auto r = Reader::open(std::move(bytes), "test.parquet");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

format::FileMetaData footer(const std::string& file) {
  std::uint32_t length = 0;
  std::memcpy(&length, file.data() + file.size() - 8, 4);
  auto m = format::decode_file_metadata(std::string_view(file).substr(file.size() - 8 - length, length));
  EXPECT_TRUE(m.ok());
  return m.ok() ? std::move(m).value() : format::FileMetaData{};
}

TEST(ParquetRoundTrip, AllTypesEveryCompressionWithAndWithoutDictionary) {
  for (const bool nullable : {true, false}) {
    const Schema schema = all_types_schema(nullable);
    for (const auto compression : {Compression::None, Compression::Snappy, Compression::Zstd}) {
      for (const bool dictionary : {true, false}) {
        for (const std::size_t distinct : {std::size_t{7}, std::size_t{1} << 40}) {
          SCOPED_TRACE(std::string("nullable=") + (nullable ? "1" : "0") +
                       " compression=" + std::to_string(static_cast<int>(compression)) +
                       " dictionary=" + (dictionary ? "1" : "0") + " distinct=" + std::to_string(distinct));
          WriterOptions o;
          o.compression = compression;
          o.dictionary = dictionary;
          const std::vector<ColumnBatch> batches{random_batch(schema, 3000, 1, distinct, 0.2),
                                                 random_batch(schema, 1234, 2, distinct, 0.2)};
          const std::string file = write_file(schema, batches, o);
          auto reader = open_reader(file);
          ASSERT_TRUE(reader);
          ASSERT_EQ(reader->schema().columns.size(), schema.columns.size());
          for (std::size_t c = 0; c < schema.columns.size(); ++c) {
            EXPECT_EQ(reader->schema().columns[c].name, schema.columns[c].name);
            EXPECT_EQ(reader->schema().columns[c].type, schema.columns[c].type);
            EXPECT_EQ(reader->schema().columns[c].nullable, nullable);
            EXPECT_EQ(reader->schema().columns[c].precision, schema.columns[c].precision);
            EXPECT_EQ(reader->schema().columns[c].scale, schema.columns[c].scale);
          }
          auto all = reader->read_all();
          ASSERT_TRUE(all.ok()) << all.error().message;
          expect_same(schema, batches, all.value());

          // The encodings chosen are the ones asked for: low cardinality → dictionary.
          const auto meta = footer(file);
          const auto& encodings = meta.row_groups.at(0).columns.at(4).meta_data->encodings;  // "s"
          const bool has_dictionary = std::find(encodings.begin(), encodings.end(),
                                                format::Encoding::RleDictionary) != encodings.end();
          EXPECT_EQ(has_dictionary, dictionary && distinct == 7);
        }
      }
    }
  }
}

TEST(ParquetRoundTrip, RowGroupsByRowsAndByBytes) {
  const Schema schema = all_types_schema(true);
  const std::vector<ColumnBatch> batches{random_batch(schema, 2500, 3, 1000, 0.1),
                                         random_batch(schema, 2500, 4, 1000, 0.1)};
  WriterOptions by_rows;
  by_rows.row_group_rows = 1000;
  auto reader = open_reader(write_file(schema, batches, by_rows));
  ASSERT_TRUE(reader);
  ASSERT_EQ(reader->row_groups(), 5u);
  for (std::size_t g = 0; g < 5; ++g) EXPECT_EQ(reader->row_group_info(g).rows, 1000u);
  auto all = reader->read_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  expect_same(schema, batches, all.value());

  WriterOptions by_bytes;
  by_bytes.row_group_bytes = 1;  // every encoding step closes a group
  by_bytes.compression = Compression::None;
  reader = open_reader(write_file(schema, batches, by_bytes));
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->row_groups(), 2u);  // one per 64 Ki-row step, i.e. per batch here
  all = reader->read_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  expect_same(schema, batches, all.value());
}

// Reading by ranges (an object store): footer first, then each row group from just its bytes.
TEST(ParquetRoundTrip, OpenedFromTheTailRowGroupsDecodeFromTheirSpansAlone) {
  const Schema schema = all_types_schema(true);
  const std::vector<ColumnBatch> batches{random_batch(schema, 2500, 5, 1000, 0.1)};
  WriterOptions options;
  options.row_group_rows = 1000;
  const std::string file = write_file(schema, batches, options);
  auto whole = open_reader(file);
  ASSERT_TRUE(whole);

  auto tail_size =
      Reader::tail_size(std::string_view(file).substr(file.size() - 8), file.size(), "t.parquet");
  ASSERT_TRUE(tail_size.ok()) << tail_size.error().message;
  ASSERT_LT(*tail_size, file.size());
  auto tail = Reader::open_tail(file.substr(file.size() - *tail_size), file.size(), "t.parquet");
  ASSERT_TRUE(tail.ok()) << tail.error().message;
  const Reader& r = **tail;
  ASSERT_EQ(r.row_groups(), 3u);
  EXPECT_EQ(r.rows(), 2500u);
  EXPECT_EQ(r.read_row_group(0).error().code, "ParquetNoData");
  EXPECT_EQ(r.read_all().error().code, "ParquetNoData");

  ColumnBatch all;
  all.columns.resize(schema.columns.size());
  std::uint64_t previous_end = 4;  // after the leading magic
  for (std::size_t g = 0; g < r.row_groups(); ++g) {
    const ByteSpan span = r.row_group_span(g);
    EXPECT_EQ(span.offset, previous_end) << "row groups lie back to back";
    previous_end = span.end();
    // Only the span's bytes, at a copy of their own: nothing else of the file is reachable.
    const std::string bytes = file.substr(span.offset, span.size);
    auto batch = r.decode_row_group(g, bytes, span.offset);
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    auto expected = whole->read_row_group(g);
    ASSERT_TRUE(expected.ok());
    expect_same(schema, {expected.value()}, batch.value());
    // One byte short of the span is refused, not read out of bounds.
    auto short_by_one =
        r.decode_row_group(g, std::string_view(bytes).substr(0, bytes.size() - 1), span.offset);
    ASSERT_FALSE(short_by_one.ok());
    EXPECT_EQ(short_by_one.error().code, "InvalidArgument");
  }
  EXPECT_EQ(previous_end, file.size() - *tail_size) << "the footer follows the last row group";

  // A tail too short for the footer, and a file that is not Parquet, fail clearly.
  auto too_short = Reader::open_tail(file.substr(file.size() - 8), file.size(), "t.parquet");
  ASSERT_FALSE(too_short.ok());
  EXPECT_NE(too_short.error().message.find("the footer needs the last"), std::string::npos)
      << too_short.error().message;
  auto not_parquet = Reader::tail_size("12345678", 100, "t.csv");
  ASSERT_FALSE(not_parquet.ok());
  EXPECT_EQ(not_parquet.error().code, "ParquetCorrupt");
}

TEST(ParquetRoundTrip, LargeDictionaryFallsBackToPlainMidChunk) {
  Schema schema;
  schema.columns.push_back({"s", LogicalType::String, true, 0, 0});
  // First rows repeat (the dictionary pays), then 3 MiB of distinct strings outgrow the 1 MiB limit.
  ColumnBatch b;
  b.rows = 0;
  Column col;
  for (int i = 0; i < 5000; ++i) {
    col.bytes += "repeat" + std::to_string(i % 3);
    col.offsets.push_back(static_cast<std::uint32_t>(col.bytes.size()));
    ++b.rows;
  }
  for (int i = 0; i < 30000; ++i) {
    col.bytes += std::string(100, static_cast<char>('a' + i % 26)) + std::to_string(i);
    col.offsets.push_back(static_cast<std::uint32_t>(col.bytes.size()));
    ++b.rows;
  }
  b.columns.push_back(col);
  WriterOptions o;
  o.page_bytes = 64 << 10;
  const std::string file = write_file(schema, {b}, o);
  const auto meta = footer(file);
  const auto& m = *meta.row_groups.at(0).columns.at(0).meta_data;
  EXPECT_TRUE(m.dictionary_page_offset.has_value());
  EXPECT_NE(std::find(m.encodings.begin(), m.encodings.end(), format::Encoding::RleDictionary),
            m.encodings.end());
  EXPECT_NE(std::find(m.encodings.begin(), m.encodings.end(), format::Encoding::Plain), m.encodings.end());
  auto reader = open_reader(file);
  ASSERT_TRUE(reader);
  auto all = reader->read_all();
  ASSERT_TRUE(all.ok()) << all.error().message;
  expect_same(schema, {b}, all.value());
}

TEST(ParquetRoundTrip, StatisticsAreMinMaxAndNullCount) {
  const Schema schema = all_types_schema(true);
  const std::vector<ColumnBatch> batches{random_batch(schema, 777, 5, 500, 0.3)};
  auto reader = open_reader(write_file(schema, batches));
  ASSERT_TRUE(reader);
  const auto& info = reader->row_group_info(0);
  const auto& b = batches[0];
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    SCOPED_TRACE(schema.columns[c].name);
    const auto& col = b.columns[c];
    std::uint64_t nulls = 0;
    std::int64_t lo_i = INT64_MAX, hi_i = INT64_MIN;
    double lo_d = INFINITY, hi_d = -INFINITY;
    std::string lo_s, hi_s;
    bool first = true;
    for (std::size_t r = 0; r < b.rows; ++r) {
      if (col.is_null(r)) {
        ++nulls;
        continue;
      }
      if (schema.columns[c].type == LogicalType::Double) {
        lo_d = std::min(lo_d, col.doubles[r]);
        hi_d = std::max(hi_d, col.doubles[r]);
      } else if (schema.columns[c].type == LogicalType::String) {
        const std::string v(col.string_at(r));
        if (first || v < lo_s) lo_s = v;
        if (first || v > hi_s) hi_s = v;
      } else {
        lo_i = std::min(lo_i, col.ints[r]);
        hi_i = std::max(hi_i, col.ints[r]);
      }
      first = false;
    }
    const auto& s = info.statistics.at(c);
    EXPECT_EQ(s.null_count, nulls);
    ASSERT_TRUE(s.has_min_max);
    if (schema.columns[c].type == LogicalType::Double) {
      EXPECT_EQ(s.min_double, lo_d);
      EXPECT_EQ(s.max_double, hi_d);
    } else if (schema.columns[c].type == LogicalType::String) {
      EXPECT_EQ(s.min_bytes, lo_s);
      EXPECT_EQ(s.max_bytes, hi_s);
    } else {
      EXPECT_EQ(s.min_int, lo_i);
      EXPECT_EQ(s.max_int, hi_i);
    }
  }
}

TEST(ParquetRoundTrip, SameRowsSameBytesWhateverTheBatching) {
  const Schema schema = all_types_schema(true);
  const ColumnBatch whole = random_batch(schema, 5000, 6, 300, 0.1);
  WriterOptions o;
  o.row_group_rows = 2048;
  const std::string a = write_file(schema, {whole}, o);
  const std::string b = write_file(schema, {whole}, o);
  EXPECT_EQ(a, b);
  // The same rows in other batch sizes: row groups close by rows, so the bytes are the same.
  std::vector<ColumnBatch> parts;
  for (std::size_t start = 0; start < whole.rows; start += 777) {
    const std::size_t n = std::min<std::size_t>(777, whole.rows - start);
    ColumnBatch part;
    part.rows = n;
    for (const auto& col : whole.columns) {
      Column p;
      if (!col.valid.empty()) p.valid.assign(col.valid.begin() + start, col.valid.begin() + start + n);
      if (!col.ints.empty()) p.ints.assign(col.ints.begin() + start, col.ints.begin() + start + n);
      if (!col.doubles.empty())
        p.doubles.assign(col.doubles.begin() + start, col.doubles.begin() + start + n);
      if (col.offsets.size() > 1) {
        for (std::size_t r = start; r < start + n; ++r) {
          p.bytes += col.string_at(r);
          p.offsets.push_back(static_cast<std::uint32_t>(p.bytes.size()));
        }
      }
      part.columns.push_back(std::move(p));
    }
    parts.push_back(std::move(part));
  }
  EXPECT_EQ(write_file(schema, parts, o), a);
  EXPECT_NE(a.find("dwhkit"), std::string::npos);  // created_by names the project
}

TEST(ParquetRoundTrip, EmptyFileHasSchemaAndNoRows) {
  const Schema schema = all_types_schema(true);
  const std::string file = write_file(schema, {});
  auto reader = open_reader(file);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->rows(), 0u);
  EXPECT_EQ(reader->row_groups(), 0u);
  EXPECT_EQ(reader->schema().columns.size(), schema.columns.size());
  auto all = reader->read_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value().rows, 0u);
}

TEST(ParquetRoundTrip, RejectsBatchesThatDoNotFitTheSchema) {
  Schema schema;
  schema.columns.push_back({"id", LogicalType::Int32, false, 0, 0});
  schema.columns.push_back({"amount", LogicalType::Decimal, true, 5, 2});
  schema.columns.push_back({"t", LogicalType::TimeMicros, true, 0, 0});
  std::string sink;
  auto w = Writer::open(schema, [&](std::string_view b) {
    sink.append(b);
    return Status{};
  });
  ASSERT_TRUE(w.ok());
  const auto make = [](std::int64_t id, std::int64_t amount, std::int64_t t, bool id_null) {
    ColumnBatch b;
    b.rows = 1;
    Column c0, c1, c2;
    c0.ints = {id};
    if (id_null) c0.valid = {0};
    c1.ints = {amount};
    c2.ints = {t};
    b.columns = {c0, c1, c2};
    return b;
  };
  auto st = w.value()->write(make(1, 99999, 0, false));
  EXPECT_TRUE(st.ok());
  st = w.value()->write(make(1, 100000, 0, false));  // 6 digits in decimal(5,2)
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "ParquetValueOutOfRange");
  EXPECT_NE(st.error().message.find("amount"), std::string::npos);
  st = w.value()->write(make(1LL << 31, 0, 0, false));  // does not fit INT32
  EXPECT_FALSE(st.ok());
  st = w.value()->write(make(1, 0, 86'400'000'000LL, false));  // 24:00:00
  EXPECT_FALSE(st.ok());
  st = w.value()->write(make(1, 0, 0, true));  // null in a required column
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "ParquetSchemaMismatch");
  ColumnBatch short_batch = make(1, 0, 0, false);
  short_batch.columns.pop_back();
  EXPECT_FALSE(w.value()->write(short_batch).ok());
  ColumnBatch ragged = make(1, 0, 0, false);
  ragged.columns[1].ints.push_back(5);
  EXPECT_FALSE(w.value()->write(ragged).ok());
  // Rejected batches wrote nothing: the file holds the one good row.
  ASSERT_TRUE(w.value()->close().ok());
  auto reader = open_reader(sink);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->rows(), 1u);

  Schema bad;
  bad.columns.push_back({"x", LogicalType::Decimal, true, 19, 2});
  EXPECT_FALSE(Writer::open(bad, [](std::string_view) { return Status{}; }).ok());
}

TEST(ParquetRoundTrip, SinkErrorStopsTheWriter) {
  const Schema schema = all_types_schema(true);
  auto w = Writer::open(schema, [](std::string_view) { return Status(make_error("Disk", "full")); });
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w.value()->write(random_batch(schema, 10, 1, 5, 0)).ok());  // buffered, not yet emitted
  const auto st = w.value()->close();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "Disk");
  EXPECT_FALSE(w.value()->write(random_batch(schema, 10, 1, 5, 0)).ok());
}

// Every truncation and many single-byte corruptions of a valid file: open/read either succeeds
// or returns an error; ASan/UBSan builds turn any out-of-bounds access into a failure.
TEST(ParquetRoundTrip, CorruptFilesFailCleanly) {
  const Schema schema = all_types_schema(true);
  for (const auto compression : {Compression::None, Compression::Snappy, Compression::Zstd}) {
    WriterOptions o;
    o.compression = compression;
    const std::string file = write_file(schema, {random_batch(schema, 60, 9, 10, 0.3)}, o);
    std::size_t errors = 0;
    const auto attempt = [&](std::string bytes) {
      auto r = Reader::open(std::move(bytes), "corrupt.parquet");
      if (!r.ok()) {
        ++errors;
        EXPECT_NE(r.error().message.find("corrupt.parquet"), std::string::npos) << r.error().message;
        return;
      }
      auto all = r.value()->read_all();
      if (!all.ok()) {
        ++errors;
        EXPECT_NE(all.error().message.find("corrupt.parquet"), std::string::npos) << all.error().message;
      }
    };
    for (std::size_t n = 0; n < file.size(); ++n) attempt(file.substr(0, n));
    EXPECT_EQ(errors, file.size());  // every truncation loses the tail magic or the footer
    std::mt19937_64 rng(compression == Compression::Zstd ? 3 : 4);
    for (std::size_t pos = 0; pos < file.size(); ++pos) {
      std::string bad = file;
      bad[pos] = static_cast<char>(bad[pos] ^ static_cast<char>(1 + rng() % 255));
      attempt(bad);
    }
  }
}

}  // namespace
}  // namespace dwh::parquet
