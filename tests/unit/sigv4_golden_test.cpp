// Every SigV4 step against tests/golden/sigv4/<case>/, whose expected files botocore wrote
// (tests/tools/botocore_sigv4_goldens.py). A failure names the step that broke.
// Signing keys, signatures and Authorization values are compared without being printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dwh/aws/sigv4.hpp"
#include "dwh/aws/sigv4_request_text.hpp"

namespace {

namespace fs = std::filesystem;
using namespace dwh::aws;

const fs::path kGoldenDir = fs::path(DWH_SOURCE_DIR) / "tests" / "golden" / "sigv4";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    if (fs::exists(entry.path() / "request.txt")) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = text.find('\n', start);
    out.emplace_back(text.substr(start, nl - start));
    if (nl == std::string_view::npos) return out;
    start = nl + 1;
  }
}

// The six parts of a canonical request, cut from botocore's text.
struct CanonicalParts {
  std::string method, path, query, headers, signed_headers, payload_hash;
};

CanonicalParts split_canonical_request(std::string_view text) {
  const auto l = lines(text);
  CanonicalParts p;
  if (l.size() < 6) return p;
  p.method = l[0];
  p.path = l[1];
  p.query = l[2];
  std::size_t i = 3;
  for (; i < l.size() && !l[i].empty(); ++i) p.headers += l[i] + "\n";
  if (i + 2 < l.size()) {
    p.signed_headers = l[i + 1];
    p.payload_hash = l[i + 2];
  }
  return p;
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

struct Case {
  RawHttpRequest request;
  SignOptions options;
  Credentials creds;
  fs::path dir;
  std::string golden(const char* name) const { return read_file(dir / name); }
};

Case load_case(const std::string& name) {
  Case c;
  c.dir = kGoldenDir / name;
  auto parsed = parse_request_text(read_file(c.dir / "request.txt"));
  if (!parsed) throw std::runtime_error(parsed.error().message);
  c.request = std::move(parsed).value();
  const auto ctx = nlohmann::json::parse(read_file(c.dir / "context.json"));
  c.options.service = ctx.at("service");
  c.options.region = ctx.at("region");
  c.options.time = sigv4::parse_amz_date(ctx.at("time").get<std::string>()).value();
  c.options.s3 = ctx.value("s3", false);
  c.options.no_normalize_path = ctx.value("no_normalize_path", false);
  c.options.sign_payload_hash = ctx.value("sign_payload_hash", false);
  c.options.presign = std::chrono::seconds(ctx.value("presign", 0));
  // AWS's documented example credentials, as in the SigV4 test suite.
  c.creds.access_key_id = "AKIDEXAMPLE";
  c.creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.creds.session_token = ctx.value("session_token", "");
  return c;
}

class SigV4Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Golden, CanonicalRequestSteps) {
  const Case c = load_case(GetParam());
  const SigningConfig cfg = signing_config(c.options);
  const Signable req = to_signable(c.request, c.options);
  const CanonicalParts want = split_canonical_request(c.golden("canonical_request.txt"));

  const HeaderList headers = sigv4::headers_to_sign(req, c.creds, cfg);
  const std::string signed_names = sigv4::signed_headers(headers);
  QueryList query = req.query;
  if (cfg.location == SignatureLocation::Query) {
    const QueryList auth = sigv4::presign_params(c.creds, cfg, signed_names);
    query.insert(query.end(), auth.begin(), auth.end());
  }

  EXPECT_EQ(sigv4::canonical_method(req.method), want.method) << "step: canonical method";
  EXPECT_EQ(sigv4::canonical_path(req.path, cfg), want.path) << "step: canonical path";
  EXPECT_EQ(sigv4::canonical_query(query), want.query) << "step: canonical query";
  EXPECT_EQ(sigv4::canonical_headers(headers), want.headers) << "step: canonical headers";
  EXPECT_EQ(signed_names, want.signed_headers) << "step: signed headers";
  EXPECT_EQ(req.payload_hash, want.payload_hash) << "step: payload hash";
  EXPECT_EQ(sigv4::canonical_request(want.method, want.path, want.query, want.headers, want.signed_headers,
                                     want.payload_hash),
            c.golden("canonical_request.txt"))
      << "step: canonical request assembly";
}

TEST_P(SigV4Golden, StringToSignAndSignatureSteps) {
  const Case c = load_case(GetParam());
  const SigningConfig cfg = signing_config(c.options);
  const auto sts = lines(c.golden("string_to_sign.txt"));
  ASSERT_EQ(sts.size(), 4u) << c.golden("string_to_sign.txt");

  EXPECT_EQ(sigv4::amz_date(cfg.time), sts[1]) << "step: request date";
  EXPECT_EQ(sigv4::scope(cfg), sts[2]) << "step: credential scope";
  EXPECT_EQ(sigv4::string_to_sign(sts[1], sts[2], c.golden("canonical_request.txt")),
            c.golden("string_to_sign.txt"))
      << "step: string to sign";
  const std::string key = sigv4::signing_key(c.creds.secret_access_key, cfg);
  EXPECT_TRUE(sigv4::hex(key) == c.golden("signing_key.hex")) << "step: signing key differs";
  const std::string golden_key = unhex(c.golden("signing_key.hex"));
  EXPECT_TRUE(sigv4::signature(golden_key, c.golden("string_to_sign.txt")) == c.golden("signature.txt"))
      << "step: signature differs";
}

TEST_P(SigV4Golden, SignEndToEnd) {
  const Case c = load_case(GetParam());
  const SigningResult r = sign(to_signable(c.request, c.options), c.creds, signing_config(c.options));
  EXPECT_EQ(r.canonical_request, c.golden("canonical_request.txt"));
  EXPECT_EQ(r.string_to_sign, c.golden("string_to_sign.txt"));
  EXPECT_TRUE(r.signature == c.golden("signature.txt")) << "signature differs";
  if (c.options.presign.count() > 0) {
    auto url = presigned_url(c.request, r);
    ASSERT_TRUE(url.ok()) << url.error().message;
    EXPECT_TRUE(*url == c.golden("url.txt")) << "presigned URL differs from botocore's";
    EXPECT_TRUE(r.authorization.empty());
  } else {
    EXPECT_TRUE(r.authorization == c.golden("authorization.txt")) << "Authorization differs";
    EXPECT_TRUE(r.added_query.empty());
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  const auto not_alnum = [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); };
  std::replace_if(name.begin(), name.end(), not_alnum, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Botocore, SigV4Golden, ::testing::ValuesIn(case_names()), test_name);

TEST(SigV4GoldenSet, CoversTheRequiredCases) {
  const auto names = case_names();
  // The list: vanilla, query order/duplicates, utf8, dot segments both ways, header
  // whitespace/case/multi-value, POST body, session token, presign, S3 unsigned and S3 PUT.
  for (const char* required :
       {"get-vanilla", "get-vanilla-query-unreserved", "get-query-duplicate-keys", "get-utf8",
        "get-relative-relative", "get-dot-segments-no-normalize", "get-header-value-trim",
        "get-header-case-and-whitespace", "get-header-value-multiline", "post-x-www-form-urlencoded",
        "post-session-token", "get-presign", "s3-get-unsigned-payload", "s3-put-object"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  }
}

}  // namespace
