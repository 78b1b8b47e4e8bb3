// The SigV4 steps on their own, against values from the AWS documentation, RFC 3986 and
// botocore (normalize_url_path was run on each path below). The golden cases and the
// botocore differential test cover the steps composed.
#include <gtest/gtest.h>

#include "dwh/aws/sigv4.hpp"

namespace {

using namespace dwh::aws;
using std::chrono::system_clock;

system_clock::time_point t20150830() {
  return sigv4::parse_amz_date("20150830T123600Z").value();
}

Credentials example_creds(std::string token = {}) {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = std::move(token);
  return c;
}

TEST(SigV4UriEncode, KeepsUnreservedAndEncodesTheRestInUpperHex) {
  EXPECT_EQ(sigv4::uri_encode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(sigv4::uri_encode("a b+c*d%e", true), "a%20b%2Bc%2Ad%25e");
  EXPECT_EQ(sigv4::uri_encode("\xE1\x88\xB4", true), "%E1%88%B4");
  EXPECT_EQ(sigv4::uri_encode("a/b", true), "a%2Fb");
  EXPECT_EQ(sigv4::uri_encode("a/b", false), "a/b");
  EXPECT_EQ(sigv4::uri_encode("", true), "");
}

TEST(SigV4NormalizePath, MatchesBotocoreNormalizeUrlPath) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "/"},
      {"/", "/"},
      {"//", "/"},
      {"/a/./b", "/a/b"},
      {"/a/../b", "/b"},
      {"/../a", "/a"},
      {"/a/b/..", "/a"},
      {"/a/b/../", "/a/"},
      {"/./", "/"},
      {"a/b", "a/b"},
      {"/%2E%2E/a", "/%2E%2E/a"},
      {"/a//b///c/", "/a/b/c/"},
      {"/a/b/../../..", "/"},
      {"/a/.../b", "/a/.../b"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(sigv4::normalize_path(in), want) << "path " << in;
}

TEST(SigV4CanonicalPath, StandardNormalisesAndDoubleEncodesS3KeepsTheWirePath) {
  const auto standard = SigningConfig::standard("us-east-1", "service", t20150830());
  const auto s3 = SigningConfig::s3("us-east-1", t20150830());
  EXPECT_EQ(sigv4::canonical_path("/a%20b/./c//d/..", standard), "/a%2520b/c");
  EXPECT_EQ(sigv4::canonical_path("/a%20b/./c//d/..", s3), "/a%20b/./c//d/..");
  auto only_normalize = standard;
  only_normalize.double_uri_encode = false;
  EXPECT_EQ(sigv4::canonical_path("/a%20b/../c", only_normalize), "/c");
}

TEST(SigV4CanonicalQuery, SortsByEncodedKeyThenValue) {
  // As (key, value) pairs, not as "key=value" strings: "a" sorts before "a-b" although
  // "a-b=1" < "a=1" as strings.
  EXPECT_EQ(sigv4::canonical_query({{"a-b", "1"}, {"a", "2"}, {"a", "1"}}), "a=1&a=2&a-b=1");
  // Sorted after encoding: "a b" becomes "a%20b", and '%' sorts before '-'.
  EXPECT_EQ(sigv4::canonical_query({{"a-b", "x"}, {"a b", "y z"}}), "a%20b=y%20z&a-b=x");
  EXPECT_EQ(sigv4::canonical_query({{"B", ""}, {"a", "="}}), "B=&a=%3D");
  EXPECT_EQ(sigv4::canonical_query({}), "");
}

TEST(SigV4CanonicalHeaders, LowerCasesSortsTrimsAndJoinsRepeatedNames) {
  const HeaderList headers = {{"My-Header", "  a \t b  "}, {"HOST", "example.com"}, {"my-header", "c"}};
  EXPECT_EQ(sigv4::canonical_headers(headers), "host:example.com\nmy-header:a b,c\n");
  EXPECT_EQ(sigv4::signed_headers(headers), "host;my-header");
  EXPECT_EQ(sigv4::canonical_header_value("\t"), "");
  EXPECT_EQ(sigv4::canonical_header_value("x\r\n y"), "x y");
}

TEST(SigV4HeadersToSign, HeaderSigningReplacesTheSignersOwnHeadersAndSkipsUnsignedOnes) {
  Signable req;
  req.headers = {{"Host", "h"},
                 {"User-Agent", "ua"},
                 {"Expect", "100-continue"},
                 {"X-Amzn-Trace-Id", "t"},
                 {"Authorization", "old"},
                 {"X-Amz-Date", "19990101T000000Z"},
                 {"X-Amz-Security-Token", "old-token"},
                 {"X-Amz-Content-SHA256", "old-hash"}};
  req.payload_hash = std::string(kUnsignedPayload);
  auto cfg = SigningConfig::s3("us-east-1", t20150830());
  const HeaderList got = sigv4::headers_to_sign(req, example_creds("new-token"), cfg);
  const HeaderList want = {{"host", "h"},
                           {"x-amz-date", "20150830T123600Z"},
                           {"x-amz-security-token", "new-token"},
                           {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  EXPECT_EQ(got, want);
}

TEST(SigV4HeadersToSign, WithoutATokenACallersTokenHeaderIsSignedAsIs) {
  Signable req;
  req.headers = {{"Host", "h"}, {"X-Amz-Security-Token", "callers"}};
  const auto cfg = SigningConfig::standard("us-east-1", "sts", t20150830());
  const HeaderList got = sigv4::headers_to_sign(req, example_creds(), cfg);
  const HeaderList want = {
      {"host", "h"}, {"x-amz-security-token", "callers"}, {"x-amz-date", "20150830T123600Z"}};
  EXPECT_EQ(got, want);
}

TEST(SigV4HeadersToSign, QuerySigningAddsNoHeaders) {
  Signable req;
  req.headers = {{"Host", "h"}, {"X-Amz-Date", "kept"}};
  auto cfg = SigningConfig::s3("us-east-1", t20150830());
  cfg.location = SignatureLocation::Query;
  const HeaderList got = sigv4::headers_to_sign(req, example_creds("tok"), cfg);
  const HeaderList want = {{"host", "h"}, {"x-amz-date", "kept"}};
  EXPECT_EQ(got, want);
}

TEST(SigV4Dates, FormatsAndParsesTheBasicIsoForm) {
  EXPECT_EQ(sigv4::amz_date(t20150830() + std::chrono::milliseconds(999)), "20150830T123600Z");
  EXPECT_EQ(sigv4::amz_date(system_clock::from_time_t(0)), "19700101T000000Z");
  for (const char* bad : {"20150230T000000Z", "2015-08-30T12:36:00Z", "20150830T123600", "20150830T126000Z",
                          "2015083OT123600Z", "", "20150830t123600z"}) {
    EXPECT_FALSE(sigv4::parse_amz_date(bad).has_value()) << bad;
  }
}

TEST(SigV4Scope, IsDateRegionServiceTerminator) {
  EXPECT_EQ(sigv4::scope(SigningConfig::standard("eu-west-1", "iam", t20150830())),
            "20150830/eu-west-1/iam/aws4_request");
}

TEST(SigV4Crypto, Sha256AndTheDocumentedSigningKey) {
  EXPECT_EQ(sigv4::sha256_hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(sigv4::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // AWS's "derive a signing key" example: 20120215, us-east-1, iam.
  const auto cfg =
      SigningConfig::standard("us-east-1", "iam", sigv4::parse_amz_date("20120215T000000Z").value());
  const std::string key = sigv4::signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", cfg);
  EXPECT_TRUE(sigv4::hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
      << "signing key differs from the AWS documentation's";
}

TEST(SigV4Sign, HeaderSigningReturnsTheHeadersToSetInBotocoresOrder) {
  Signable req{"PUT", "/k", {}, {{"Host", "b.s3.amazonaws.com"}}, sigv4::sha256_hex("body")};
  const SigningResult r = sign(req, example_creds("tok"), SigningConfig::s3("us-east-1", t20150830()));
  ASSERT_EQ(r.added_headers.size(), 4u);
  EXPECT_EQ(r.added_headers[0], (std::pair<std::string, std::string>{"X-Amz-Date", "20150830T123600Z"}));
  EXPECT_EQ(r.added_headers[1], (std::pair<std::string, std::string>{"X-Amz-Security-Token", "tok"}));
  EXPECT_EQ(r.added_headers[2],
            (std::pair<std::string, std::string>{"X-Amz-Content-SHA256", req.payload_hash}));
  EXPECT_EQ(r.added_headers[3].first, "Authorization");
  EXPECT_TRUE(r.added_headers[3].second == r.authorization);
  EXPECT_EQ(
      r.authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
                            "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "
                            "Signature=",
                            0),
      0u);
  EXPECT_TRUE(r.added_query.empty());
}

TEST(SigV4Sign, QuerySigningReturnsTheParametersToAppend) {
  Signable req{"GET", "/k", {{"a", "1"}}, {{"Host", "h"}}, std::string(kUnsignedPayload)};
  auto cfg = SigningConfig::s3("us-east-1", t20150830());
  cfg.location = SignatureLocation::Query;
  cfg.expires = std::chrono::seconds(60);
  const SigningResult r = sign(req, example_creds("tok"), cfg);
  std::vector<std::string> names;
  for (const auto& p : r.added_query) names.push_back(p.first);
  EXPECT_EQ(names,
            (std::vector<std::string>{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                      "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"}));
  EXPECT_EQ(r.added_query[3].second, "60");
  EXPECT_EQ(r.added_query[4].second, "host");
  EXPECT_TRUE(r.added_query.back().second == r.signature);
  EXPECT_TRUE(r.added_headers.empty());
  EXPECT_TRUE(r.authorization.empty());
  // The token is signed inside the canonical query; the payload line is UNSIGNED-PAYLOAD.
  EXPECT_NE(r.canonical_request.find("&X-Amz-Security-Token=tok&"), std::string::npos);
  EXPECT_EQ(r.canonical_request.substr(r.canonical_request.rfind('\n') + 1), kUnsignedPayload);
}

TEST(SigV4Sign, ChangingAnySignedInputChangesTheSignature) {
  Signable req{"GET", "/", {}, {{"Host", "h"}}, std::string(kEmptyPayloadSha256)};
  const auto cfg = SigningConfig::standard("us-east-1", "service", t20150830());
  const std::string base = sign(req, example_creds(), cfg).signature;
  auto other_secret = example_creds();
  other_secret.secret_access_key.back() = 'X';
  EXPECT_NE(sign(req, other_secret, cfg).signature, base);
  auto other_region = cfg;
  other_region.region = "us-east-2";
  EXPECT_NE(sign(req, example_creds(), other_region).signature, base);
  auto with_header = req;
  with_header.headers.emplace_back("X-Amz-Meta-A", "1");
  EXPECT_NE(sign(with_header, example_creds(), cfg).signature, base);
  auto with_user_agent = req;
  with_user_agent.headers.emplace_back("User-Agent", "anything");
  EXPECT_EQ(sign(with_user_agent, example_creds(), cfg).signature, base) << "user-agent must not be signed";
}

TEST(SigV4ApplySignedHeaders, ReplacesHeadersOfTheSameNameCaseInsensitively) {
  HeaderList headers = {{"host", "h"}, {"x-amz-date", "old"}, {"AUTHORIZATION", "old"}};
  SigningResult r;
  r.added_headers = {{"X-Amz-Date", "new"}, {"Authorization", "new"}};
  apply_signed_headers(headers, r);
  const HeaderList want = {{"host", "h"}, {"X-Amz-Date", "new"}, {"Authorization", "new"}};
  EXPECT_EQ(headers, want);
}

}  // namespace
