#pragma once
// Streaming bodies for transport tests: a deterministic byte pattern produced on demand (so
// a large body is never held whole), a sink that only digests, and peak-RSS measurement.
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "dwh/aws/http.hpp"
#include "loopback_server.hpp"

namespace dwh::test {

// Byte `offset` of the test pattern: not periodic at any small power of two, so a
// misplaced or repeated piece changes the digest.
inline char pattern_byte(std::uint64_t offset) {
  return static_cast<char>((offset * 2654435761ull >> 7) ^ (offset >> 17));
}

inline void fill_pattern(std::uint64_t offset, std::span<char> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = pattern_byte(offset + i);
}

inline std::string pattern_string(std::uint64_t size) {
  std::string s(size, '\0');
  fill_pattern(0, std::span<char>(s.data(), s.size()));
  return s;
}

// LoopbackServer::digest of the first `size` pattern bytes, computed in pieces.
inline std::uint64_t pattern_digest(std::uint64_t size) {
  std::uint64_t h = LoopbackServer::kDigestSeed;
  std::string piece;
  for (std::uint64_t off = 0; off < size; off += piece.size()) {
    piece.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size - off, 1u << 20)));
    fill_pattern(off, std::span<char>(piece.data(), piece.size()));
    h = LoopbackServer::digest(piece, h);
  }
  return h;
}

// The pattern as a request body; `known_size` false makes the transport send it chunked.
class PatternSource final : public aws::BodySource {
 public:
  PatternSource(std::uint64_t size, bool known_size) : size_(size), known_(known_size) {}
  std::optional<std::uint64_t> size() const override {
    return known_ ? std::optional<std::uint64_t>(size_) : std::nullopt;
  }
  Result<std::size_t> read(std::span<char> out) override {
    if (fail_at_ && pos_ >= *fail_at_) return make_error("SourceFailed", "test source failed on purpose");
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - pos_));
    fill_pattern(pos_, out.first(n));
    pos_ += n;
    ++reads_;
    return n;
  }
  bool rewind() override {
    pos_ = 0;
    ++rewinds_;
    return rewindable_;
  }
  std::optional<std::uint64_t> fail_at_;
  bool rewindable_ = true;
  int rewinds_ = 0;
  int reads_ = 0;

 private:
  std::uint64_t size_;
  bool known_;
  std::uint64_t pos_ = 0;
};

// Keeps only a digest, a byte count and the largest single write.
class DigestSink final : public aws::BodySink {
 public:
  Status write(std::string_view bytes) override {
    if (fail_after_ && bytes_ + bytes.size() > *fail_after_)
      return make_error("SinkFailed", "test sink full");
    digest_ = LoopbackServer::digest(bytes, digest_);
    bytes_ += bytes.size();
    largest_write_ = std::max(largest_write_, bytes.size());
    return {};
  }
  bool rewind() override {
    digest_ = LoopbackServer::kDigestSeed;
    bytes_ = 0;
    ++rewinds_;
    return true;
  }
  std::uint64_t digest_ = LoopbackServer::kDigestSeed;
  std::uint64_t bytes_ = 0;
  std::size_t largest_write_ = 0;
  int rewinds_ = 0;
  std::optional<std::uint64_t> fail_after_;
};

// Peak resident set size of this process so far, in bytes.
inline std::uint64_t peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

// Sanitizers keep freed memory in quarantine, so RSS says nothing about live memory there.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRssIsMeaningful = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kRssIsMeaningful = false;
#else
inline constexpr bool kRssIsMeaningful = true;
#endif
#else
inline constexpr bool kRssIsMeaningful = true;
#endif

}  // namespace dwh::test
