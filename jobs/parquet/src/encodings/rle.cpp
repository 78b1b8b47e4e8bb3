#include "encodings/rle.hpp"

#include <algorithm>
#include <bit>

namespace dwh::parquet {
namespace {

constexpr std::size_t kGroup = 8;             // values per bit-packed group
constexpr std::size_t kMaxGroupsPerRun = 63;  // keeps the run header to one byte
constexpr std::size_t kMinRepeat = 8;

void put_varint(std::uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::size_t repeat_length(const std::uint32_t* v, std::size_t i, std::size_t n, std::size_t cap) {
  std::size_t j = i + 1;
  while (j < n && j - i < cap && v[j] == v[i]) ++j;
  return j - i;
}

// Bit-packs values[start, start + groups * 8), treating indexes >= n as 0.
void pack_groups(const std::uint32_t* values, std::size_t start, std::size_t groups, std::size_t n, int width,
                 std::string& out) {
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::size_t k = start; k < start + groups * kGroup; ++k) {
    const std::uint64_t v = k < n ? values[k] : 0;
    acc |= v << bits;
    bits += width;
    while (bits >= 8) {
      out.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  // groups * 8 * width is a whole number of bytes, so nothing is left over.
}

}  // namespace

int bit_width(std::uint64_t max_value) {
  return max_value == 0 ? 0 : 64 - std::countl_zero(max_value);
}

void rle_encode(const std::uint32_t* values, std::size_t n, int width, std::string& out) {
  const std::size_t value_bytes = (static_cast<std::size_t>(width) + 7) / 8;
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = repeat_length(values, i, n, SIZE_MAX);
    if (run >= kMinRepeat) {
      put_varint(static_cast<std::uint64_t>(run) << 1, out);
      for (std::size_t b = 0; b < value_bytes; ++b)
        out.push_back(static_cast<char>((values[i] >> (8 * b)) & 0xff));
      i += run;
      continue;
    }
    const std::size_t start = i;
    std::size_t groups = 0;
    while (i < n && groups < kMaxGroupsPerRun) {
      if (groups > 0 && repeat_length(values, i, n, kMinRepeat) >= kMinRepeat) break;
      i += kGroup;
      ++groups;
    }
    put_varint((static_cast<std::uint64_t>(groups) << 1) | 1, out);
    pack_groups(values, start, groups, n, width, out);
    i = std::min(i, n);
  }
}

void bit_pack_bools(const std::uint8_t* values, std::size_t count, std::string& out) {
  const std::size_t base = out.size();
  out.resize(base + (count + 7) / 8, '\0');
  for (std::size_t k = 0; k < count; ++k) {
    if (values[k]) out[base + k / 8] = static_cast<char>(out[base + k / 8] | (1 << (k % 8)));
  }
}

bool RleDecoder::next_run() {
  std::uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (shift > 63 || pos_ >= data_.size()) {
      error_ = "RLE data truncated";
      return false;
    }
    const auto b = static_cast<std::uint8_t>(data_[pos_++]);
    header |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (header & 1) {
    const std::uint64_t groups = header >> 1;
    if (groups == 0) {
      error_ = "empty bit-packed run";
      return false;
    }
    literal_ = true;
    literal_start_ = pos_;
    literal_bit_ = 0;
    // A writer may stop the last run's bytes early; count only the values whose bits are there.
    const std::uint64_t bytes_left = data_.size() - pos_;
    const std::uint64_t needed = groups * static_cast<std::uint64_t>(bit_width_);  // groups * 8 * w / 8
    const std::uint64_t available =
        bit_width_ == 0 ? groups * kGroup
                        : std::min(needed, bytes_left) * 8 / static_cast<std::uint64_t>(bit_width_);
    remaining_ = std::min<std::uint64_t>(groups * kGroup, available);
    pos_ += static_cast<std::size_t>(std::min(needed, bytes_left));
    if (remaining_ == 0) {
      error_ = "bit-packed run truncated";
      return false;
    }
    return true;
  }
  literal_ = false;
  remaining_ = header >> 1;
  if (remaining_ == 0) {
    error_ = "empty RLE run";
    return false;
  }
  const std::size_t value_bytes = (static_cast<std::size_t>(bit_width_) + 7) / 8;
  if (data_.size() - pos_ < value_bytes) {
    error_ = "RLE run value truncated";
    return false;
  }
  std::uint64_t v = 0;
  for (std::size_t b = 0; b < value_bytes; ++b)
    v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(data_[pos_ + b])) << (8 * b);
  pos_ += value_bytes;
  if (bit_width_ < 64 && (v >> bit_width_) != 0) {
    error_ = "RLE run value exceeds the bit width";
    return false;
  }
  repeated_ = static_cast<std::uint32_t>(v);
  return true;
}

bool RleDecoder::get(std::uint32_t* out, std::size_t count) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    error_ = "bit width above 32";
    return false;
  }
  std::size_t done = 0;
  while (done < count) {
    if (remaining_ == 0 && !next_run()) return false;
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, count - done));
    if (!literal_) {
      std::fill(out + done, out + done + take, repeated_);
    } else {
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(data_.data()) + literal_start_;
      const std::uint64_t mask = bit_width_ == 32 ? 0xffffffffull : ((1ull << bit_width_) - 1);
      for (std::size_t k = 0; k < take; ++k) {
        std::uint64_t v = 0;
        const std::size_t bit = literal_bit_;
        // Up to 32 bits starting at any bit offset span at most 5 bytes; stay inside the run's bytes.
        const std::size_t first = bit / 8;
        const std::size_t last = (bit + static_cast<std::size_t>(bit_width_) + 7) / 8;
        for (std::size_t b = first; b < last; ++b)
          v |= static_cast<std::uint64_t>(bytes[b]) << (8 * (b - first));
        out[done + k] = static_cast<std::uint32_t>((v >> (bit % 8)) & mask);
        literal_bit_ += static_cast<std::size_t>(bit_width_);
      }
    }
    remaining_ -= take;
    done += take;
  }
  return true;
}

}  // namespace dwh::parquet
