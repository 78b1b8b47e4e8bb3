#include "encodings/codec.hpp"

#include <snappy.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace dwh::parquet {
namespace {

constexpr std::size_t kFirstOutput = 1u << 20;

// Streams into a buffer that grows as output arrives, so a header claiming a huge page costs
// nothing until the data actually produces it (corrupt or hostile files).
Status zstd_decompress(std::string_view in, std::size_t expected, std::string& out) {
  const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return make_error("ParquetCorrupt", "corrupt zstd page");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > expected) {
    return make_error("ParquetCorrupt", "zstd page length does not match its header");
  }
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (!ctx) return make_error("ParquetCompression", "zstd: out of memory");
  out.resize(std::min(expected, kFirstOutput));
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::size_t produced = 0;
  char probe = 0;
  while (true) {
    if (produced == out.size() && out.size() < expected) out.resize(std::min(expected, out.size() * 2));
    // Once the expected size is reached, a one-byte probe buffer catches any surplus output.
    const bool full = produced == expected;
    ZSTD_outBuffer output =
        full ? ZSTD_outBuffer{&probe, 1, 0} : ZSTD_outBuffer{out.data(), out.size(), produced};
    const std::size_t before_in = input.pos;
    const std::size_t r = ZSTD_decompressStream(ctx.get(), &output, &input);
    if (ZSTD_isError(r))
      return make_error("ParquetCorrupt", std::string("zstd page: ") + ZSTD_getErrorName(r));
    if (full && output.pos != 0) return make_error("ParquetCorrupt", "zstd page longer than its header says");
    const bool progressed = input.pos != before_in || (!full && output.pos != produced);
    if (!full) produced = output.pos;
    if (r == 0 && input.pos == input.size) break;  // every frame complete
    if (!progressed) return make_error("ParquetCorrupt", "truncated zstd page");
  }
  if (produced != expected) return make_error("ParquetCorrupt", "zstd page length does not match its header");
  out.resize(produced);
  return {};
}

}  // namespace

format::Codec codec_of(Compression c) {
  switch (c) {
    case Compression::Snappy:
      return format::Codec::Snappy;
    case Compression::Zstd:
      return format::Codec::Zstd;
    case Compression::None:
      break;
  }
  return format::Codec::Uncompressed;
}

Status compress_page(Compression c, int zstd_level, std::string_view in, std::string& out) {
  const std::size_t base = out.size();
  switch (c) {
    case Compression::None:
      out.append(in);
      return {};
    case Compression::Snappy: {
      out.resize(base + snappy::MaxCompressedLength(in.size()));
      std::size_t written = 0;
      snappy::RawCompress(in.data(), in.size(), out.data() + base, &written);
      out.resize(base + written);
      return {};
    }
    case Compression::Zstd: {
      out.resize(base + ZSTD_compressBound(in.size()));
      const std::size_t written =
          ZSTD_compress(out.data() + base, out.size() - base, in.data(), in.size(), zstd_level);
      if (ZSTD_isError(written)) {
        out.resize(base);
        return make_error("ParquetCompression", std::string("zstd: ") + ZSTD_getErrorName(written));
      }
      out.resize(base + written);
      return {};
    }
  }
  return make_error("ParquetCompression", "unknown compression");
}

Status decompress_page(format::Codec codec, std::string_view in, std::size_t uncompressed_size,
                       std::string& out) {
  out.clear();
  switch (codec) {
    case format::Codec::Uncompressed:
      if (in.size() != uncompressed_size)
        return make_error("ParquetCorrupt", "uncompressed page size mismatch");
      out.assign(in);
      return {};
    case format::Codec::Snappy: {
      std::size_t length = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &length) || length != uncompressed_size) {
        return make_error("ParquetCorrupt", "snappy page length does not match its header");
      }
      // Validate before allocating what the (untrusted) header claims.
      if (!snappy::IsValidCompressedBuffer(in.data(), in.size()))
        return make_error("ParquetCorrupt", "corrupt snappy page");
      out.resize(length);
      if (!snappy::RawUncompress(in.data(), in.size(), out.data()))
        return make_error("ParquetCorrupt", "corrupt snappy page");
      return {};
    }
    case format::Codec::Zstd:
      return zstd_decompress(in, uncompressed_size, out);
    default:
      break;
  }
  return make_error("ParquetUnsupported", "compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace dwh::parquet
