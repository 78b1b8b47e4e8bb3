#pragma once
// AWS Signature Version 4 as a chain of pure steps, after aws-c-auth.
// The signer signs an abstract Signable; it never sees an HTTP library's types.
// S3's differences are flags on SigningConfig, not special cases in the code.
// Every rule follows botocore's SigV4Auth / S3SigV4Auth / SigV4QueryAuth / S3SigV4QueryAuth,
// which tests/integration/sigv4_botocore_diff_test.cpp checks byte for byte.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dwh/aws/credentials.hpp"
#include "dwh/core/hash.hpp"

namespace dwh::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;  // decoded key/value pairs

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kSigningAlgorithm = "AWS4-HMAC-SHA256";
// AWS rejects presigned URLs that live longer than seven days.
inline constexpr std::chrono::seconds kMaxPresignExpiry{604800};

struct Signable {
  std::string method;  // "GET"
  // As sent on the wire: already percent-encoded, e.g. "/my%20key". S3 signs it verbatim, so
  // S3 callers must encode keys with sigv4::uri_encode(key, /*encode_slash=*/false).
  std::string path;
  QueryList query;           // decoded pairs; the signer encodes them (RFC 3986)
  HeaderList headers;        // must include "host"; repeated names are joined with ','
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
  // Add and sign x-amz-content-sha256 = payload_hash (S3). Header signing only: presigned
  // URLs carry no such header, as in botocore's S3SigV4QueryAuth.
  bool sign_payload_hash_header = false;

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
  // Headers the caller must set on the request (x-amz-date, x-amz-security-token,
  // x-amz-content-sha256, authorization) for header signing. They replace any header of the
  // same name (case-insensitive): see apply_signed_headers().
  HeaderList added_headers;
  // Query parameters the caller must append (X-Amz-*, ending with X-Amz-Signature) for query
  // signing, decoded, in the order botocore appends them.
  QueryList added_query;
};

namespace sigv4 {
// Pure steps, exposed for unit tests. Each returns exactly the text it contributes.
std::string uri_encode(std::string_view s, bool encode_slash);  // RFC 3986 unreserved kept
std::string canonical_method(std::string_view method);
// RFC 3986 5.2.4 dot-segment removal plus collapsing of empty segments ('//'), as botocore's
// normalize_url_path does; "" becomes "/". Works on the encoded path: "%2E" is not a dot.
std::string normalize_path(std::string_view wire_path);
std::string canonical_path(std::string_view wire_path, const SigningConfig& cfg);
std::string canonical_query(const QueryList& query);  // encoded, sorted by key then value
// The headers that go into the signature: lower-cased names, the never-signed headers
// (user-agent, expect, x-amzn-trace-id, authorization) dropped, and for header signing
// x-amz-date, x-amz-security-token and x-amz-content-sha256 set as the config asks.
HeaderList headers_to_sign(const Signable& request, const Credentials& creds, const SigningConfig& cfg);
bool is_unsigned_header(std::string_view name);              // case-insensitive
std::string canonical_header_value(std::string_view value);  // trimmed, whitespace runs -> ' '
std::string canonical_headers(const HeaderList& headers);    // "name:value\n" lines, sorted
std::string signed_headers(const HeaderList& headers);       // "a;b;c"
// The X-Amz-* parameters of a presigned URL, except X-Amz-Signature, in botocore's order.
QueryList presign_params(const Credentials& creds, const SigningConfig& cfg, std::string_view signed_headers);
std::string canonical_request(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view headers, std::string_view signed_headers,
                              std::string_view payload_hash);
std::string amz_date(std::chrono::system_clock::time_point t);  // 20150830T123600Z
// The inverse of amz_date(); nullopt unless exactly YYYYMMDDTHHMMSSZ with valid fields.
std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text);
std::string scope(const SigningConfig& cfg);  // 20150830/us-east-1/iam/aws4_request
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, const SigningConfig& cfg);            // raw bytes
std::string signature(std::string_view signing_key, std::string_view string_to_sign);  // hex
std::string authorization(std::string_view access_key_id, std::string_view scope,
                          std::string_view signed_headers, std::string_view signature);
using core::hex;
using core::sha256_hex;
}  // namespace sigv4

// Signs a request. Header signing returns the headers to add; query signing returns
// the query parameters to add (presigned URL). Pure: no clock, no I/O.
SigningResult sign(const Signable& request, const Credentials& creds, const SigningConfig& cfg);

// Sets result.added_headers on `headers`, replacing any header of the same name.
void apply_signed_headers(HeaderList& headers, const SigningResult& result);

}  // namespace dwh::aws
