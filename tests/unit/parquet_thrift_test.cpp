// Thrift compact protocol: the bytes the encoder writes (checked by hand against the compact
// protocol spec) and the decoder's handling of good, unknown and malformed input.
#include <gtest/gtest.h>

#include <string>

#include "../../jobs/parquet/src/format/thrift.hpp"

namespace dwh::parquet::thrift {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

TEST(ParquetThrift, EncodesFieldHeadersValuesAndLists) {
  std::string out;
  Encoder e(out);
  e.begin_struct();
  e.field_i32(1, 1);        // delta 1, type 5; zigzag(1) = 2
  e.field_i64(3, -1);       // delta 2, type 6; zigzag(-1) = 1
  e.field_binary(4, "ab");  // delta 1, type 8; length 2
  e.field_bool(5, true);    // delta 1, type 1 (true in the header)
  e.field_bool(6, false);   // delta 1, type 2
  e.field_i32(40, 300);     // delta 34 > 15: type byte, then zigzag(40) = 80; zigzag(300) = 600 = 0xd8 0x04
  e.field_list_begin(41, Type::I32, 2);  // delta 1, type 9; size 2 << 4 | 5
  e.i32(-2);                             // zigzag 3
  e.i32(64);                             // zigzag 128 = 0x80 0x01
  e.field_struct_begin(42);              // delta 1, type 12
  e.field_i8(1, -1);                     // delta 1, type 3; raw byte
  e.end_struct();
  e.end_struct();
  EXPECT_EQ(out, bytes({0x15, 0x02, 0x26, 0x01, 0x18, 0x02, 'a',  'b',  0x11, 0x12, 0x05, 80,
                        0xd8, 0x04, 0x19, 0x25, 0x03, 0x80, 0x01, 0x1c, 0x13, 0xff, 0x00, 0x00}));

  Decoder d(out);
  d.begin_struct();
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.field_id(), 1);
  EXPECT_EQ(d.read_i32(), 1);
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.read_i64(), -1);
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.read_binary(), "ab");
  ASSERT_TRUE(d.next_field());
  EXPECT_TRUE(d.read_bool());
  ASSERT_TRUE(d.next_field());
  EXPECT_FALSE(d.read_bool());
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.field_id(), 40);
  EXPECT_EQ(d.read_i32(), 300);
  ASSERT_TRUE(d.next_field());
  Type element{};
  ASSERT_EQ(d.read_list_begin(element), 2u);
  EXPECT_EQ(element, Type::I32);
  EXPECT_EQ(d.list_i32(), -2);
  EXPECT_EQ(d.list_i32(), 64);
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.field_id(), 42);
  d.skip();  // an unknown nested struct
  EXPECT_FALSE(d.next_field());
  d.end_struct();
  EXPECT_TRUE(d.ok()) << d.error();
  EXPECT_EQ(d.position(), out.size());
}

TEST(ParquetThrift, LongListsAndNegativeFieldDeltas) {
  std::string out;
  Encoder e(out);
  e.begin_struct();
  e.field_i32(5, 0);
  e.field_list_begin(2, Type::Binary, 20);  // going back: full header; size >= 15: 0xf8 then varint 20
  for (int i = 0; i < 20; ++i) e.binary(std::to_string(i));
  e.end_struct();
  EXPECT_EQ(out.substr(0, 5), bytes({0x55, 0x00, 0x09, 0x04, 0xf8}));
  EXPECT_EQ(static_cast<unsigned char>(out[5]), 20);

  Decoder d(out);
  d.begin_struct();
  ASSERT_TRUE(d.next_field());
  d.skip();
  ASSERT_TRUE(d.next_field());
  EXPECT_EQ(d.field_id(), 2);
  Type element{};
  ASSERT_EQ(d.read_list_begin(element), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.list_binary(), std::to_string(i));
  EXPECT_FALSE(d.next_field());
  EXPECT_TRUE(d.ok()) << d.error();
}

TEST(ParquetThrift, MalformedInputIsAnErrorNotACrash) {
  {
    const std::string input = bytes({0x18, 0x7f});
    Decoder d(input);  // binary of length 127 with no bytes behind it
    d.begin_struct();
    ASSERT_TRUE(d.next_field());
    EXPECT_EQ(d.read_binary(), "");
    EXPECT_FALSE(d.ok());
    EXPECT_NE(d.error().find("runs past the end"), std::string::npos) << d.error();
  }
  {
    const std::string input = bytes({0x19, 0xf5, 0xff, 0xff, 0xff, 0x0f});
    Decoder d(input);  // a list claiming 2^32 - 1 elements
    d.begin_struct();
    ASSERT_TRUE(d.next_field());
    Type element{};
    EXPECT_EQ(d.read_list_begin(element), 0u);
    EXPECT_FALSE(d.ok());
  }
  {
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += bytes({0x1c});  // struct in struct in struct ...
    Decoder d(deep);
    d.begin_struct();
    ASSERT_TRUE(d.next_field());
    d.skip();
    EXPECT_FALSE(d.ok());
    EXPECT_NE(d.error().find("nested too deeply"), std::string::npos) << d.error();
  }
  {
    const std::string input = bytes({0x15, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
    Decoder d(input);  // 11-byte varint
    d.begin_struct();
    ASSERT_TRUE(d.next_field());
    d.read_i32();
    EXPECT_FALSE(d.ok());
  }
  {
    const std::string input = bytes({0x16, 0x02});
    Decoder d(input);  // an i64 field read as i32
    d.begin_struct();
    ASSERT_TRUE(d.next_field());
    d.read_i32();
    EXPECT_FALSE(d.ok());
  }
  {
    const std::string input = bytes({0x1d});
    Decoder d(input);  // field type 13 does not exist
    d.begin_struct();
    EXPECT_FALSE(d.next_field());
    EXPECT_FALSE(d.ok());
  }
}

}  // namespace
}  // namespace dwh::parquet::thrift
