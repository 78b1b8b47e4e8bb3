#pragma once
// Helpers shared by the s3_*.cpp files; not part of the public API.
#include <cstdint>
#include <string>
#include <string_view>

#include "dwh/aws/http.hpp"
#include "dwh/aws/s3.hpp"
#include "dwh/aws/xml.hpp"
#include "dwh/core/hash.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws::s3::detail {

inline constexpr std::string_view kXmlContentType = "application/xml";

// "s3://bucket/key" for messages.
std::string resource(std::string_view bucket, std::string_view key = {});

// ETags arrive quoted ("\"abc\""); we keep them bare.
std::string unquote(std::string_view etag);

std::uint64_t to_u64(std::string_view text);

// Percent-decoding for listings asked with encoding-type=url ('+' is a space there).
std::string url_decode(std::string_view text);

// Parses a 2xx XML answer. S3 may answer 200 with an <Error> document (CopyObject,
// CompleteMultipartUpload); that becomes an Error. `expected_root` guards against a server
// answering a different operation than the one asked.
Result<xml::Document> parse_answer(const HttpResponse& response, std::string_view operation,
                                   std::string_view expected_root, std::string_view bucket,
                                   std::string_view key = {});

// Sets an XML body with the Content-MD5 S3 requires on configuration and delete requests.
void set_xml_body(HttpRequest& request, std::string body);

// content-type, x-amz-meta-*, SSE headers.
void add_put_headers(HeaderList& headers, const PutOptions& options);

ObjectInfo object_info(const HttpResponse& response);

using core::hex;
std::string base64(std::string_view raw);

using core::StreamDigest;

// An integrity failure, naming the object.
Error integrity_error(std::string_view operation, std::string_view bucket, std::string_view key,
                      std::string_view what, std::string_view expected, std::string_view actual);

}  // namespace dwh::aws::s3::detail
