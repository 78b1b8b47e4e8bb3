#include "dwh/stores/compression.hpp"

#include <zlib.h>

#include <memory>
#ifdef DWH_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef DWH_HAVE_ZSTD
#include <zstd.h>
#endif

namespace dwh::stores {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip header and trailer instead of zlib's
constexpr int kLevel = 1;

#ifdef DWH_HAVE_LIBDEFLATE
// libdeflate compresses a whole buffer at level 1 about twice as fast as zlib (measured on
// sales_order JSON Lines: 0.74 s vs 1.45 s for 317 MB, and 8% smaller), and writes a standard
// gzip member. Its compressor holds ~1 MB of tables, so each thread keeps one.
struct FreeCompressor {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};

Status gzip_chunk(std::string_view data, std::string& out) {
  thread_local std::unique_ptr<libdeflate_compressor, FreeCompressor> compressor(
      libdeflate_alloc_compressor(kLevel));
  if (!compressor) return make_error("CompressionFailed", "libdeflate_alloc_compressor failed");
  const std::size_t start = out.size();
  const std::size_t bound = libdeflate_gzip_compress_bound(compressor.get(), data.size());
  out.resize(start + bound);
  const std::size_t n =
      libdeflate_gzip_compress(compressor.get(), data.data(), data.size(), out.data() + start, bound);
  if (n == 0) return make_error("CompressionFailed", "libdeflate_gzip_compress failed");
  out.resize(start + n);
  return {};
}
#else
Status gzip_chunk(std::string_view data, std::string& out) {
  z_stream z{};
  if (deflateInit2(&z, kLevel, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return make_error("CompressionFailed", "deflateInit2 failed");
  }
  const std::size_t start = out.size();
  out.resize(start + deflateBound(&z, static_cast<uLong>(data.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data() + start);
  z.avail_out = static_cast<uInt>(out.size() - start);
  const int rc = deflate(&z, Z_FINISH);
  out.resize(start + z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return make_error("CompressionFailed", "deflate failed");
  return {};
}
#endif

Result<std::string> gunzip_all(std::string_view data) {
  std::string out;
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK)
    return make_error("CompressionFailed", "inflateInit2 failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  char buffer[1 << 16];
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    const int rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      inflateReset(&z);  // the next member
      continue;
    }
    if (rc != Z_OK) {
      inflateEnd(&z);
      return make_error("CompressionFailed", "not a valid gzip stream");
    }
  }
  inflateEnd(&z);
  return out;
}

}  // namespace

std::string_view compression_name(Compression c) {
  return c == Compression::Gzip ? "gzip" : "zstd";
}
std::string_view compression_suffix(Compression c) {
  return c == Compression::Gzip ? ".gz" : ".zst";
}

std::optional<Compression> parse_compression(std::string_view name) {
  if (name == "gzip") return Compression::Gzip;
  if (name == "zstd") return Compression::Zstd;
  return std::nullopt;
}

bool compression_available(Compression c) {
#ifdef DWH_HAVE_ZSTD
  (void)c;
  return true;
#else
  return c == Compression::Gzip;
#endif
}

Status compress_chunk(Compression c, std::string_view data, std::string& out) {
  if (c == Compression::Gzip) return gzip_chunk(data, out);
#ifdef DWH_HAVE_ZSTD
  const std::size_t start = out.size();
  out.resize(start + ZSTD_compressBound(data.size()));
  const std::size_t n =
      ZSTD_compress(out.data() + start, out.size() - start, data.data(), data.size(), kLevel);
  if (ZSTD_isError(n)) return make_error("CompressionFailed", ZSTD_getErrorName(n));
  out.resize(start + n);
  return {};
#else
  return make_error("CompressionUnavailable", "this build has no zstd (install libzstd-dev)");
#endif
}

Result<std::string> decompress(Compression c, std::string_view data) {
  if (c == Compression::Gzip) return gunzip_all(data);
#ifdef DWH_HAVE_ZSTD
  std::string out;
  ZSTD_DStream* d = ZSTD_createDStream();
  ZSTD_initDStream(d);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  char buffer[1 << 16];
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buffer, sizeof buffer, 0};
    const std::size_t rc = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(rc)) {
      ZSTD_freeDStream(d);
      return make_error("CompressionFailed", ZSTD_getErrorName(rc));
    }
    out.append(buffer, o.pos);
  }
  for (;;) {  // flush what is left in the decoder
    ZSTD_outBuffer o{buffer, sizeof buffer, 0};
    const std::size_t rc = ZSTD_decompressStream(d, &o, &in);
    if (ZSTD_isError(rc)) break;
    out.append(buffer, o.pos);
    if (o.pos == 0) break;
  }
  ZSTD_freeDStream(d);
  return out;
#else
  return make_error("CompressionUnavailable", "this build has no zstd (install libzstd-dev)");
#endif
}

}  // namespace dwh::stores
