// The Parquet reader (dwh/parquet/reader.hpp). Every offset, length and count in the file is
// checked before use; anything wrong is an Error naming the file, row group and column.
#include "dwh/parquet/reader.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "encodings/codec.hpp"
#include "encodings/delta.hpp"
#include "encodings/rle.hpp"
#include "format/format.hpp"
#include "format/schema.hpp"

namespace dwh::parquet {
namespace {

using format::Encoding;
using format::PhysicalType;

constexpr std::string_view kMagic = "PAR1";
constexpr std::size_t kTailBytes = 8;  // footer length + magic
// Our writer keeps values under 1 GiB and pages near 1 MiB; anything claiming more is refused
// before allocating.
constexpr std::int64_t kMaxPageBytes = (1ll << 30) + (64ll << 20);
constexpr std::size_t kMaxReserve = 1u << 20;

std::string encoding_name(Encoding e) {
  switch (e) {
    case Encoding::Plain:
      return "PLAIN";
    case Encoding::PlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::Rle:
      return "RLE";
    case Encoding::BitPacked:
      return "BIT_PACKED";
    case Encoding::DeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::DeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::DeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::RleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::ByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "encoding " + std::to_string(static_cast<int>(e));
}

std::uint32_t load_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

template <class T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // PLAIN is little-endian, as are the targets
  return v;
}

// Values of a dictionary page, in the column's representation.
struct Dictionary {
  Column values;
  std::size_t size = 0;
};

// A failure inside one column chunk; the caller adds file, row group and column.
struct ChunkError {
  std::string code;
  std::string message;
};

class ChunkDecoder {
 public:
  ChunkDecoder(std::string_view chunk, PhysicalType physical, bool nullable, format::Codec codec,
               std::int64_t rows)
      : chunk_(chunk), physical_(physical), nullable_(nullable), codec_(codec), rows_(rows) {}

  std::optional<ChunkError> decode(Column& out) {
    const std::size_t reserve = static_cast<std::size_t>(std::min<std::int64_t>(rows_, kMaxReserve));
    if (nullable_) out.valid.reserve(reserve);
    std::size_t pos = 0;
    std::int64_t done = 0;
    while (done < rows_) {
      if (pos >= chunk_.size())
        return corrupt("column chunk ends after " + std::to_string(done) + " of " + std::to_string(rows_) +
                       " values");
      std::size_t consumed = 0;
      auto header = format::decode_page_header(chunk_.substr(pos), consumed);
      if (!header)
        return corrupt("page at chunk byte " + std::to_string(pos) + ": " + header.error().message);
      pos += consumed;
      const auto& h = header.value();
      if (h.compressed_page_size < 0 ||
          static_cast<std::size_t>(h.compressed_page_size) > chunk_.size() - pos) {
        return corrupt("page size " + std::to_string(h.compressed_page_size) + " runs past the column chunk");
      }
      if (h.uncompressed_page_size < 0 || h.uncompressed_page_size > kMaxPageBytes) {
        return corrupt("page claims " + std::to_string(h.uncompressed_page_size) + " uncompressed bytes");
      }
      const std::string_view page = chunk_.substr(pos, static_cast<std::size_t>(h.compressed_page_size));
      pos += static_cast<std::size_t>(h.compressed_page_size);
      std::optional<ChunkError> err;
      switch (h.type) {
        case format::PageType::DictionaryPage:
          err = dictionary_page(h, page, done);
          break;
        case format::PageType::DataPage:
          err = data_page_v1(h, page, done, out);
          break;
        case format::PageType::DataPageV2:
          err = data_page_v2(h, page, done, out);
          break;
        default:
          break;  // index pages carry nothing we need
      }
      if (err) return err;
    }
    if (nullable_ && !any_null_) out.valid.clear();
    return std::nullopt;
  }

 private:
  static ChunkError corrupt(std::string message) { return {"ParquetCorrupt", std::move(message)}; }
  static ChunkError unsupported(std::string message) { return {"ParquetUnsupported", std::move(message)}; }

  std::optional<ChunkError> decompress(std::string_view in, std::size_t size, std::string& out) {
    if (auto st = decompress_page(codec_, in, size, out); !st)
      return ChunkError{st.error().code, st.error().message};
    return std::nullopt;
  }

  std::optional<ChunkError> dictionary_page(const format::PageHeader& h, std::string_view page,
                                            std::int64_t done) {
    if (!h.dictionary_page) return corrupt("dictionary page without its header");
    if (dictionary_ || done > 0) return corrupt("dictionary page after data pages or a second dictionary");
    if (physical_ == PhysicalType::Boolean) return unsupported("dictionary-encoded booleans");
    const auto enc = h.dictionary_page->encoding;
    if (enc != Encoding::Plain && enc != Encoding::PlainDictionary)
      return unsupported("dictionary page encoding " + encoding_name(enc) + " is not supported");
    if (h.dictionary_page->num_values < 0) return corrupt("negative dictionary size");
    if (auto err = decompress(page, static_cast<std::size_t>(h.uncompressed_page_size), buffer_)) return err;
    dictionary_.emplace();
    const auto n = static_cast<std::size_t>(h.dictionary_page->num_values);
    std::size_t used = 0;
    if (auto err = plain(buffer_, n, dictionary_->values, used)) return err;
    dictionary_->size = n;
    return std::nullopt;
  }

  // Decodes the definition levels of `count` values; returns how many are present.
  std::optional<ChunkError> levels(std::string_view data, std::size_t count, Column& out,
                                   std::size_t& present) {
    levels_.resize(count);
    RleDecoder rle(data, 1);
    if (!rle.get(levels_.data(), count)) return corrupt(std::string("definition levels: ") + rle.error());
    present = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (levels_[i] > 1) return corrupt("definition level above 1");
      present += levels_[i];
      out.valid.push_back(static_cast<std::uint8_t>(levels_[i]));
    }
    if (present != count) any_null_ = true;
    return std::nullopt;
  }

  [[nodiscard]] std::optional<ChunkError> check_count(std::int64_t values, std::int64_t done) const {
    if (values < 0 || values > rows_ - done) {
      return corrupt("page of " + std::to_string(values) + " values where " + std::to_string(rows_ - done) +
                     " remain");
    }
    if (values == 0) return corrupt("empty data page");
    return std::nullopt;
  }

  std::optional<ChunkError> data_page_v1(const format::PageHeader& h, std::string_view page,
                                         std::int64_t& done, Column& out) {
    if (!h.data_page) return corrupt("data page without its header");
    const auto& d = *h.data_page;
    if (auto err = check_count(d.num_values, done)) return err;
    if (auto err = decompress(page, static_cast<std::size_t>(h.uncompressed_page_size), buffer_)) return err;
    std::string_view body = buffer_;
    const auto count = static_cast<std::size_t>(d.num_values);
    std::size_t present = count;
    if (nullable_) {
      if (d.definition_level_encoding != Encoding::Rle)
        return unsupported("definition level encoding " + encoding_name(d.definition_level_encoding) +
                           " is not supported");
      if (body.size() < 4) return corrupt("page too short for its definition levels");
      const std::uint32_t length = load_u32(body.data());
      if (length > body.size() - 4) return corrupt("definition levels run past the page");
      if (auto err = levels(body.substr(4, length), count, out, present)) return err;
      body.remove_prefix(4 + length);
    }
    if (auto err = values(d.encoding, body, count, present, out)) return err;
    done += d.num_values;
    return std::nullopt;
  }

  std::optional<ChunkError> data_page_v2(const format::PageHeader& h, std::string_view page,
                                         std::int64_t& done, Column& out) {
    if (!h.data_page_v2) return corrupt("data page v2 without its header");
    const auto& d = *h.data_page_v2;
    if (auto err = check_count(d.num_values, done)) return err;
    if (d.repetition_levels_byte_length != 0) return unsupported("repetition levels (nested data)");
    if (d.definition_levels_byte_length < 0 ||
        static_cast<std::size_t>(d.definition_levels_byte_length) > page.size() ||
        d.definition_levels_byte_length > h.uncompressed_page_size) {
      return corrupt("definition levels run past the page");
    }
    const auto level_bytes = static_cast<std::size_t>(d.definition_levels_byte_length);
    if (!nullable_ && level_bytes != 0) return corrupt("definition levels in a required column");
    const auto count = static_cast<std::size_t>(d.num_values);
    std::size_t present = count;
    if (nullable_) {
      if (auto err = levels(page.substr(0, level_bytes), count, out, present)) return err;
    }
    const std::string_view rest = page.substr(level_bytes);
    const auto values_size = static_cast<std::size_t>(h.uncompressed_page_size) - level_bytes;
    std::string_view body;
    if (d.is_compressed && codec_ != format::Codec::Uncompressed) {
      if (auto err = decompress(rest, values_size, buffer_)) return err;
      body = buffer_;
    } else {
      if (rest.size() != values_size) return corrupt("uncompressed page size mismatch");
      body = rest;
    }
    if (auto err = values(d.encoding, body, count, present, out)) return err;
    done += d.num_values;
    return std::nullopt;
  }

  // Appends `count` slots: `present` values decoded from `body`, placeholders for the nulls
  // (whose positions the levels just appended to out.valid say).
  std::optional<ChunkError> values(Encoding encoding, std::string_view body, std::size_t count,
                                   std::size_t present, Column& out) {
    Column decoded;
    Column* target = present == count ? &out : &decoded;
    if (encoding == Encoding::Plain) {
      std::size_t used = 0;
      if (auto err = plain(body, present, *target, used)) return err;
    } else if (encoding == Encoding::RleDictionary || encoding == Encoding::PlainDictionary) {
      if (auto err = from_dictionary(body, present, *target)) return err;
    } else if (encoding == Encoding::Rle && physical_ == PhysicalType::Boolean) {
      if (body.size() < 4) return corrupt("RLE booleans too short");
      const std::uint32_t length = load_u32(body.data());
      if (length > body.size() - 4) return corrupt("RLE booleans run past the page");
      indexes_.resize(present);
      RleDecoder rle(body.substr(4, length), 1);
      if (!rle.get(indexes_.data(), present)) return corrupt(std::string("RLE booleans: ") + rle.error());
      for (std::size_t i = 0; i < present; ++i) target->ints.push_back(indexes_[i]);
    } else if (encoding == Encoding::DeltaBinaryPacked &&
               (physical_ == PhysicalType::Int32 || physical_ == PhysicalType::Int64)) {
      if (auto err = delta_ints(body, present, *target)) return err;
    } else if (encoding == Encoding::DeltaLengthByteArray && physical_ == PhysicalType::ByteArray) {
      if (auto err = delta_length_strings(body, present, *target)) return err;
    } else if (encoding == Encoding::ByteStreamSplit &&
               (physical_ == PhysicalType::Double || physical_ == PhysicalType::Int32 ||
                physical_ == PhysicalType::Int64)) {
      if (auto err = byte_stream_split(body, present, *target)) return err;
    } else {
      return unsupported("encoding " + encoding_name(encoding) + " is not supported");
    }
    if (target == &out) return std::nullopt;
    // Spread the present values over the page's slots.
    const std::size_t first = out.valid.size() - count;
    std::size_t next = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const bool is_present = out.valid[first + i] != 0;
      switch (physical_) {
        case PhysicalType::Double:
          out.doubles.push_back(is_present ? decoded.doubles[next] : 0.0);
          break;
        case PhysicalType::ByteArray:
          if (is_present) out.bytes.append(decoded.string_at(next));
          if (out.bytes.size() > UINT32_MAX)
            return unsupported("more than 4 GiB of strings in one column chunk");
          out.offsets.push_back(static_cast<std::uint32_t>(out.bytes.size()));
          break;
        default:
          out.ints.push_back(is_present ? decoded.ints[next] : 0);
          break;
      }
      if (is_present) ++next;
    }
    return std::nullopt;
  }

  std::optional<ChunkError> plain(std::string_view body, std::size_t n, Column& out, std::size_t& used) {
    switch (physical_) {
      case PhysicalType::Boolean: {
        if ((n + 7) / 8 > body.size()) return corrupt("PLAIN booleans run past the page");
        for (std::size_t i = 0; i < n; ++i)
          out.ints.push_back((static_cast<std::uint8_t>(body[i / 8]) >> (i % 8)) & 1);
        used = (n + 7) / 8;
        return std::nullopt;
      }
      case PhysicalType::Int32: {
        if (n > body.size() / 4) return corrupt("PLAIN INT32 values run past the page");
        for (std::size_t i = 0; i < n; ++i) out.ints.push_back(load_le<std::int32_t>(body.data() + 4 * i));
        used = 4 * n;
        return std::nullopt;
      }
      case PhysicalType::Int64: {
        if (n > body.size() / 8) return corrupt("PLAIN INT64 values run past the page");
        const std::size_t base = out.ints.size();
        out.ints.resize(base + n);
        if (n > 0) std::memcpy(out.ints.data() + base, body.data(), 8 * n);
        used = 8 * n;
        return std::nullopt;
      }
      case PhysicalType::Double: {
        if (n > body.size() / 8) return corrupt("PLAIN DOUBLE values run past the page");
        const std::size_t base = out.doubles.size();
        out.doubles.resize(base + n);
        if (n > 0) std::memcpy(out.doubles.data() + base, body.data(), 8 * n);
        used = 8 * n;
        return std::nullopt;
      }
      case PhysicalType::ByteArray: {
        std::size_t p = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (body.size() - p < 4) return corrupt("PLAIN BYTE_ARRAY length runs past the page");
          const std::uint32_t len = load_u32(body.data() + p);
          p += 4;
          if (len > body.size() - p) return corrupt("PLAIN BYTE_ARRAY value runs past the page");
          out.bytes.append(body.substr(p, len));
          p += len;
          if (out.bytes.size() > UINT32_MAX)
            return unsupported("more than 4 GiB of strings in one column chunk");
          out.offsets.push_back(static_cast<std::uint32_t>(out.bytes.size()));
        }
        used = p;
        return std::nullopt;
      }
      default:
        break;
    }
    return unsupported("physical type " + std::to_string(static_cast<int>(physical_)));
  }

  std::optional<ChunkError> delta_ints(std::string_view body, std::size_t n, Column& out) {
    std::size_t used = 0;
    std::string error;
    const std::size_t base = out.ints.size();
    if (!delta_binary_packed(body, n, out.ints, used, error)) return corrupt(error);
    if (physical_ == PhysicalType::Int32) {
      // INT32 deltas wrap at 32 bits.
      for (std::size_t i = base; i < out.ints.size(); ++i) {
        out.ints[i] =
            static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(out.ints[i])));
      }
    }
    return std::nullopt;
  }

  std::optional<ChunkError> delta_length_strings(std::string_view body, std::size_t n, Column& out) {
    std::vector<std::int64_t> lengths;
    std::size_t used = 0;
    std::string error;
    if (!delta_binary_packed(body, n, lengths, used, error)) return corrupt("string lengths: " + error);
    std::size_t p = used;
    for (const std::int64_t len : lengths) {
      if (len < 0 || static_cast<std::uint64_t>(len) > body.size() - p)
        return corrupt("DELTA_LENGTH_BYTE_ARRAY value runs past the page");
      out.bytes.append(body.substr(p, static_cast<std::size_t>(len)));
      p += static_cast<std::size_t>(len);
      if (out.bytes.size() > UINT32_MAX) return unsupported("more than 4 GiB of strings in one column chunk");
      out.offsets.push_back(static_cast<std::uint32_t>(out.bytes.size()));
    }
    return std::nullopt;
  }

  std::optional<ChunkError> byte_stream_split(std::string_view body, std::size_t n, Column& out) {
    const std::size_t width = physical_ == PhysicalType::Int32 ? 4 : 8;
    if (n > body.size() / width) return corrupt("BYTE_STREAM_SPLIT values run past the page");
    const auto* streams = reinterpret_cast<const std::uint8_t*>(body.data());
    const std::size_t stride = n;  // stream k holds byte k of every value
    for (std::size_t i = 0; i < n; ++i) {
      std::uint8_t bytes[8] = {};
      for (std::size_t k = 0; k < width; ++k) bytes[k] = streams[k * stride + i];
      if (physical_ == PhysicalType::Double)
        out.doubles.push_back(load_le<double>(reinterpret_cast<const char*>(bytes)));
      else if (physical_ == PhysicalType::Int32)
        out.ints.push_back(load_le<std::int32_t>(reinterpret_cast<const char*>(bytes)));
      else
        out.ints.push_back(load_le<std::int64_t>(reinterpret_cast<const char*>(bytes)));
    }
    return std::nullopt;
  }

  std::optional<ChunkError> from_dictionary(std::string_view body, std::size_t n, Column& out) {
    if (!dictionary_) return corrupt("dictionary-encoded page without a dictionary page");
    if (body.empty()) return corrupt("dictionary-encoded page without a bit width");
    const int width = static_cast<std::uint8_t>(body[0]);
    if (width > 32) return corrupt("dictionary index bit width " + std::to_string(width));
    indexes_.resize(n);
    RleDecoder rle(body.substr(1), width);
    if (!rle.get(indexes_.data(), n)) return corrupt(std::string("dictionary indexes: ") + rle.error());
    const Column& dict = dictionary_->values;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t k = indexes_[i];
      if (k >= dictionary_->size)
        return corrupt("dictionary index " + std::to_string(k) + " beyond " +
                       std::to_string(dictionary_->size) + " entries");
      switch (physical_) {
        case PhysicalType::Double:
          out.doubles.push_back(dict.doubles[k]);
          break;
        case PhysicalType::ByteArray:
          out.bytes.append(dict.string_at(k));
          if (out.bytes.size() > UINT32_MAX)
            return unsupported("more than 4 GiB of strings in one column chunk");
          out.offsets.push_back(static_cast<std::uint32_t>(out.bytes.size()));
          break;
        default:
          out.ints.push_back(dict.ints[k]);
          break;
      }
    }
    return std::nullopt;
  }

  std::string_view chunk_;
  PhysicalType physical_;
  bool nullable_;
  format::Codec codec_;
  std::int64_t rows_;
  std::optional<Dictionary> dictionary_;
  std::string buffer_;
  std::vector<std::uint32_t> levels_, indexes_;
  bool any_null_ = false;
};

struct ChunkPlace {
  std::size_t offset = 0, size = 0;
  format::Codec codec = format::Codec::Uncompressed;
};

class FileReader final : public Reader {
 public:
  // `data` holds the file's bytes from `data_offset` to its end: all of them, or only the tail.
  FileReader(std::string data, std::uint64_t data_offset, std::uint64_t file_size, std::string name)
      : data_(std::move(data)), data_offset_(data_offset), file_size_(file_size), name_(std::move(name)) {}

  Status load() {
    if (file_size_ < 2 * kMagic.size() + 4)
      return corrupt("file of " + std::to_string(file_size_) + " bytes is too short for Parquet");
    if (data_offset_ > file_size_ || data_.size() != file_size_ - data_offset_) {
      return corrupt("read " + std::to_string(data_.size()) + " bytes at offset " +
                     std::to_string(data_offset_) + " of a file of " + std::to_string(file_size_) + " bytes");
    }
    if (data_.size() < kTailBytes)
      return corrupt("fewer than " + std::to_string(kTailBytes) + " bytes of the tail were read");
    if ((whole() && std::string_view(data_).substr(0, 4) != kMagic) ||
        std::string_view(data_).substr(data_.size() - 4) != kMagic) {
      return corrupt("no PAR1 magic at both ends (not a Parquet file)");
    }
    auto tail = tail_size_of(std::string_view(data_).substr(data_.size() - kTailBytes), file_size_);
    if (!tail) return tail.error();
    if (*tail > data_.size()) {
      return corrupt("the footer needs the last " + std::to_string(*tail) + " bytes, only " +
                     std::to_string(data_.size()) + " were read");
    }
    data_end_ = file_size_ - *tail;
    auto meta = format::decode_file_metadata(
        std::string_view(data_).substr(data_end_ - data_offset_, *tail - kTailBytes));
    if (!meta) return corrupt("footer: " + meta.error().message);
    meta_ = std::move(meta).value();
    if (auto st = load_schema(); !st) return st;
    if (auto st = load_row_groups(); !st) return st;
    if (!whole()) data_.clear();  // the footer is parsed; nothing else in it is needed
    return {};
  }

  // The tail (footer + length + magic) of a file, from its last 8 bytes.
  Result<std::uint64_t> tail_size_of(std::string_view last8, std::uint64_t file_size) const {
    if (last8.size() != kTailBytes || last8.substr(4) != kMagic)
      return corrupt("no PAR1 magic at the end (not a Parquet file)");
    const std::uint32_t footer_length = load_u32(last8.data());
    if (file_size < 2 * kMagic.size() + 4 || footer_length > file_size - kTailBytes - kMagic.size()) {
      return corrupt("footer length " + std::to_string(footer_length) + " exceeds the file");
    }
    return std::uint64_t{footer_length} + kTailBytes;
  }

  [[nodiscard]] const Schema& schema() const override { return schema_; }
  [[nodiscard]] std::uint64_t rows() const override { return rows_; }
  [[nodiscard]] std::size_t row_groups() const override { return infos_.size(); }
  [[nodiscard]] const RowGroupInfo& row_group_info(std::size_t index) const override {
    return infos_.at(index);
  }
  [[nodiscard]] ByteSpan row_group_span(std::size_t index) const override { return spans_.at(index); }

  Result<ColumnBatch> decode_row_group(std::size_t index, std::string_view bytes,
                                       std::uint64_t bytes_offset) const override {
    if (index >= infos_.size())
      return make_error("ParquetNoSuchRowGroup", name_ + ": row group " + std::to_string(index) + " of " +
                                                     std::to_string(infos_.size()));
    const ByteSpan span = spans_[index];
    if (bytes_offset > span.offset || bytes_offset + bytes.size() < span.end()) {
      return make_error("InvalidArgument", name_ + ": row group " + std::to_string(index) + " lies in [" +
                                               std::to_string(span.offset) + ", " +
                                               std::to_string(span.end()) + "), the bytes given cover [" +
                                               std::to_string(bytes_offset) + ", " +
                                               std::to_string(bytes_offset + bytes.size()) + ")");
    }
    const std::size_t n = schema_.columns.size();
    ColumnBatch batch;
    batch.rows = static_cast<std::size_t>(infos_[index].rows);
    batch.columns.resize(n);
    std::vector<std::optional<ChunkError>> errors(n);
    tbb::parallel_for(std::size_t{0}, n, [&](std::size_t c) {
      const ChunkPlace& place = places_[index][c];
      ChunkDecoder decoder(bytes.substr(place.offset - bytes_offset, place.size), physical_[c],
                           schema_.columns[c].nullable, place.codec, static_cast<std::int64_t>(batch.rows));
      errors[c] = decoder.decode(batch.columns[c]);
    });
    for (std::size_t c = 0; c < n; ++c) {
      if (errors[c]) {
        return make_error(errors[c]->code, name_ + ": row group " + std::to_string(index) + ", column " +
                                               schema_.columns[c].name + ": " + errors[c]->message);
      }
    }
    return batch;
  }

  Result<ColumnBatch> read_row_group(std::size_t index) const override {
    if (!whole())
      return make_error("ParquetNoData",
                        name_ + " was opened from its footer only; decode row groups from their bytes");
    return decode_row_group(index, data_, 0);
  }

  Result<ColumnBatch> read_all() const override {
    if (!whole())
      return make_error("ParquetNoData",
                        name_ + " was opened from its footer only; decode row groups from their bytes");
    ColumnBatch all;
    all.columns.resize(schema_.columns.size());
    for (std::size_t g = 0; g < infos_.size(); ++g) {
      auto part = read_row_group(g);
      if (!part) return std::move(part).error();
      if (auto st = append(all, part.value()); !st) return st.error();
    }
    return all;
  }

 private:
  [[nodiscard]] Error corrupt(const std::string& message) const {
    return make_error("ParquetCorrupt", name_ + ": " + message);
  }
  [[nodiscard]] bool whole() const { return data_offset_ == 0; }

  Status append(ColumnBatch& all, ColumnBatch& part) const {
    for (std::size_t c = 0; c < all.columns.size(); ++c) {
      Column& to = all.columns[c];
      Column& from = part.columns[c];
      if (!from.valid.empty() || !to.valid.empty()) {
        if (to.valid.empty()) to.valid.assign(all.rows, 1);
        if (from.valid.empty())
          to.valid.insert(to.valid.end(), part.rows, 1);
        else
          to.valid.insert(to.valid.end(), from.valid.begin(), from.valid.end());
      }
      to.ints.insert(to.ints.end(), from.ints.begin(), from.ints.end());
      to.doubles.insert(to.doubles.end(), from.doubles.begin(), from.doubles.end());
      if (physical_[c] == PhysicalType::ByteArray) {
        const std::size_t base = to.bytes.size();
        if (base + from.bytes.size() > UINT32_MAX) {
          return make_error("ParquetUnsupported",
                            name_ + ": column " + schema_.columns[c].name +
                                " holds more than 4 GiB of strings; read it by row group");
        }
        to.bytes.append(from.bytes);
        for (std::size_t i = 1; i < from.offsets.size(); ++i)
          to.offsets.push_back(static_cast<std::uint32_t>(base + from.offsets[i]));
      }
      from = Column{};
    }
    all.rows += part.rows;
    return {};
  }

  Status load_schema() {
    const auto& elements = meta_.schema;
    if (elements.empty()) return corrupt("empty schema");
    const auto& root = elements[0];
    if (!root.num_children || *root.num_children != static_cast<std::int32_t>(elements.size() - 1)) {
      return make_error("ParquetUnsupported", name_ + ": only flat schemas are supported (root has " +
                                                  std::to_string(root.num_children.value_or(0)) +
                                                  " children, " + std::to_string(elements.size() - 1) +
                                                  " elements follow)");
    }
    for (std::size_t i = 1; i < elements.size(); ++i) {
      auto column = column_schema(elements[i]);
      if (!column) return with_context(std::move(column).error(), name_ + ": ");
      schema_.columns.push_back(std::move(column).value());
      physical_.push_back(*elements[i].type);
    }
    return {};
  }

  Result<ColumnStatistics> statistics(std::size_t c, const std::optional<format::Statistics>& s) const {
    ColumnStatistics out;
    if (!s) return out;
    out.null_count = static_cast<std::uint64_t>(std::max<std::int64_t>(0, s->null_count.value_or(0)));
    std::optional<std::string> lo = s->min_value, hi = s->max_value;
    // The deprecated fields were written in signed order, which is right for numbers only.
    if ((!lo || !hi) && physical_[c] != PhysicalType::ByteArray) {
      lo = s->min_legacy;
      hi = s->max_legacy;
    }
    if (!lo || !hi) return out;
    const auto bad = [&] {
      return make_error("ParquetCorrupt",
                        name_ + ": column " + schema_.columns[c].name + ": statistics of the wrong size");
    };
    switch (physical_[c]) {
      case PhysicalType::Boolean:
        if (lo->size() != 1 || hi->size() != 1) return bad();
        out.min_int = (*lo)[0] != 0;
        out.max_int = (*hi)[0] != 0;
        break;
      case PhysicalType::Int32:
        if (lo->size() != 4 || hi->size() != 4) return bad();
        out.min_int = load_le<std::int32_t>(lo->data());
        out.max_int = load_le<std::int32_t>(hi->data());
        break;
      case PhysicalType::Int64:
        if (lo->size() != 8 || hi->size() != 8) return bad();
        out.min_int = load_le<std::int64_t>(lo->data());
        out.max_int = load_le<std::int64_t>(hi->data());
        break;
      case PhysicalType::Double:
        if (lo->size() != 8 || hi->size() != 8) return bad();
        out.min_double = load_le<double>(lo->data());
        out.max_double = load_le<double>(hi->data());
        break;
      default:
        out.min_bytes = *lo;
        out.max_bytes = *hi;
        break;
    }
    out.has_min_max = true;
    return out;
  }

  Status load_row_groups() {
    const std::size_t n = schema_.columns.size();
    std::uint64_t total = 0;
    for (std::size_t g = 0; g < meta_.row_groups.size(); ++g) {
      const auto& group = meta_.row_groups[g];
      const std::string where = "row group " + std::to_string(g);
      if (group.num_rows < 0) return corrupt(where + ": negative row count");
      if (group.columns.size() != n)
        return corrupt(where + " has " + std::to_string(group.columns.size()) + " column chunks for " +
                       std::to_string(n) + " columns");
      RowGroupInfo info;
      info.rows = static_cast<std::uint64_t>(group.num_rows);
      std::vector<ChunkPlace> places;
      ByteSpan span{data_end_, 0};
      std::uint64_t span_end = 0;
      for (std::size_t c = 0; c < n; ++c) {
        const std::string at = where + ", column " + schema_.columns[c].name;
        const auto& chunk = group.columns[c];
        if (chunk.file_path)
          return make_error("ParquetUnsupported", name_ + ": " + at + ": column data in another file");
        if (!chunk.meta_data) return corrupt(at + ": no column metadata");
        const auto& m = *chunk.meta_data;
        if (m.type != physical_[c]) return corrupt(at + ": chunk type differs from the schema");
        if (m.path_in_schema.size() != 1 || m.path_in_schema[0] != schema_.columns[c].name)
          return corrupt(at + ": chunk path differs from the schema");
        if (m.codec != format::Codec::Uncompressed && m.codec != format::Codec::Snappy &&
            m.codec != format::Codec::Zstd) {
          return make_error("ParquetUnsupported", name_ + ": " + at + ": compression codec " +
                                                      std::to_string(static_cast<int>(m.codec)));
        }
        if (m.num_values != group.num_rows)
          return corrupt(at + ": " + std::to_string(m.num_values) + " values for " +
                         std::to_string(group.num_rows) + " rows");
        // Some writers put 0 in dictionary_page_offset for "none"; no page can start at 0.
        std::int64_t start = m.data_page_offset;
        if (m.dictionary_page_offset && *m.dictionary_page_offset > 0 && *m.dictionary_page_offset < start)
          start = *m.dictionary_page_offset;
        if (start < static_cast<std::int64_t>(kMagic.size()) || m.total_compressed_size < 0 ||
            static_cast<std::uint64_t>(start) > data_end_ ||
            static_cast<std::uint64_t>(m.total_compressed_size) >
                data_end_ - static_cast<std::uint64_t>(start)) {
          return corrupt(at + ": chunk bytes [" + std::to_string(start) + ", +" +
                         std::to_string(m.total_compressed_size) + ") lie outside the data");
        }
        places.push_back(
            {static_cast<std::size_t>(start), static_cast<std::size_t>(m.total_compressed_size), m.codec});
        span.offset = std::min<std::uint64_t>(span.offset, static_cast<std::uint64_t>(start));
        span_end =
            std::max<std::uint64_t>(span_end, static_cast<std::uint64_t>(start + m.total_compressed_size));
        auto stats = statistics(c, m.statistics);
        if (!stats) return stats.error();
        info.statistics.push_back(std::move(stats).value());
      }
      span.size = span_end > span.offset ? span_end - span.offset : 0;
      if (n == 0) span.offset = kMagic.size();
      total += info.rows;
      spans_.push_back(span);
      infos_.push_back(std::move(info));
      places_.push_back(std::move(places));
    }
    if (meta_.num_rows < 0 || total != static_cast<std::uint64_t>(meta_.num_rows)) {
      return corrupt("footer says " + std::to_string(meta_.num_rows) + " rows, row groups hold " +
                     std::to_string(total));
    }
    rows_ = total;
    return {};
  }

  std::string data_;
  std::uint64_t data_offset_ = 0;
  std::uint64_t file_size_ = 0;
  std::string name_;
  std::uint64_t data_end_ = 0;  // where the footer starts
  format::FileMetaData meta_;
  Schema schema_;
  std::vector<PhysicalType> physical_;
  std::vector<RowGroupInfo> infos_;
  std::vector<std::vector<ChunkPlace>> places_;
  std::vector<ByteSpan> spans_;
  std::uint64_t rows_ = 0;
};

}  // namespace

Result<std::unique_ptr<Reader>> Reader::open(std::string bytes, std::string name) {
  const std::uint64_t size = bytes.size();
  auto reader = std::make_unique<FileReader>(std::move(bytes), 0, size, std::move(name));
  if (auto st = reader->load(); !st) return st.error();
  return std::unique_ptr<Reader>(std::move(reader));
}

Result<std::uint64_t> Reader::tail_size(std::string_view last_8_bytes, std::uint64_t file_size,
                                        const std::string& name) {
  return FileReader(std::string(), 0, file_size, name).tail_size_of(last_8_bytes, file_size);
}

Result<std::unique_ptr<Reader>> Reader::open_tail(std::string tail, std::uint64_t file_size,
                                                  std::string name) {
  if (tail.size() > file_size) {
    return make_error("InvalidArgument", name + ": a tail of " + std::to_string(tail.size()) +
                                             " bytes for a file of " + std::to_string(file_size));
  }
  const std::uint64_t offset = file_size - tail.size();
  auto reader = std::make_unique<FileReader>(std::move(tail), offset, file_size, std::move(name));
  if (auto st = reader->load(); !st) return st.error();
  return std::unique_ptr<Reader>(std::move(reader));
}

}  // namespace dwh::parquet
