#include "writer/column_writer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>

#include "encodings/codec.hpp"
#include "encodings/rle.hpp"
#include "format/schema.hpp"

namespace dwh::parquet {
namespace {

// A dictionary whose PLAIN form passes this stops growing: later pages of the chunk are PLAIN
// (parquet-mr's default dictionary page size).
constexpr std::size_t kDictionaryLimit = 1u << 20;
// Pages of mostly nulls encode to almost nothing; cap their value count so readers' level
// buffers stay small.
constexpr std::size_t kMaxPageValues = 1u << 20;
// Longer min/max strings are left out of the statistics rather than bloating the footer.
constexpr std::size_t kMaxStatisticBytes = 4096;
// BYTE_ARRAY lengths are 4-byte and page sizes i32: keep any value well inside both.
constexpr std::size_t kMaxValueBytes = 1u << 30;
// The first page of a chunk ends after this many values while the dictionary is on trial, so
// a column of distinct values (ids, times) stops hashing early instead of at the size limit.
constexpr std::size_t kDictionaryTrialValues = 8192;
// Fixed-width values are checked against the page limit every this many values (strings every
// value: one can be large).
constexpr std::size_t kPageCheckInterval = 256;
constexpr std::int64_t kMillisPerDay = 86'400'000;
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

template <class T>
void put_le(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // the targets are little-endian, as Parquet's PLAIN is
  out.append(buf, sizeof(T));
}

std::string le_bytes_i32(std::int64_t v) {
  std::string s;
  put_le(s, static_cast<std::int32_t>(v));
  return s;
}

std::string le_bytes_i64(std::int64_t v) {
  std::string s;
  put_le(s, v);
  return s;
}

Error mismatch(const ColumnSchema& c, const std::string& what) {
  return make_error("ParquetSchemaMismatch", "column " + c.name + ": " + what);
}

Error out_of_range(const ColumnSchema& c, std::size_t row, const std::string& what) {
  return make_error("ParquetValueOutOfRange",
                    "column " + c.name + " row " + std::to_string(row) + ": " + what);
}

std::int64_t pow10(int n) {
  std::int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

Status validate_column(const ColumnSchema& c, const Column& col, std::size_t rows) {
  if (!col.valid.empty() && col.valid.size() != rows) {
    return mismatch(c, "valid has " + std::to_string(col.valid.size()) + " entries for " +
                           std::to_string(rows) + " rows");
  }
  if (!c.nullable && !col.valid.empty()) {
    for (std::size_t r = 0; r < rows; ++r) {
      if (col.valid[r] == 0)
        return mismatch(c, "null in row " + std::to_string(r) + " of a non-nullable column");
    }
  }
  const Physical p = physical_of(c);
  if (p == Physical::Double) {
    if (col.doubles.size() != rows)
      return mismatch(c, "doubles has " + std::to_string(col.doubles.size()) + " values for " +
                             std::to_string(rows) + " rows");
    return {};
  }
  if (p == Physical::ByteArray) {
    if (col.offsets.size() != rows + 1)
      return mismatch(c, "offsets has " + std::to_string(col.offsets.size()) + " entries for " +
                             std::to_string(rows) + " rows");
    if (col.offsets.back() > col.bytes.size()) return mismatch(c, "offsets run past bytes");
    for (std::size_t r = 0; r < rows; ++r) {
      if (col.offsets[r + 1] < col.offsets[r])
        return mismatch(c, "offsets decrease at row " + std::to_string(r));
      if (col.offsets[r + 1] - col.offsets[r] > kMaxValueBytes)
        return out_of_range(c, r, "string longer than 1 GiB");
    }
    return {};
  }
  if (col.ints.size() != rows)
    return mismatch(
        c, "ints has " + std::to_string(col.ints.size()) + " values for " + std::to_string(rows) + " rows");
  std::int64_t lo = INT64_MIN, hi = INT64_MAX;
  std::string what;
  switch (c.type) {
    case LogicalType::Boolean:
      lo = 0;
      hi = 1;
      what = "boolean not 0 or 1";
      break;
    case LogicalType::Int32:
    case LogicalType::Date:
      lo = INT32_MIN;
      hi = INT32_MAX;
      what = "does not fit INT32";
      break;
    case LogicalType::TimeMillis:
      lo = 0;
      hi = kMillisPerDay - 1;
      what = "time of day out of range";
      break;
    case LogicalType::TimeMicros:
      lo = 0;
      hi = kMicrosPerDay - 1;
      what = "time of day out of range";
      break;
    case LogicalType::Decimal:
      hi = pow10(c.precision) - 1;
      lo = -hi;
      what = "more digits than decimal(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
      break;
    default:
      return {};
  }
  for (std::size_t r = 0; r < rows; ++r) {
    if (col.is_null(r)) continue;
    const std::int64_t v = col.ints[r];
    if (v < lo || v > hi) return out_of_range(c, r, std::to_string(v) + " " + what);
  }
  return {};
}

struct ColumnChunkWriter::State {
  ColumnSchema schema;
  WriterOptions options;
  Physical physical;

  // The chunk so far: finished data pages (header + compressed body each).
  std::vector<std::string> pages;
  std::size_t pages_bytes = 0;
  std::int64_t uncompressed_total = 0;
  std::int64_t chunk_values = 0;
  bool used_plain = false;
  bool dictionary_used = false;  // some finished page refers to the dictionary

  // The open page.
  std::vector<std::uint32_t> def_levels;
  std::string plain;
  std::vector<std::uint8_t> bools;
  std::vector<std::uint32_t> indexes;
  std::size_t page_values = 0;
  std::size_t page_plain_bytes = 0;  // what the page's non-null values take as PLAIN

  // The dictionary: ints (INT32/INT64, doubles as bit patterns) or strings.
  bool dictionary_mode = false;
  std::vector<std::int64_t> dict_ints;
  std::string dict_bytes;
  std::vector<std::uint32_t> dict_offsets{0};
  std::vector<std::uint64_t> dict_hashes;
  std::vector<std::uint32_t> slots;  // open addressing: index + 1, 0 = empty
  std::size_t dict_plain_bytes = 0;

  // Statistics of the chunk.
  bool has_value = false;
  std::int64_t min_int = 0, max_int = 0;
  bool has_double = false;  // a non-NaN double
  double min_double = 0, max_double = 0;
  std::string min_string, max_string;
  std::int64_t null_count = 0;

  std::string body, compressed, header;

  State(ColumnSchema s, const WriterOptions& o)
      : schema(std::move(s)), options(o), physical(physical_of(schema)) {
    reset_dictionary();
  }

  [[nodiscard]] std::size_t dict_size() const { return dict_hashes.size(); }
  [[nodiscard]] int index_width() const {
    return std::max(1, bit_width(dict_size() > 0 ? dict_size() - 1 : 0));
  }

  void reset_dictionary() {
    dictionary_mode = options.dictionary && physical != Physical::Boolean;
    dict_ints.clear();
    dict_bytes.clear();
    dict_offsets.assign(1, 0);
    dict_hashes.clear();
    slots.assign(dictionary_mode ? 1024 : 0, 0);
    dict_plain_bytes = 0;
  }

  void grow_slots() {
    std::vector<std::uint32_t> bigger(slots.size() * 2, 0);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t i = 0; i < dict_hashes.size(); ++i) {
      std::size_t at = dict_hashes[i] & mask;
      while (bigger[at] != 0) at = (at + 1) & mask;
      bigger[at] = static_cast<std::uint32_t>(i + 1);
    }
    slots.swap(bigger);
  }

  // Returns the dictionary index of a value, adding it when new. `equal(i)` compares entry i.
  template <class Equal, class Add>
  std::uint32_t dictionary_index(std::uint64_t hash, Equal equal, Add add) {
    const std::size_t mask = slots.size() - 1;
    std::size_t at = hash & mask;
    while (slots[at] != 0) {
      const std::uint32_t i = slots[at] - 1;
      if (dict_hashes[i] == hash && equal(i)) return i;
      at = (at + 1) & mask;
    }
    const auto index = static_cast<std::uint32_t>(dict_hashes.size());
    slots[at] = index + 1;
    dict_hashes.push_back(hash);
    add();
    if (dict_hashes.size() * 2 > slots.size()) grow_slots();
    return index;
  }

  [[nodiscard]] std::size_t plain_width() const {
    switch (physical) {
      case Physical::Int32:
        return 4;
      case Physical::Int64:
      case Physical::Double:
        return 8;
      default:
        return 1;
    }
  }

  void add_int(std::int64_t v) {
    if (!has_value) {
      min_int = max_int = v;
      has_value = true;
    } else {
      min_int = std::min(min_int, v);
      max_int = std::max(max_int, v);
    }
    const std::size_t width = plain_width();
    page_plain_bytes += width;
    if (dictionary_mode) {
      indexes.push_back(dictionary_index(
          mix64(static_cast<std::uint64_t>(v)), [&](std::uint32_t i) { return dict_ints[i] == v; },
          [&] {
            dict_ints.push_back(v);
            dict_plain_bytes += width;
          }));
    } else if (physical == Physical::Int32) {
      put_le(plain, static_cast<std::int32_t>(v));
    } else {
      put_le(plain, v);
    }
  }

  void add_double(double v) {
    has_value = true;
    if (!std::isnan(v)) {
      if (!has_double) {
        min_double = max_double = v;
        has_double = true;
      } else {
        min_double = std::min(min_double, v);
        max_double = std::max(max_double, v);
      }
    }
    const auto bits = std::bit_cast<std::int64_t>(v);
    page_plain_bytes += 8;
    if (dictionary_mode) {
      indexes.push_back(dictionary_index(
          mix64(static_cast<std::uint64_t>(bits)), [&](std::uint32_t i) { return dict_ints[i] == bits; },
          [&] {
            dict_ints.push_back(bits);
            dict_plain_bytes += 8;
          }));
    } else {
      put_le(plain, v);
    }
  }

  void add_bool(bool v) {
    if (!has_value) {
      min_int = max_int = v;
      has_value = true;
    } else {
      min_int = std::min<std::int64_t>(min_int, v);
      max_int = std::max<std::int64_t>(max_int, v);
    }
    bools.push_back(v ? 1 : 0);
    page_plain_bytes += 1;
  }

  void add_string(std::string_view v) {
    // Byte order (unsigned), which std::string_view's compare gives.
    if (!has_value) {
      min_string = max_string = v;
      has_value = true;
    } else if (v < min_string) {
      min_string = v;
    } else if (v > max_string) {
      max_string = v;
    }
    page_plain_bytes += 4 + v.size();
    if (dictionary_mode) {
      indexes.push_back(dictionary_index(
          std::hash<std::string_view>{}(v),
          [&](std::uint32_t i) {
            return std::string_view(dict_bytes)
                       .substr(dict_offsets[i], dict_offsets[i + 1] - dict_offsets[i]) == v;
          },
          [&] {
            dict_bytes.append(v);
            dict_offsets.push_back(static_cast<std::uint32_t>(dict_bytes.size()));
            dict_plain_bytes += 4 + v.size();
          }));
    } else {
      put_le(plain, static_cast<std::uint32_t>(v.size()));
      plain.append(v);
    }
  }

  [[nodiscard]] std::size_t page_estimate() const {
    std::size_t values = 0;
    if (dictionary_mode)
      values = indexes.size() * static_cast<std::size_t>(index_width()) / 8;
    else if (physical == Physical::Boolean)
      values = bools.size() / 8;
    else
      values = plain.size();
    return values + def_levels.size() / 8;
  }

  [[nodiscard]] bool page_full() const {
    return page_values >= kMaxPageValues || page_estimate() >= options.page_bytes ||
           (dictionary_mode && (dict_plain_bytes > kDictionaryLimit ||
                                (!dictionary_used && page_values >= kDictionaryTrialValues)));
  }

  void append_dictionary_entry_plain(std::uint32_t i, std::string& out) const {
    switch (physical) {
      case Physical::Int32:
        put_le(out, static_cast<std::int32_t>(dict_ints[i]));
        break;
      case Physical::Int64:
      case Physical::Double:
        put_le(out, dict_ints[i]);
        break;
      case Physical::ByteArray: {
        const std::uint32_t len = dict_offsets[i + 1] - dict_offsets[i];
        put_le(out, len);
        out.append(dict_bytes, dict_offsets[i], len);
        break;
      }
      case Physical::Boolean:
        break;
    }
  }

  // Compresses `body` into a new piece: header, then the compressed bytes.
  Status write_page(format::PageType type, std::size_t values, format::Encoding encoding, std::string& out) {
    compressed.clear();
    if (auto st = compress_page(options.compression, options.zstd_level, body, compressed); !st) return st;
    format::PageHeader h;
    h.type = type;
    h.uncompressed_page_size = static_cast<std::int32_t>(body.size());
    h.compressed_page_size = static_cast<std::int32_t>(compressed.size());
    if (type == format::PageType::DictionaryPage) {
      h.dictionary_page = format::DictionaryPageHeader{static_cast<std::int32_t>(values), encoding};
    } else {
      format::DataPageHeader d;
      d.num_values = static_cast<std::int32_t>(values);
      d.encoding = encoding;
      h.data_page = d;
    }
    header.clear();
    format::encode(h, header);
    out.reserve(header.size() + compressed.size());
    out.append(header);
    out.append(compressed);
    uncompressed_total += static_cast<std::int64_t>(header.size() + body.size());
    return {};
  }

  Status flush_page() {
    if (page_values == 0) return {};
    bool use_dictionary = dictionary_mode;
    if (use_dictionary && !dictionary_used) {
      // First page: keep the dictionary only if it pays for itself against PLAIN.
      const std::size_t index_bytes = indexes.size() * static_cast<std::size_t>(index_width()) / 8 + 1;
      if (dict_plain_bytes + index_bytes >= page_plain_bytes) {
        plain.clear();
        for (const std::uint32_t i : indexes) append_dictionary_entry_plain(i, plain);
        indexes.clear();
        reset_dictionary();
        dictionary_mode = false;
        use_dictionary = false;
      }
    }
    body.clear();
    if (schema.nullable) {
      body.append(4, '\0');
      rle_encode(def_levels.data(), def_levels.size(), 1, body);
      const auto length = static_cast<std::uint32_t>(body.size() - 4);
      std::memcpy(body.data(), &length, 4);
    }
    if (use_dictionary) {
      const int width = index_width();
      body.push_back(static_cast<char>(width));
      rle_encode(indexes.data(), indexes.size(), width, body);
    } else if (physical == Physical::Boolean) {
      bit_pack_bools(bools.data(), bools.size(), body);
    } else {
      body.append(plain);
    }
    std::string page;
    if (auto st =
            write_page(format::PageType::DataPage, page_values,
                       use_dictionary ? format::Encoding::RleDictionary : format::Encoding::Plain, page);
        !st) {
      return st;
    }
    pages_bytes += page.size();
    pages.push_back(std::move(page));
    if (use_dictionary) {
      dictionary_used = true;
      // Too big to keep growing: the rest of the chunk is PLAIN; the pages so far keep it.
      if (dict_plain_bytes > kDictionaryLimit) dictionary_mode = false;
    } else {
      used_plain = true;
    }
    def_levels.clear();
    plain.clear();
    bools.clear();
    indexes.clear();
    page_values = 0;
    page_plain_bytes = 0;
    return {};
  }

  [[nodiscard]] std::optional<format::Statistics> statistics() const {
    format::Statistics s;
    s.null_count = null_count;
    switch (physical) {
      case Physical::Boolean:
        if (has_value) {
          s.min_value = std::string(1, static_cast<char>(min_int));
          s.max_value = std::string(1, static_cast<char>(max_int));
        }
        break;
      case Physical::Int32:
        if (has_value) {
          s.min_value = le_bytes_i32(min_int);
          s.max_value = le_bytes_i32(max_int);
        }
        break;
      case Physical::Int64:
        if (has_value) {
          s.min_value = le_bytes_i64(min_int);
          s.max_value = le_bytes_i64(max_int);
        }
        break;
      case Physical::Double:
        if (has_double) {
          // The spec's rule for signed zeros: a zero min is written -0.0, a zero max +0.0.
          const double lo = min_double == 0 ? -0.0 : min_double;
          const double hi = max_double == 0 ? 0.0 : max_double;
          s.min_value = le_bytes_i64(std::bit_cast<std::int64_t>(lo));
          s.max_value = le_bytes_i64(std::bit_cast<std::int64_t>(hi));
        }
        break;
      case Physical::ByteArray:
        if (has_value && min_string.size() <= kMaxStatisticBytes && max_string.size() <= kMaxStatisticBytes) {
          s.min_value = min_string;
          s.max_value = max_string;
        }
        break;
    }
    return s;
  }

  Result<EncodedChunk> finish() {
    if (auto st = flush_page(); !st) return st.error();
    EncodedChunk out;
    auto& m = out.meta;
    m.type = format_type(physical);
    m.path_in_schema = {schema.name};
    m.codec = codec_of(options.compression);
    m.num_values = chunk_values;
    std::size_t dictionary_bytes = 0;
    if (dictionary_used) {
      body.clear();
      for (std::uint32_t i = 0; i < dict_size(); ++i) append_dictionary_entry_plain(i, body);
      std::string page;
      if (auto st = write_page(format::PageType::DictionaryPage, dict_size(), format::Encoding::Plain, page);
          !st) {
        return st.error();
      }
      dictionary_bytes = page.size();
      out.pages.push_back(std::move(page));
      m.dictionary_page_offset = 0;
    }
    m.data_page_offset = static_cast<std::int64_t>(dictionary_bytes);
    for (auto& page : pages) out.pages.push_back(std::move(page));
    m.total_compressed_size = static_cast<std::int64_t>(dictionary_bytes + pages_bytes);
    m.total_uncompressed_size = uncompressed_total;
    // Encodings in enum order, so the footer is deterministic.
    if (used_plain || dictionary_used) m.encodings.push_back(format::Encoding::Plain);
    if (schema.nullable) m.encodings.push_back(format::Encoding::Rle);
    if (dictionary_used) m.encodings.push_back(format::Encoding::RleDictionary);
    m.statistics = statistics();

    pages.clear();
    pages_bytes = 0;
    uncompressed_total = 0;
    chunk_values = 0;
    used_plain = false;
    dictionary_used = false;
    reset_dictionary();
    has_value = has_double = false;
    min_string.clear();
    max_string.clear();
    null_count = 0;
    return out;
  }

  template <class Add>
  Status append_rows(const Column& col, std::size_t begin, std::size_t end, Add add) {
    for (std::size_t r = begin; r < end; ++r) {
      const bool present = !col.is_null(r);
      if (schema.nullable) def_levels.push_back(present ? 1 : 0);
      if (present)
        add(r);
      else
        ++null_count;
      ++page_values;
      ++chunk_values;
      if ((physical == Physical::ByteArray || page_values % kPageCheckInterval == 0) && page_full()) {
        if (auto st = flush_page(); !st) return st;
      }
    }
    return {};
  }
};

ColumnChunkWriter::ColumnChunkWriter(ColumnSchema schema, const WriterOptions& options)
    : s_(std::make_unique<State>(std::move(schema), options)) {}

ColumnChunkWriter::~ColumnChunkWriter() = default;

Status ColumnChunkWriter::append(const Column& col, std::size_t begin, std::size_t end) {
  State& s = *s_;
  switch (s.physical) {
    case Physical::Boolean:
      return s.append_rows(col, begin, end, [&](std::size_t r) { s.add_bool(col.ints[r] != 0); });
    case Physical::Int32:
    case Physical::Int64:
      return s.append_rows(col, begin, end, [&](std::size_t r) { s.add_int(col.ints[r]); });
    case Physical::Double:
      return s.append_rows(col, begin, end, [&](std::size_t r) { s.add_double(col.doubles[r]); });
    case Physical::ByteArray:
      return s.append_rows(col, begin, end, [&](std::size_t r) { s.add_string(col.string_at(r)); });
  }
  return {};
}

std::size_t ColumnChunkWriter::buffered_bytes() const {
  const State& s = *s_;
  return s.pages_bytes + s.page_estimate() + s.dict_plain_bytes;
}

Result<EncodedChunk> ColumnChunkWriter::finish() {
  return s_->finish();
}

}  // namespace dwh::parquet
