// S3's pure rules: bucket and key validation, key encoding, addressing style, part sizing
// and the digests sent for integrity.
#include <gtest/gtest.h>

#include <string>

#include "dwh/aws/s3.hpp"

namespace s3 = dwh::aws::s3;
using dwh::aws::Endpoint;

namespace {

std::string bucket_error(std::string_view name) {
  auto s = s3::validate_bucket_name(name);
  if (s.ok()) return "ok";
  EXPECT_EQ(s.error().code, "InvalidBucketName");
  EXPECT_NE(s.error().message.find(std::string(name)), std::string::npos) << "message names the bucket";
  return s.error().message;
}

TEST(S3Names, AcceptsValidBucketNames) {
  for (const char* name : {"abc", "my-bucket", "my.bucket.name", "b123", "0start", "a-b.c-d",
                           "a23456789012345678901234567890123456789012345678901234567890123"}) {
    EXPECT_EQ(bucket_error(name), "ok") << name;
  }
}

TEST(S3Names, RejectsInvalidBucketNamesNamingTheRule) {
  struct Case {
    const char* name;
    const char* rule;
  };
  const Case cases[] = {
      {"ab", "3 to 63 characters"},
      {"a234567890123456789012345678901234567890123456789012345678901234", "3 to 63 characters"},
      {"My-Bucket", "only lowercase letters, digits, dots and hyphens"},
      {"my_bucket", "only lowercase letters, digits, dots and hyphens"},
      {"my bucket", "only lowercase letters, digits, dots and hyphens"},
      {"-bucket", "begin and end with a lowercase letter or digit"},
      {"bucket-", "begin and end with a lowercase letter or digit"},
      {"bucket.", "begin and end with a lowercase letter or digit"},
      {"my..bucket", "two adjacent dots"},
      {"192.168.5.4", "IP address"},
      {"xn--bucket", "reserved prefix \"xn--\""},
      {"sthree-bucket", "reserved prefix \"sthree-\""},
      {"amzn-s3-demo-bucket", "reserved prefix \"amzn-s3-demo-\""},
      {"bucket-s3alias", "reserved suffix \"-s3alias\""},
      {"bucket--ol-s3", "reserved suffix \"--ol-s3\""},
      {"bucket.mrap", "reserved suffix \".mrap\""},
      {"bucket--x-s3", "reserved suffix \"--x-s3\""},
  };
  for (const auto& c : cases) {
    const std::string message = bucket_error(c.name);
    EXPECT_NE(message.find(c.rule), std::string::npos) << c.name << ": " << message;
  }
}

TEST(S3Names, KeyMustBeNonEmpty) {
  auto s = s3::validate_key("");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "InvalidKey");
  EXPECT_NE(s.error().message.find("empty"), std::string::npos);
}

TEST(S3Names, KeyLimitIs1024BytesOfUtf8) {
  EXPECT_TRUE(s3::validate_key(std::string(1024, 'k')).ok());
  auto too_long = s3::validate_key(std::string(1025, 'k'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, "KeyTooLongError");
  EXPECT_NE(too_long.error().message.find("1025 bytes"), std::string::npos) << too_long.error().message;

  // 342 euro signs are 342 characters but 1,026 bytes.
  std::string euros;
  for (int i = 0; i < 342; ++i) euros += "\xE2\x82\xAC";
  auto s = s3::validate_key(euros);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("1026 bytes"), std::string::npos) << s.error().message;
  EXPECT_TRUE(s3::validate_key(euros.substr(0, 1023)).ok());  // 341 characters, 1,023 bytes
}

TEST(S3Names, KeyMustBeUtf8) {
  for (std::string bad : {std::string("a\xFF"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                          std::string("\xE2\x82")}) {
    auto s = s3::validate_key(bad);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("UTF-8"), std::string::npos);
  }
  EXPECT_TRUE(s3::validate_key("d\xC3\xA9j\xC3\xA0/\xF0\x9F\x98\x80.txt").ok());
}

TEST(S3Names, EncodeKeyKeepsUnreservedAndSlash) {
  EXPECT_EQ(s3::encode_key("a/b/c.txt"), "a/b/c.txt");
  EXPECT_EQ(s3::encode_key("A-Z_a~z.0"), "A-Z_a~z.0");
  EXPECT_EQ(s3::encode_key("a b+c=d&e?f#g%h"), "a%20b%2Bc%3Dd%26e%3Ff%23g%25h");
  EXPECT_EQ(s3::encode_key("caf\xC3\xA9/x"), "caf%C3%A9/x");
  EXPECT_EQ(s3::encode_key("//x//"), "//x//");
  EXPECT_EQ(s3::encode_key("a*b!c'd(e)f"), "a%2Ab%21c%27d%28e%29f");
}

TEST(S3Names, CopySourceIsBucketSlashEncodedKey) {
  EXPECT_EQ(s3::copy_source("src", "dir/a b.txt"), "src/dir/a%20b.txt");
  EXPECT_EQ(s3::copy_source("src", "k+1", "v1/2"), "src/k%2B1?versionId=v1/2");
}

TEST(S3Names, VirtualHostOnStandardEndpoints) {
  const Endpoint aws{"https://s3.eu-west-1.amazonaws.com", false, "test"};
  auto a = s3::address(aws, false, "my-bucket", "dir/file 1.txt");
  EXPECT_EQ(a.endpoint, "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(a.path, "/dir/file%201.txt");
  auto b = s3::address(aws, false, "my-bucket");
  EXPECT_EQ(b.endpoint, "https://my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(b.path, "/");
}

TEST(S3Names, PathStyleWhenForcedCustomOrDotted) {
  const Endpoint aws{"https://s3.eu-west-1.amazonaws.com", false, "test"};
  auto forced = s3::address(aws, true, "my-bucket", "k");
  EXPECT_EQ(forced.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(forced.path, "/my-bucket/k");

  // A dotted name would not match the *.s3 wildcard certificate.
  auto dotted = s3::address(aws, false, "my.bucket", "k");
  EXPECT_EQ(dotted.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(dotted.path, "/my.bucket/k");
  EXPECT_TRUE(s3::use_virtual_host(aws, false, "my-bucket"));

  const Endpoint local{"http://127.0.0.1:4568", true, "test"};
  auto custom = s3::address(local, false, "my-bucket", "a/b");
  EXPECT_EQ(custom.endpoint, "http://127.0.0.1:4568");
  EXPECT_EQ(custom.path, "/my-bucket/a/b");
  EXPECT_EQ(s3::address(local, false, "my-bucket").path, "/my-bucket");
  EXPECT_EQ(s3::address(local, false, "").path, "/");

  const Endpoint based{"http://proxy.local:8080/s3/", true, "test"};
  auto with_base = s3::address(based, false, "b1b", "k");
  EXPECT_EQ(with_base.endpoint, "http://proxy.local:8080");
  EXPECT_EQ(with_base.path, "/s3/b1b/k");
}

TEST(S3Names, PartSizeFitsKnownTotalInto10000Parts) {
  constexpr std::uint64_t kMiB = 1ull << 20;
  EXPECT_EQ(s3::part_size_for(1, 8 * kMiB, 64 * kMiB, true), 8 * kMiB);
  // 100 GiB / 10,000 = 10.24 MiB: rounded up to 11 MiB.
  const std::uint64_t total = 100ull << 30;
  const auto size = s3::part_size_for(1, 8 * kMiB, total, true);
  EXPECT_EQ(size, 11 * kMiB);
  EXPECT_LE((total + size - 1) / size, 10000u);
  EXPECT_EQ(s3::part_size_for(9999, 8 * kMiB, total, true), size) << "fixed for every part";
  // Below the minimum is raised; above the maximum is capped.
  EXPECT_EQ(s3::part_size_for(1, 1, std::nullopt, false), s3::kMinPartSize);
  EXPECT_EQ(s3::part_size_for(1, 8 * kMiB, 5ull << 40, true), 525 * kMiB);  // 5 TiB, S3's largest object
  EXPECT_EQ(s3::part_size_for(1, 8 * kMiB, 60ull << 40, true), s3::kMaxPartSize);
}

TEST(S3Names, PartSizeGrowsForStreamsOfUnknownLength) {
  constexpr std::uint64_t base = 5ull << 20;
  EXPECT_EQ(s3::part_size_for(1, base, std::nullopt, true), base);
  EXPECT_EQ(s3::part_size_for(1000, base, std::nullopt, true), base);
  EXPECT_EQ(s3::part_size_for(1001, base, std::nullopt, true), 2 * base);
  EXPECT_EQ(s3::part_size_for(2001, base, std::nullopt, true), 4 * base);
  EXPECT_EQ(s3::part_size_for(10000, base, std::nullopt, true), 512 * base);
  EXPECT_EQ(s3::part_size_for(10000, 100 * base, std::nullopt, true), s3::kMaxPartSize);
  EXPECT_EQ(s3::part_size_for(10000, base, std::nullopt, false), base);
  std::uint64_t capacity = 0;
  for (int n = 1; n <= s3::kMaxParts; ++n) capacity += s3::part_size_for(n, base, std::nullopt, true);
  EXPECT_GT(capacity, 4ull << 40) << "over 4 TiB fit in 10,000 growing parts";
}

TEST(S3Names, DigestsMatchKnownVectors) {
  EXPECT_EQ(s3::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(s3::md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(s3::md5_hex("The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(s3::sha256_base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(s3::sha256_base64("abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
}

}  // namespace
