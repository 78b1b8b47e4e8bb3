#pragma once
// AWS Signature Version 4 as a chain of pure steps, after aws-c-auth.
// The signer signs an abstract Signable; it never sees an HTTP library's types.
// S3's differences are flags on SigningConfig, not special cases in the code.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dwh/aws/credentials.hpp"

namespace dwh::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;  // decoded key/value pairs

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Signable {
  std::string method;   // "GET"
  std::string path;     // as sent on the wire: already percent-encoded, e.g. "/my%20key"
  QueryList query;      // decoded pairs; the signer encodes them (RFC 3986)
  HeaderList headers;   // must include "host"
  std::string payload_hash;  // hex SHA-256 of the body, or kUnsignedPayload
};

enum class SignatureLocation { Headers, Query };

struct SigningConfig {
  std::string region;
  std::string service;  // signing name: "s3", "iam", "execute-api", ...
  std::chrono::system_clock::time_point time;
  SignatureLocation location = SignatureLocation::Headers;
  std::chrono::seconds expires{3600};  // query signing only
  bool normalize_path = true;          // remove dot segments and double slashes (non-S3)
  bool double_uri_encode = true;       // encode the already-encoded path once more (non-S3)
  bool sign_payload_hash_header = false;  // add and sign x-amz-content-sha256 (S3)

  // S3 rules: no normalisation, no double encoding, x-amz-content-sha256 signed.
  static SigningConfig s3(std::string region, std::chrono::system_clock::time_point time);
  static SigningConfig standard(std::string region, std::string service,
                                std::chrono::system_clock::time_point time);
};

// Every intermediate result, so tests and `dwh aws sign` can show the step that broke.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // header signing: the Authorization header value
  // Headers the caller must add to the request (x-amz-date, x-amz-security-token,
  // x-amz-content-sha256, authorization) for header signing.
  HeaderList added_headers;
  // Query parameters the caller must add (X-Amz-*) for query signing, decoded.
  QueryList added_query;
};

namespace sigv4 {
// Pure steps, exposed for unit tests. Each returns exactly the text it contributes.
std::string uri_encode(std::string_view s, bool encode_slash);  // RFC 3986 unreserved kept
std::string canonical_method(std::string_view method);
std::string canonical_path(std::string_view wire_path, const SigningConfig& cfg);
std::string canonical_query(const QueryList& query);
std::string canonical_headers(const HeaderList& headers);  // "name:value\n" lines, sorted
std::string signed_headers(const HeaderList& headers);     // "a;b;c"
std::string amz_date(std::chrono::system_clock::time_point t);  // 20150830T123600Z
std::string scope(const SigningConfig& cfg);                     // 20150830/us-east-1/iam/aws4_request
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, const SigningConfig& cfg);  // raw bytes
std::string signature(std::string_view signing_key, std::string_view string_to_sign);  // hex
std::string sha256_hex(std::string_view data);
}  // namespace sigv4

// Signs a request. Header signing returns the headers to add; query signing returns
// the query parameters to add (presigned URL). Pure: no clock, no I/O.
SigningResult sign(const Signable& request, const Credentials& creds, const SigningConfig& cfg);

}  // namespace dwh::aws
