#include "encodings/delta.hpp"

#include <algorithm>

namespace dwh::parquet {
namespace {

constexpr std::uint64_t kMaxBlockValues = 1u << 16;  // writers use 128..1024; more is corrupt

class Bytes {
 public:
  explicit Bytes(std::string_view d) : d_(d) {}
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= d_.size()) return false;
      const auto b = static_cast<std::uint8_t>(d_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool zigzag(std::int64_t& v) {
    std::uint64_t u = 0;
    if (!varint(u)) return false;
    v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    return true;
  }
  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t left() const { return d_.size() - pos_; }
  [[nodiscard]] const std::uint8_t* at() const {
    return reinterpret_cast<const std::uint8_t*>(d_.data()) + pos_;
  }
  void skip(std::size_t n) { pos_ += n; }

 private:
  std::string_view d_;
  std::size_t pos_ = 0;
};

// `width` (<= 64) bits starting at bit `bit` of `p`, LSB first.
std::uint64_t bits_at(const std::uint8_t* p, std::size_t bit, int width) {
  std::uint64_t v = 0;
  int got = 0;
  while (got < width) {
    const std::size_t byte = (bit + static_cast<std::size_t>(got)) / 8;
    const int offset = static_cast<int>((bit + static_cast<std::size_t>(got)) % 8);
    const int take = std::min(8 - offset, width - got);
    const std::uint64_t chunk = (static_cast<std::uint64_t>(p[byte]) >> offset) & ((1u << take) - 1);
    v |= chunk << got;
    got += take;
  }
  return v;
}

}  // namespace

bool delta_binary_packed(std::string_view data, std::size_t count, std::vector<std::int64_t>& out,
                         std::size_t& used, std::string& error) {
  Bytes in(data);
  std::uint64_t block = 0, miniblocks = 0, total = 0;
  std::int64_t first = 0;
  if (!in.varint(block) || !in.varint(miniblocks) || !in.varint(total) || !in.zigzag(first)) {
    error = "DELTA_BINARY_PACKED header truncated";
    return false;
  }
  if (block == 0 || block % 128 != 0 || block > kMaxBlockValues || miniblocks == 0 ||
      block % miniblocks != 0 || (block / miniblocks) % 32 != 0) {
    error = "bad DELTA_BINARY_PACKED block layout";
    return false;
  }
  if (total < count) {
    error = "DELTA_BINARY_PACKED holds fewer values than the page";
    return false;
  }
  const std::uint64_t per_miniblock = block / miniblocks;
  auto value = static_cast<std::uint64_t>(first);  // deltas wrap, so work unsigned
  std::size_t produced = 0;
  if (total > 0 && count > 0) {
    out.push_back(static_cast<std::int64_t>(value));
    ++produced;
  }
  // Read every block the header's total needs (not just `count`), so `used` is the true end.
  std::uint64_t remaining = total > 0 ? total - 1 : 0;
  std::vector<std::uint8_t> widths(miniblocks);
  while (remaining > 0) {
    std::int64_t min_delta = 0;
    if (!in.zigzag(min_delta) || in.left() < miniblocks) {
      error = "DELTA_BINARY_PACKED block header truncated";
      return false;
    }
    for (std::uint64_t m = 0; m < miniblocks; ++m) widths[m] = in.at()[m];
    in.skip(miniblocks);
    for (std::uint64_t m = 0; m < miniblocks && remaining > 0; ++m) {
      const int width = widths[m];
      if (width > 64) {
        error = "DELTA_BINARY_PACKED bit width above 64";
        return false;
      }
      const std::size_t bytes = static_cast<std::size_t>(per_miniblock) * static_cast<std::size_t>(width) / 8;
      if (in.left() < bytes) {
        error = "DELTA_BINARY_PACKED miniblock truncated";
        return false;
      }
      const std::uint64_t n = std::min(per_miniblock, remaining);
      // Only the values the page needs are computed; the rest of the stream is skipped by size.
      const std::uint64_t wanted = std::min<std::uint64_t>(n, count - produced);
      for (std::uint64_t k = 0; k < wanted; ++k) {
        const std::uint64_t delta =
            width == 0
                ? 0
                : bits_at(in.at(), static_cast<std::size_t>(k) * static_cast<std::size_t>(width), width);
        value += static_cast<std::uint64_t>(min_delta) + delta;
        out.push_back(static_cast<std::int64_t>(value));
        ++produced;
      }
      in.skip(bytes);
      remaining -= n;
    }
  }
  used = in.pos();
  return true;
}

}  // namespace dwh::parquet
