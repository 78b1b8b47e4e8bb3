// Landed objects streamed in ranged reads and decompressed incrementally, so memory holds a few
// chunks whatever the object's size; the compressed bytes are hashed on the way and checked
// against the ingest manifest at the end.
#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "transform_internal.hpp"

namespace dwh::transform::detail {
namespace {

constexpr std::size_t kReadBytes = 4u << 20;  // compressed bytes per ranged read
constexpr std::size_t kInflateOut = 1u << 20;

std::string hex(const unsigned char* md, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += kHex[md[i] >> 4], out += kHex[md[i] & 0xf];
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

struct ObjectReader::Impl {
  jobs::ObjectStore& store;
  const InputObject& object;
  std::size_t chunk_bytes;
  std::uint64_t offset = 0;  // compressed bytes read so far
  bool input_done = false;
  bool finished = false;
  std::string in;  // compressed bytes not yet consumed
  std::size_t in_pos = 0;
  std::string pending;  // decompressed bytes not yet handed out
  EVP_MD_CTX* sha = EVP_MD_CTX_new();
  z_stream z{};
  bool z_init = false;
  bool z_member_done = false;
  ZSTD_DStream* zstd = nullptr;

  Impl(jobs::ObjectStore& s, const InputObject& o, std::size_t c) : store(s), object(o), chunk_bytes(c) {
    EVP_DigestInit_ex(sha, EVP_sha256(), nullptr);
  }
  ~Impl() {
    EVP_MD_CTX_free(sha);
    if (z_init) inflateEnd(&z);
    if (zstd) ZSTD_freeDStream(zstd);
  }

  Error corrupt(const std::string& why) const {
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
    EVP_DigestUpdate(sha, got->data(), got->size());
    offset += got->size();
    if (got->size() < kReadBytes) input_done = true;
    in.erase(0, in_pos);
    in_pos = 0;
    in += *got;
    return {};
  }

  // Decompresses some of `in` into `pending`. Sets `finished` at the end of the object.
  Status step() {
    if (in_pos == in.size()) {
      if (auto s = refill(); !s) return s;
      if (in_pos == in.size() && input_done) return end_of_input();
    }
    const std::size_t start = pending.size();
    pending.resize(start + kInflateOut);
    if (object.compression == jobs::Compression::Gzip) {
      if (!z_init) {
        if (inflateInit2(&z, 15 + 16) != Z_OK) return make_error("TransformFailed", "inflateInit2 failed");
        z_init = true;
      } else if (z_member_done) {
        inflateReset(&z);  // the next gzip member (ingest writes one per chunk)
        z_member_done = false;
      }
      z.next_in = reinterpret_cast<Bytef*>(in.data() + in_pos);
      z.avail_in = static_cast<uInt>(in.size() - in_pos);
      z.next_out = reinterpret_cast<Bytef*>(pending.data() + start);
      z.avail_out = static_cast<uInt>(kInflateOut);
      const int rc = inflate(&z, Z_NO_FLUSH);
      in_pos = in.size() - z.avail_in;
      pending.resize(start + kInflateOut - z.avail_out);
      if (rc == Z_STREAM_END) {
        z_member_done = true;
      } else if (rc == Z_BUF_ERROR && z.avail_in == 0) {
        // needs more input
      } else if (rc != Z_OK) {
        return corrupt(std::string("not a valid gzip stream (") + (z.msg ? z.msg : "inflate error") + ")");
      }
    } else {
      if (!zstd) {
        zstd = ZSTD_createDStream();
        ZSTD_initDStream(zstd);
      }
      ZSTD_inBuffer ib{in.data(), in.size(), in_pos};
      ZSTD_outBuffer ob{pending.data() + start, kInflateOut, 0};
      const std::size_t rc = ZSTD_decompressStream(zstd, &ob, &ib);
      in_pos = ib.pos;
      pending.resize(start + ob.pos);
      if (ZSTD_isError(rc)) return corrupt(std::string("not a valid zstd stream (") + ZSTD_getErrorName(rc) + ")");
      z_member_done = rc == 0;
    }
    return {};
  }

  Status end_of_input() {
    if (object.compression == jobs::Compression::Gzip && z_init && !z_member_done) {
      return corrupt("the gzip stream is truncated");
    }
    if (object.compression == jobs::Compression::Zstd && zstd && !z_member_done) {
      return corrupt("the zstd stream is truncated");
    }
    if (object.size && *object.size != offset) {
      return corrupt("size is " + std::to_string(offset) + " bytes, the ingest manifest says " +
                     std::to_string(*object.size));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(sha, md, &n);
    const std::string got = hex(md, n);
    if (!object.sha256.empty() && got != object.sha256) {
      return corrupt("SHA-256 is " + got + ", the ingest manifest says " + object.sha256);
    }
    finished = true;
    return {};
  }
};

ObjectReader::ObjectReader(jobs::ObjectStore& store, const InputObject& object, std::size_t chunk_bytes)
    : impl_(std::make_unique<Impl>(store, object, chunk_bytes)) {}

ObjectReader::~ObjectReader() = default;

Result<bool> ObjectReader::next(Chunk& out) {
  auto& m = *impl_;
  while (!m.finished && m.pending.size() < m.chunk_bytes) {
    if (auto s = m.step(); !s) return std::move(s).error();
  }
  if (m.pending.empty()) return false;
  std::size_t cut = m.pending.size();
  if (!m.finished) {
    const auto nl = m.pending.rfind('\n');
    cut = nl == std::string::npos ? m.pending.size() : nl + 1;
    // A line longer than a chunk: keep reading until it ends.
    while (nl == std::string::npos && !m.finished) {
      if (auto s = m.step(); !s) return std::move(s).error();
      const auto again = m.pending.find('\n');
      if (again != std::string::npos) {
        cut = again + 1;
        break;
      }
      cut = m.pending.size();
    }
  }
  out.size = cut;
  out.data.assign(m.pending.data(), cut);
  out.data.append(kJsonPadding, '\0');
  m.pending.erase(0, cut);
  return true;
}

Result<std::string> read_whole_object(jobs::ObjectStore& store, const InputObject& object) {
  ObjectReader reader(store, object, 16u << 20);
  std::string out;
  Chunk c;
  for (;;) {
    auto more = reader.next(c);
    if (!more) return std::move(more).error();
    if (!*more) break;
    out.append(c.data.data(), c.size);
  }
  return out;
}

}  // namespace dwh::transform::detail
