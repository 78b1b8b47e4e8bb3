// The RLE / bit-packing hybrid against the examples of Parquet's Encodings.md, and round trips.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../../jobs/parquet/src/encodings/rle.hpp"

namespace dwh::parquet {
namespace {

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

TEST(ParquetRle, BitPackedGroupMatchesTheSpecExample) {
  // Encodings.md: 0..7 with bit width 3 pack to 10001000 11000110 11111010; one group of 8: header 0x03.
  const std::vector<std::uint32_t> values{0, 1, 2, 3, 4, 5, 6, 7};
  std::string out;
  rle_encode(values.data(), values.size(), 3, out);
  EXPECT_EQ(hex(out), "0388c6fa");
}

TEST(ParquetRle, RepeatedRunUsesRleWithLittleEndianValue) {
  const std::vector<std::uint32_t> values(100, 300);  // width 9: the value takes 2 bytes
  std::string out;
  rle_encode(values.data(), values.size(), 9, out);
  EXPECT_EQ(hex(out), "c8012c01");  // header varint(100 << 1) = c8 01, value 0x012c little-endian
}

TEST(ParquetRle, ShortTailIsPaddedToAGroup) {
  const std::vector<std::uint32_t> values{1, 0, 1};
  std::string out;
  rle_encode(values.data(), values.size(), 1, out);
  EXPECT_EQ(hex(out), "0305");  // one group, bits 1,0,1 then zero padding
}

TEST(ParquetRle, RoundTripsRandomRunsAtEveryWidth) {
  std::mt19937_64 rng(42);
  for (int width = 0; width <= 32; ++width) {
    const std::uint64_t limit = width == 32 ? 0xffffffffull : (1ull << width) - 1;
    std::vector<std::uint32_t> values;
    while (values.size() < 5000) {
      const auto v = static_cast<std::uint32_t>(limit == 0 ? 0 : rng() % (limit + 1));
      const std::size_t run = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      values.insert(values.end(), run, v);
    }
    std::string out;
    rle_encode(values.data(), values.size(), width, out);
    std::vector<std::uint32_t> back(values.size());
    RleDecoder d(out, width);
    ASSERT_TRUE(d.get(back.data(), back.size())) << "width " << width << ": " << d.error();
    EXPECT_EQ(back, values) << "width " << width;
  }
}

TEST(ParquetRle, DecoderRejectsMalformedRuns) {
  std::uint32_t out[16];
  {
    const std::string input("\x10", 1);
    RleDecoder d(input, 3);  // RLE run of 8 without its value byte
    EXPECT_FALSE(d.get(out, 8));
  }
  {
    const std::string input("\x10\x09", 2);
    RleDecoder d(input, 3);  // value 9 does not fit 3 bits
    EXPECT_FALSE(d.get(out, 8));
  }
  {
    const std::string input("\x10\x01", 2);
    RleDecoder d(input, 1);  // 8 values available, 9 asked for
    EXPECT_FALSE(d.get(out, 9));
  }
  {
    const std::string input("\x00\x00", 2);
    RleDecoder d(input, 1);  // zero-length run would never end
    EXPECT_FALSE(d.get(out, 1));
  }
  {
    const std::string input("\x03", 1);
    RleDecoder d(input, 33);
    EXPECT_FALSE(d.get(out, 1));
  }
}

TEST(ParquetRle, BitPackedBooleansAreLsbFirst) {
  const std::vector<std::uint8_t> values{1, 0, 0, 0, 0, 0, 0, 1, 1};
  std::string out;
  bit_pack_bools(values.data(), values.size(), out);
  EXPECT_EQ(hex(out), "8101");
}

}  // namespace
}  // namespace dwh::parquet
