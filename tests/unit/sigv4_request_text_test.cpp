// Raw request text (AWS SigV4 test-suite form) into a Signable, and the presigned URL.
#include "dwh/aws/sigv4_request_text.hpp"

#include <gtest/gtest.h>

namespace {

using namespace dwh::aws;

RawHttpRequest parse_ok(std::string_view text) {
  auto r = parse_request_text(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : RawHttpRequest{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_request_text(text);
  return r.ok() ? "(parsed)" : r.error().message;
}

TEST(SigV4RequestText, ParsesRequestLineHeadersAndBody) {
  const auto r =
      parse_ok("POST /a/b?x=1&y=%20z HTTP/1.1\nHost:example.com\nContent-Type: text/plain\n\nbody\nmore");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/a/b");
  EXPECT_EQ(r.query, (QueryList{{"x", "1"}, {"y", " z"}}));
  EXPECT_EQ(r.headers, (HeaderList{{"Host", "example.com"}, {"Content-Type", " text/plain"}}));
  EXPECT_EQ(r.body, "body\nmore");
  EXPECT_EQ(r.header("content-type"), " text/plain");
  EXPECT_FALSE(r.header("range").has_value());
}

TEST(SigV4RequestText, AcceptsCrLfAndKeepsTheBodyBytes) {
  const auto r = parse_ok("PUT / HTTP/1.1\r\nHost:h\r\n\r\nline\r\n");
  EXPECT_EQ(r.headers, (HeaderList{{"Host", "h"}}));
  EXPECT_EQ(r.body, "line\r\n");
}

TEST(SigV4RequestText, NoBlankLineMeansNoBody) {
  const auto r = parse_ok("GET / HTTP/1.1\nHost:h");
  EXPECT_EQ(r.headers.size(), 1u);
  EXPECT_TRUE(r.body.empty());
}

TEST(SigV4RequestText, TargetMayContainSpaces) {
  const auto r = parse_ok("GET /example space/ HTTP/1.1\nHost:h\n");
  EXPECT_EQ(r.path, "/example space/");
}

TEST(SigV4RequestText, FoldedLinesAndRepeatedNamesBecomeSeparateValues) {
  const auto r = parse_ok("GET / HTTP/1.1\nMy-Header1:value1\n  value2\n\t value3\nmy-header1:value4\n");
  EXPECT_EQ(r.headers, (HeaderList{{"My-Header1", "value1"},
                                   {"My-Header1", "value2"},
                                   {"My-Header1", "value3"},
                                   {"my-header1", "value4"}}));
  EXPECT_EQ(sigv4::canonical_headers(r.headers), "my-header1:value1,value2,value3,value4\n");
}

TEST(SigV4RequestText, RejectsMalformedInputNamingTheLine) {
  EXPECT_NE(parse_error("GET /").find("line 1"), std::string::npos);
  EXPECT_NE(parse_error("GET / FOO").find("HTTP version"), std::string::npos);
  EXPECT_NE(parse_error("GET example.com/ HTTP/1.1").find("start with '/'"), std::string::npos);
  EXPECT_NE(parse_error("GET / HTTP/1.1\nHost h").find("line 2"), std::string::npos);
  EXPECT_NE(parse_error("GET / HTTP/1.1\n  folded").find("folded"), std::string::npos);
  EXPECT_NE(parse_error("GET / HTTP/1.1\nHost:h\nBad Name:v").find("line 3"), std::string::npos);
  EXPECT_NE(parse_error("").find("line 1"), std::string::npos);
}

TEST(SigV4DecodeQuery, SplitsDecodesAndKeepsPlusAndBadEscapes) {
  EXPECT_EQ(decode_query("a=1&&b&c=x=y&d=%41%zz%4&e=a+b&"),
            (QueryList{{"a", "1"}, {"b", ""}, {"c", "x=y"}, {"d", "A%zz%4"}, {"e", "a+b"}}));
  EXPECT_TRUE(decode_query("").empty());
  EXPECT_EQ(decode_query("%E1%88%B4=bar"), (QueryList{{"\xE1\x88\xB4", "bar"}}));
}

TEST(SigV4ToSignable, PayloadHashFromHeaderThenFallbackThenBody) {
  auto r = parse_ok("PUT / HTTP/1.1\nHost:h\n\nabc");
  EXPECT_EQ(to_signable(r).payload_hash, sigv4::sha256_hex("abc"));
  EXPECT_EQ(to_signable(r, kUnsignedPayload).payload_hash, kUnsignedPayload);
  r.headers.emplace_back("X-Amz-Content-SHA256", " UNSIGNED-PAYLOAD ");
  EXPECT_EQ(to_signable(r, "ignored").payload_hash, kUnsignedPayload);
}

TEST(SigV4SignOptions, MapToTheSigningConfig) {
  SignOptions o;
  o.service = "s3";
  o.region = "eu-west-1";
  o.s3 = true;
  auto cfg = signing_config(o);
  EXPECT_FALSE(cfg.normalize_path);
  EXPECT_FALSE(cfg.double_uri_encode);
  EXPECT_TRUE(cfg.sign_payload_hash_header);
  EXPECT_EQ(cfg.location, SignatureLocation::Headers);

  o = SignOptions{};
  o.service = "iam";
  o.no_normalize_path = true;
  o.presign = std::chrono::seconds(900);
  cfg = signing_config(o);
  EXPECT_EQ(cfg.service, "iam");
  EXPECT_FALSE(cfg.normalize_path);
  EXPECT_FALSE(cfg.double_uri_encode);
  EXPECT_FALSE(cfg.sign_payload_hash_header);
  EXPECT_EQ(cfg.location, SignatureLocation::Query);
  EXPECT_EQ(cfg.expires.count(), 900);

  // Presigning for S3 signs UNSIGNED-PAYLOAD; presigning elsewhere signs the body hash.
  const auto r = parse_ok("GET / HTTP/1.1\nHost:h\n");
  EXPECT_EQ(to_signable(r, o).payload_hash, kEmptyPayloadSha256);
  o.s3 = true;
  EXPECT_EQ(to_signable(r, o).payload_hash, kUnsignedPayload);
}

TEST(SigV4PresignedUrl, EncodesTheQueryThenTheAuthParameters) {
  const auto r = parse_ok("GET /k%20y?b=2&a=x%2Fy HTTP/1.1\nHost: bucket.example.com \n");
  SigningResult s;
  s.added_query = {{"X-Amz-Credential", "AK/20150830/r/s3/aws4_request"}, {"X-Amz-Signature", "ab"}};
  auto url = presigned_url(r, s);
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(
      *url,
      "https://bucket.example.com/k%20y?b=2&a=x%2Fy&X-Amz-Credential=AK%2F20150830%2Fr%2Fs3%2Faws4_request"
      "&X-Amz-Signature=ab");
  const auto no_host = parse_ok("GET / HTTP/1.1\n");
  EXPECT_FALSE(presigned_url(no_host, s).ok());
}

}  // namespace
