#pragma once
// Raw HTTP/1.1 request text, as AWS's SigV4 test suite writes it, turned into a Signable.
// Used by `dwh aws sign` and by the golden-file tests.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "dwh/aws/sigv4.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws {

struct RawHttpRequest {
  std::string method;
  std::string path;  // the request target before '?', verbatim
  QueryList query;   // the request target after '?', split and percent-decoded
  // In file order. A folded (continuation) line becomes one more value of the header above
  // it, so "a:1\n  2" signs as "a:1,2", as in the test suite's get-header-value-multiline.
  HeaderList headers;
  std::string body;  // every byte after the blank line

  // The first value of a header, by case-insensitive name.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

// Accepts "\n" or "\r\n" line ends. A request target may contain spaces
// ("GET /example space/ HTTP/1.1"): the method is the first word, the version the last.
Result<RawHttpRequest> parse_request_text(std::string_view text);

// "a=1&b=%20&c": split on '&', then '=', then percent-decoded ('+' stays '+', as in SigV4).
// Empty pieces between '&'s are dropped; a bad escape is kept literally.
QueryList decode_query(std::string_view raw_query);

// The payload hash: an x-amz-content-sha256 header wins (botocore signs exactly that value),
// else `fallback_payload_hash` when given (UNSIGNED-PAYLOAD for S3 presigning), else the
// SHA-256 of the body.
Signable to_signable(const RawHttpRequest& request, std::string_view fallback_payload_hash = {});

// What `dwh aws sign` is asked for. The golden tests' context.json files hold the same fields,
// so they check this mapping as well as the signer.
struct SignOptions {
  std::string service;
  std::string region;
  std::chrono::system_clock::time_point time;
  bool s3 = false;                  // S3 rules: all three below
  bool no_normalize_path = false;   // neither normalise nor double-encode the path
  bool sign_payload_hash = false;   // add and sign x-amz-content-sha256
  std::chrono::seconds presign{0};  // > 0: query signing with this X-Amz-Expires
};
SigningConfig signing_config(const SignOptions& options);
// to_signable() with UNSIGNED-PAYLOAD as the fallback when presigning for S3, as botocore's
// S3SigV4QueryAuth does (a presigned URL cannot know its body).
Signable to_signable(const RawHttpRequest& request, const SignOptions& options);

// https://<Host header><path>?<the request's query>&<X-Amz-* parameters>, all encoded as
// SigV4 encodes them, in the order botocore writes a presigned URL. The path is kept verbatim.
Result<std::string> presigned_url(const RawHttpRequest& request, const SigningResult& signed_query);

}  // namespace dwh::aws
