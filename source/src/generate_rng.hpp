#pragma once
// Counter-based random streams: every generated entity (order k, address i, ...) gets its own
// stream, derived from (seed, kind, index). A row's values then depend on nothing but the seed
// and its index, so chunks can be generated in any order, by any thread, and the output stays
// the same. SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and statistically sound for this.
#include <cstdint>

namespace dwh::source::gen {

enum class Stream : std::uint64_t {
  Order = 1,
  Address = 2,
  Counterparty = 3,
  Design = 4,
  SettlementTime = 5,
};

inline constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  constexpr Rng(std::uint64_t seed, Stream stream, std::uint64_t index)
      : state_(mix64(mix64(seed + static_cast<std::uint64_t>(stream) * 0x9E3779B97F4A7C15ULL) +
                     index * 0xD1B54A32D192ED03ULL)) {}

  constexpr std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    return mix64(state_);
  }
  // Uniform in [0, n) for n < 2^32 (Lemire's multiply-shift; its bias is below 2^-32 * n).
  constexpr std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
  }
  // Uniform in [lo, hi].
  constexpr std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + below(static_cast<std::uint32_t>(hi - lo + 1));
  }
  // True with probability per_million / 1e6.
  constexpr bool chance(std::uint32_t per_million) { return below(1'000'000) < per_million; }

 private:
  std::uint64_t state_;
};

}  // namespace dwh::source::gen
