// The transform's landed-object reader: concatenated gzip members / zstd frames cut anywhere
// (even mid-line) come back as whole lines, chunk by chunk, with readable padding; size and
// SHA-256 are checked against what the ingest manifest says; truncation is an error.
#include <gtest/gtest.h>

#include <random>

#include "../../jobs/transform/src/internal.hpp"
#include "dwh/aws/sigv4.hpp"
#include "dwh/stores/compression.hpp"
#include "dwh/stores/object_store.hpp"
#include "process.hpp"

namespace dwh::transform::detail {
namespace {

std::string make_lines(int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"id": )" + std::to_string(i) + R"(, "text": ")" +
           std::string(rng() % 300, 'a' + static_cast<char>(i % 26)) + "\"}\n";
  }
  return out;
}

// Compresses `text` in pieces of random size (cut anywhere), one member/frame each.
std::string compress_pieces(stores::Compression c, const std::string& text, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t n = std::min<std::size_t>(text.size() - pos, 1 + rng() % 50000);
    EXPECT_TRUE(stores::compress_chunk(c, std::string_view(text).substr(pos, n), out));
    pos += n;
  }
  return out;
}

struct Stored {
  std::unique_ptr<stores::ObjectStore> store;
  InputObject object;
};

Stored store_object(stores::Compression c, const std::string& bytes) {
  Stored s;
  s.store = stores::open_store("file://" + test::make_temp_dir("transform-input")).value();
  s.object.key = "t/2026/11/21/x.jsonl";
  s.object.compression = c;
  s.object.size = bytes.size();
  s.object.sha256 = aws::sigv4::sha256_hex(bytes);
  EXPECT_TRUE(s.store->put(s.object.key, bytes));
  return s;
}

Result<std::string> read_all(Stored& s, std::size_t chunk_bytes, int* chunks = nullptr) {
  ObjectReader reader(*s.store, s.object, chunk_bytes);
  std::string out;
  Chunk c;
  for (;;) {
    auto more = reader.next(c);
    if (!more) return std::move(more).error();
    if (!*more) break;
    EXPECT_GE(c.capacity, c.size + kJsonPadding);
    const std::string_view text(c.data.get(), c.size);
    EXPECT_EQ(text.back(), '\n');  // whole lines only (the test data ends with a newline)
    for (std::size_t i = 0; i < kJsonPadding; ++i) EXPECT_EQ(c.data[c.size + i], '\0');
    out.append(text);
    if (chunks) ++*chunks;
  }
  return out;
}

TEST(TransformInput, GzipMembersCutMidLineComeBackAsWholeLines) {
  const std::string text = make_lines(20000, 1);
  auto s = store_object(stores::Compression::Gzip, compress_pieces(stores::Compression::Gzip, text, 2));
  int chunks = 0;
  auto got = read_all(s, 64 << 10, &chunks);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, text);
  EXPECT_GT(chunks, 10);
}

TEST(TransformInput, ZstdFramesCutMidLineComeBackAsWholeLines) {
  const std::string text = make_lines(20000, 3);
  auto s = store_object(stores::Compression::Zstd, compress_pieces(stores::Compression::Zstd, text, 4));
  auto got = read_all(s, 50000);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, text);
}

TEST(TransformInput, LineLongerThanAChunk) {
  const std::string text = "{\"a\": \"" + std::string(300000, 'x') + "\"}\n{\"b\": 1}\n";
  auto s = store_object(stores::Compression::Gzip, compress_pieces(stores::Compression::Gzip, text, 5));
  auto got = read_all(s, 4096);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(*got, text);
}

TEST(TransformInput, SizeAndChecksumAreCheckedAgainstTheManifest) {
  const std::string bytes = compress_pieces(stores::Compression::Gzip, make_lines(100, 6), 7);
  {
    auto s = store_object(stores::Compression::Gzip, bytes);
    s.object.sha256 = std::string(64, '0');
    auto got = read_all(s, 4096);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, "LandingCorrupt");
    EXPECT_NE(got.error().message.find(s.object.key), std::string::npos);
    EXPECT_NE(got.error().message.find("SHA-256"), std::string::npos);
  }
  {
    auto s = store_object(stores::Compression::Gzip, bytes);
    s.object.size = bytes.size() + 1;
    auto got = read_all(s, 4096);
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, "LandingCorrupt");
    EXPECT_NE(got.error().message.find("size"), std::string::npos);
  }
}

TEST(TransformInput, TruncatedOrGarbledStreamsAreErrors) {
  for (const auto c : {stores::Compression::Gzip, stores::Compression::Zstd}) {
    const std::string bytes = compress_pieces(c, make_lines(2000, 8), 9);
    auto truncated = store_object(c, bytes.substr(0, bytes.size() - 10));
    auto got = read_all(truncated, 4096);
    ASSERT_FALSE(got) << stores::compression_name(c);
    EXPECT_EQ(got.error().code, "LandingCorrupt");
    if (c == stores::Compression::Gzip) {  // gzip carries a CRC; ingest's zstd frames carry none
      std::string garbled = bytes;
      garbled[garbled.size() / 2] ^= 0x5a;
      auto bad = store_object(c, garbled);
      bad.object.sha256.clear();  // the stream itself must be found bad
      got = read_all(bad, 4096);
      ASSERT_FALSE(got);
    }
  }
}

}  // namespace
}  // namespace dwh::transform::detail
