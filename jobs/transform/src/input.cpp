// Landed objects streamed in ranged reads and decompressed incrementally, so memory holds a few
// chunks whatever the object's size; the compressed bytes are hashed on the way and checked
// against the ingest manifest at the end.
//
// gzip: ingest writes one gzip member per ~1 MiB of COPY text, so with libdeflate each member is
// decompressed in one call (about twice zlib's speed, CRC included); zlib streams otherwise.
// The decompressed bytes go straight into the buffer that becomes the next chunk: no copies
// beyond the partial line carried over.
#include <zlib.h>
#include <zstd.h>
#ifdef DWH_HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif

#include <cstring>

#include "internal.hpp"

namespace dwh::transform::detail {
namespace {

constexpr std::size_t kReadBytes = 4u << 20;  // compressed bytes per ranged read
constexpr std::size_t kStreamOut = 1u << 20;  // zlib / zstd output per step

}  // namespace

struct ObjectReader::Impl {
  stores::ObjectStore& store;
  const InputObject& object;
  std::size_t chunk_bytes;
  std::uint64_t offset = 0;  // compressed bytes read so far
  bool input_done = false;
  bool finished = false;
  std::string in;  // compressed bytes not yet consumed, from in_pos
  std::size_t in_pos = 0;
  // Decompressed bytes not yet handed out; becomes the next chunk's buffer.
  std::unique_ptr<char[]> out;
  std::size_t out_len = 0;
  std::size_t out_cap = 0;  // usable bytes (kJsonPadding more are allocated)
  core::StreamDigest sha{core::StreamDigest::Kind::Sha256};
  z_stream z{};
  bool z_init = false;
  bool member_done = true;  // between gzip members / zstd frames
  ZSTD_DStream* zstd = nullptr;
#ifdef DWH_HAVE_LIBDEFLATE
  libdeflate_decompressor* inflater = nullptr;
#endif

  Impl(stores::ObjectStore& s, const InputObject& o, std::size_t c) : store(s), object(o), chunk_bytes(c) {
    reserve(2 * chunk_bytes);
  }
  ~Impl() {
    if (z_init) inflateEnd(&z);
    if (zstd) ZSTD_freeDStream(zstd);
#ifdef DWH_HAVE_LIBDEFLATE
    if (inflater) libdeflate_free_decompressor(inflater);
#endif
  }

  // At least `n` free bytes after out_len.
  void reserve(std::size_t n) {
    if (out && out_cap - out_len >= n) return;
    const std::size_t cap = std::max(out_len + n, 2 * chunk_bytes);
    auto bigger = std::make_unique_for_overwrite<char[]>(cap + kJsonPadding);
    if (out_len) std::memcpy(bigger.get(), out.get(), out_len);
    out = std::move(bigger);
    out_cap = cap;
  }

  [[nodiscard]] Error corrupt(const std::string& why) const {
    return make_error("LandingCorrupt", "landed object " + object.key + " in " + store.url() + ": " + why);
  }

  Status refill() {
    if (input_done) return {};
    auto got = store.get_range(object.key, offset, kReadBytes);
    if (!got) {
      Error e = std::move(got).error();
      e.message = "cannot read landed object " + object.key + ": " + e.message;
      return e;
    }
    if (got->empty()) {
      input_done = true;
      return {};
    }
    sha.update(*got);
    offset += got->size();
    if (got->size() < kReadBytes) input_done = true;
    if (in_pos == in.size()) {
      in = std::move(got).value();
    } else {
      in.erase(0, in_pos);
      in += *got;
    }
    in_pos = 0;
    return {};
  }

  Status step_gzip() {
#ifdef DWH_HAVE_LIBDEFLATE
    if (!inflater) inflater = libdeflate_alloc_decompressor();
    if (!inflater) return make_error("TransformFailed", "libdeflate_alloc_decompressor failed");
    for (;;) {
      std::size_t used_in = 0, used_out = 0;
      const auto rc =
          libdeflate_gzip_decompress_ex(inflater, in.data() + in_pos, in.size() - in_pos, out.get() + out_len,
                                        out_cap - out_len, &used_in, &used_out);
      if (rc == LIBDEFLATE_SUCCESS) {
        in_pos += used_in;
        out_len += used_out;
        return {};
      }
      if (rc == LIBDEFLATE_INSUFFICIENT_SPACE) {
        reserve(2 * (out_cap - out_len) + kStreamOut);
        continue;
      }
      // A member cut by the end of the read so far looks like bad data: read more and retry.
      if (!input_done) {
        if (auto s = refill(); !s) return s;
        continue;
      }
      return corrupt("not a valid gzip stream (or truncated)");
    }
#else
    if (!z_init) {
      if (inflateInit2(&z, 15 + 16) != Z_OK) return make_error("TransformFailed", "inflateInit2 failed");
      z_init = true;
    } else if (member_done) {
      inflateReset(&z);  // the next gzip member
    }
    member_done = false;
    reserve(kStreamOut);
    z.next_in = reinterpret_cast<Bytef*>(in.data() + in_pos);
    z.avail_in = static_cast<uInt>(in.size() - in_pos);
    z.next_out = reinterpret_cast<Bytef*>(out.get() + out_len);
    z.avail_out = static_cast<uInt>(kStreamOut);
    const int rc = inflate(&z, Z_NO_FLUSH);
    in_pos = in.size() - z.avail_in;
    out_len += kStreamOut - z.avail_out;
    if (rc == Z_STREAM_END)
      member_done = true;
    else if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      // needs more input
    } else if (rc != Z_OK) {
      return corrupt(std::string("not a valid gzip stream (") + (z.msg ? z.msg : "inflate error") + ")");
    }
    return {};
#endif
  }

  Status step_zstd() {
    if (!zstd) {
      zstd = ZSTD_createDStream();
      ZSTD_initDStream(zstd);
    }
    reserve(kStreamOut);
    ZSTD_inBuffer ib{in.data(), in.size(), in_pos};
    ZSTD_outBuffer ob{out.get() + out_len, kStreamOut, 0};
    const std::size_t rc = ZSTD_decompressStream(zstd, &ob, &ib);
    in_pos = ib.pos;
    out_len += ob.pos;
    if (ZSTD_isError(rc))
      return corrupt(std::string("not a valid zstd stream (") + ZSTD_getErrorName(rc) + ")");
    member_done = rc == 0;
    return {};
  }

  // Decompresses some input into `out`. Sets `finished` at the end of the object.
  Status step() {
    if (in_pos == in.size()) {
      if (auto s = refill(); !s) return s;
      if (in_pos == in.size() && input_done) return end_of_input();
    }
    return object.compression == stores::Compression::Gzip ? step_gzip() : step_zstd();
  }

  Status end_of_input() {
    if (!member_done)
      return corrupt(std::string("the ") +
                     (object.compression == stores::Compression::Gzip ? "gzip" : "zstd") +
                     " stream is truncated");
    if (object.size && *object.size != offset) {
      return corrupt("size is " + std::to_string(offset) + " bytes, the ingest manifest says " +
                     std::to_string(*object.size));
    }
    const std::string got = sha.finish_hex();
    if (!object.sha256.empty() && got != object.sha256) {
      return corrupt("SHA-256 is " + got + ", the ingest manifest says " + object.sha256);
    }
    finished = true;
    return {};
  }
};

ObjectReader::ObjectReader(stores::ObjectStore& store, const InputObject& object, std::size_t chunk_bytes)
    : impl_(std::make_unique<Impl>(store, object, chunk_bytes)) {}

ObjectReader::~ObjectReader() = default;

Result<bool> ObjectReader::next(Chunk& chunk) {
  auto& m = *impl_;
  while (!m.finished && m.out_len < m.chunk_bytes) {
    if (auto s = m.step(); !s) return std::move(s).error();
  }
  // Whole lines only: cut after the last newline (a line longer than a chunk keeps reading).
  std::size_t cut = m.out_len;
  if (!m.finished) {
    for (;;) {
      const char* base = m.out.get();
      const char* nl = static_cast<const char*>(memrchr(base, '\n', m.out_len));
      if (nl) {
        cut = static_cast<std::size_t>(nl - base) + 1;
        break;
      }
      if (m.finished) {
        cut = m.out_len;
        break;
      }
      if (auto s = m.step(); !s) return std::move(s).error();
    }
  }
  if (cut == 0) return false;
  // The buffer becomes the chunk; the partial line after the cut starts the next one.
  const std::size_t tail = m.out_len - cut;
  auto next = std::make_unique_for_overwrite<char[]>(m.out_cap + kJsonPadding);
  if (tail) std::memcpy(next.get(), m.out.get() + cut, tail);
  chunk.data = std::move(m.out);
  chunk.size = cut;
  chunk.capacity = m.out_cap + kJsonPadding;
  std::memset(chunk.data.get() + cut, 0, std::min(kJsonPadding, chunk.capacity - cut));
  m.out = std::move(next);
  m.out_len = tail;
  return true;
}

Result<std::string> read_whole_object(stores::ObjectStore& store, const InputObject& object) {
  ObjectReader reader(store, object, 16u << 20);
  std::string out;
  Chunk c;
  for (;;) {
    auto more = reader.next(c);
    if (!more) return std::move(more).error();
    if (!*more) break;
    out.append(c.data.get(), c.size);
  }
  return out;
}

}  // namespace dwh::transform::detail
