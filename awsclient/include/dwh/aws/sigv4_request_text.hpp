#pragma once
// Raw HTTP/1.1 request text, as AWS's SigV4 test suite writes it, turned into a Signable.
// Used by `dwh aws sign` and by the golden-file tests.
#include <optional>
#include <string>
#include <string_view>

#include "dwh/aws/sigv4.hpp"
#include "dwh/result.hpp"

namespace dwh::aws {

struct RawHttpRequest {
  std::string method;
  std::string path;       // the request target before '?', verbatim
  QueryList query;        // the request target after '?', split and percent-decoded
  // In file order. A folded (continuation) line becomes one more value of the header above
  // it, so "a:1\n  2" signs as "a:1,2", as in the test suite's get-header-value-multiline.
  HeaderList headers;
  std::string body;       // every byte after the blank line

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

}  // namespace dwh::aws
