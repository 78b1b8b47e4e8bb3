// Differential test: 2,000 seeded random requests signed by botocore (Debian python3-botocore,
// run as /usr/bin/python3 tests/tools/botocore_sigv4_diff.py) and by our signer. The canonical
// request, string to sign, signing key and signature must be byte-identical for every one, and
// so must the Authorization header, the headers we add, or the presigned URL.
//
// Both sides sign the same logical request: the generator hands botocore the decoded query
// pairs as params (it encodes them itself) and the wire path in the URL, as our Signable does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "dwh/aws/sigv4.hpp"
#include "dwh/aws/sigv4_request_text.hpp"
#include "process.hpp"

namespace {

using namespace dwh::aws;
using nlohmann::json;

constexpr int kCaseCount = 2000;
constexpr int kMinimumCases = 1000;
constexpr int kFailuresShown = 5;

std::string unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

HeaderList pairs(const json& j) {
  HeaderList out;
  for (const auto& p : j) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return out;
}

struct DiffCase {
  Signable request;
  Credentials creds;
  SigningConfig cfg;
};

DiffCase to_case(const json& c) {
  DiffCase d;
  d.request.method = c.at("method");
  d.request.path = c.at("path");
  d.request.query = pairs(c.at("query"));
  d.request.headers = pairs(c.at("headers"));
  d.request.payload_hash = c.at("unsigned_payload").get<bool>() ? std::string(kUnsignedPayload)
                                                                : sigv4::sha256_hex(unhex(c.at("body")));
  d.creds.access_key_id = c.at("access_key");
  d.creds.secret_access_key = c.at("secret_key");
  if (!c.at("token").is_null()) d.creds.session_token = c.at("token");

  const auto time = sigv4::parse_amz_date(c.at("time").get<std::string>()).value();
  const std::string region = c.at("region");
  d.cfg = c.at("s3").get<bool>() ? SigningConfig::s3(region, time)
                                 : SigningConfig::standard(region, c.at("service"), time);
  if (!c.at("normalize_path").get<bool>()) {
    d.cfg.normalize_path = false;
    d.cfg.double_uri_encode = false;
  }
  d.cfg.sign_payload_hash_header = c.at("sign_payload_hash");
  if (const int presign = c.at("presign"); presign > 0) {
    d.cfg.location = SignatureLocation::Query;
    d.cfg.expires = std::chrono::seconds(presign);
  }
  return d;
}

// The case and what differs, with the secret and session token masked.
std::string describe(const json& c, const std::string& what, const std::string& ours,
                     const std::string& theirs) {
  std::string text = "case " + std::to_string(c.at("id").get<int>()) + ": " + what +
                     " differs\nrequest: " + c.at("method").get<std::string>() + " " +
                     c.at("path").get<std::string>() + " query=" + c.at("query").dump() +
                     " headers=" + c.at("headers").dump() + " s3=" + c.at("s3").dump() +
                     " presign=" + c.at("presign").dump() + "\nours:\n" + ours + "\nbotocore:\n" + theirs;
  if (!c.at("token").is_null()) {
    const std::string token = c.at("token");
    for (std::size_t pos; (pos = text.find(token)) != std::string::npos;) {
      text.replace(pos, token.size(), "<session-token>");
    }
  }
  return text;
}

// First difference between us and botocore, or "" when every field matches.
std::string compare(const json& c) {
  const DiffCase d = to_case(c);
  const json& want = c.at("expected");
  const SigningResult r = sign(d.request, d.creds, d.cfg);
  if (r.canonical_request != want.at("canonical_request")) {
    return describe(c, "canonical request", r.canonical_request, want.at("canonical_request"));
  }
  if (r.string_to_sign != want.at("string_to_sign")) {
    return describe(c, "string to sign", r.string_to_sign, want.at("string_to_sign"));
  }
  // Keys and signatures are secrets: named, never printed.
  if (sigv4::hex(sigv4::signing_key(d.creds.secret_access_key, d.cfg)) != want.at("signing_key_hex")) {
    return describe(c, "signing key", "(not shown)", "(not shown)");
  }
  if (r.signature != want.at("signature")) return describe(c, "signature", "(not shown)", "(not shown)");

  if (d.cfg.location == SignatureLocation::Query) {
    if (r.added_query != pairs(want.at("auth_query"))) {
      return describe(c, "presign query parameters", "(not shown)", "(not shown)");
    }
    RawHttpRequest raw;
    raw.path = d.request.path;
    raw.query = d.request.query;
    raw.headers = d.request.headers;
    const auto url = presigned_url(raw, r);
    if (!url.ok() || *url != want.at("url"))
      return describe(c, "presigned URL", "(not shown)", "(not shown)");
    return "";
  }
  if (r.authorization != want.at("authorization")) {
    return describe(c, "Authorization header", "(not shown)", "(not shown)");
  }
  HeaderList added = r.added_headers;
  std::erase_if(added, [](const auto& h) { return h.first == "Authorization"; });
  if (added != pairs(want.at("added_headers"))) {
    return describe(c, "added headers", "(not shown)", "(not shown)");
  }
  return "";
}

// What the generated set covers, so a generator that drifts into trivial cases fails here.
struct Coverage {
  int total = 0, s3 = 0, standard = 0, presign = 0, token = 0, unsigned_payload = 0;
  int non_ascii_path = 0, dot_segments = 0, repeated_query_key = 0, mixed_case_header = 0;
  int header_whitespace = 0, repeated_header = 0, body = 0;

  void add(const json& c) {
    ++total;
    (c.at("s3").get<bool>() ? s3 : standard)++;
    presign += c.at("presign").get<int>() > 0;
    token += !c.at("token").is_null();
    unsigned_payload += c.at("unsigned_payload").get<bool>() && c.at("presign").get<int>() == 0;
    const std::string path = c.at("path");
    non_ascii_path += path.find("%E") != std::string::npos || path.find("%C") != std::string::npos;
    dot_segments += path.find("/../") != std::string::npos || path.find("/./") != std::string::npos;
    std::set<std::string> keys, headers;
    bool repeated_key = false, mixed = false, spaces = false, repeated = false;
    for (const auto& q : c.at("query")) repeated_key |= !keys.insert(q.at(0).get<std::string>()).second;
    for (const auto& h : c.at("headers")) {
      std::string name = h.at(0);
      const std::string value = h.at(1);
      mixed |= name != "Host" && std::any_of(name.begin(), name.end(), ::isupper) &&
               std::any_of(name.begin(), name.end(), ::islower);
      spaces |= value.find("  ") != std::string::npos || value.find('\t') != std::string::npos;
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      repeated |= !headers.insert(name).second;
    }
    repeated_query_key += repeated_key;
    mixed_case_header += mixed;
    header_whitespace += spaces;
    repeated_header += repeated;
    body += !c.at("body").get<std::string>().empty();
  }
};

TEST(SigV4BotocoreDiff, ByteIdenticalForEveryGeneratedRequest) {
  const std::string dir = dwh::test::make_temp_dir("sigv4-diff");
  const std::string out = dir + "/cases.jsonl";
  const auto gen = dwh::test::run_process(
      {"/usr/bin/python3", std::string(DWH_SOURCE_DIR) + "/tests/tools/botocore_sigv4_diff.py", "--count",
       std::to_string(kCaseCount), "--seed", "20150830", "--out", out});
  ASSERT_EQ(gen.exit_code, 0) << "generator failed (needs Debian python3-botocore):\n" << gen.err;

  std::ifstream in(out);
  Coverage cov;
  int failures = 0;
  for (std::string line; std::getline(in, line);) {
    const json c = json::parse(line);
    cov.add(c);
    if (std::string diff = compare(c); !diff.empty() && ++failures <= kFailuresShown) {
      ADD_FAILURE() << diff;
    }
  }
  std::printf(
      "%d requests: %d s3, %d standard, %d presigned, %d with session token, %d unsigned payload, "
      "%d non-ASCII paths, %d dot segments, %d repeated query keys, %d mixed-case headers, "
      "%d header whitespace runs, %d repeated headers, %d bodies\n",
      cov.total, cov.s3, cov.standard, cov.presign, cov.token, cov.unsigned_payload, cov.non_ascii_path,
      cov.dot_segments, cov.repeated_query_key, cov.mixed_case_header, cov.header_whitespace,
      cov.repeated_header, cov.body);
  EXPECT_EQ(failures, 0) << failures << " of " << cov.total << " requests differ from botocore";
  EXPECT_GE(cov.total, kMinimumCases);
  const int tenth = cov.total / 10, fiftieth = cov.total / 50;
  EXPECT_GE(cov.s3, tenth);
  EXPECT_GE(cov.standard, tenth);
  EXPECT_GE(cov.presign, tenth);
  EXPECT_GE(cov.token, tenth);
  EXPECT_GE(cov.unsigned_payload, fiftieth);
  EXPECT_GE(cov.non_ascii_path, tenth);
  EXPECT_GE(cov.dot_segments, tenth);
  EXPECT_GE(cov.repeated_query_key, fiftieth);
  EXPECT_GE(cov.mixed_case_header, tenth);
  EXPECT_GE(cov.header_whitespace, tenth);
  EXPECT_GE(cov.repeated_header, tenth);
  EXPECT_GE(cov.body, tenth);
  std::filesystem::remove_all(dir);
}

}  // namespace
