// The S3 client's shared plumbing: construction, addressing each request, error context,
// and header/XML helpers used by the bucket, object, listing and multipart files.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "dwh/aws/s3.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace detail {

std::string resource(std::string_view bucket, std::string_view key) {
  std::string out = "s3://" + std::string(bucket);
  if (!key.empty()) out += "/" + std::string(key);
  return out;
}

std::string unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  // Some servers send the entity form &quot;...&quot; in XML; libxml2 already decodes it.
  return std::string(etag);
}

std::uint64_t to_u64(std::string_view text) {
  std::uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<xml::Document> parse_answer(const HttpResponse& response, std::string_view operation,
                                   std::string_view expected_root, std::string_view bucket,
                                   std::string_view key) {
  auto doc = xml::Document::parse(response.body);
  auto fail = [&](std::string code, std::string message) {
    Error e = make_error(std::move(code), std::move(message) + " (" + resource(bucket, key) + ")");
    e.service = "s3";
    e.operation = std::string(operation);
    e.http_status = response.status;
    if (auto id = response.header("x-amz-request-id")) e.request_id = std::string(*id);
    return e;
  };
  if (!doc.ok()) {
    const std::string prefix = response.body.substr(0, 120);
    return fail("MalformedResponse", "could not parse the XML answer: " + doc.error().message +
                                         " (body starts \"" + prefix + "\")");
  }
  const std::string root = doc->root().name();
  if (root == "Error") {
    Error e = parse_xml_error(response.status, response.body);
    e.service = "s3";
    e.operation = std::string(operation);
    if (e.request_id.empty()) {
      if (auto id = response.header("x-amz-request-id")) e.request_id = std::string(*id);
    }
    e.message += " (" + resource(bucket, key) + ")";
    return e;
  }
  if (root != expected_root) {
    return fail("MalformedResponse",
                "expected a <" + std::string(expected_root) + "> answer, got <" + root + ">");
  }
  return doc;
}

void set_xml_body(HttpRequest& request, std::string body) {
  request.headers.emplace_back("content-type", std::string(kXmlContentType));
  request.headers.emplace_back("content-md5", md5_base64(body));
  request.body = std::move(body);
}

void add_put_headers(HeaderList& headers, const PutOptions& options) {
  if (!options.content_type.empty()) headers.emplace_back("content-type", options.content_type);
  for (const auto& [name, value] : options.metadata) headers.emplace_back("x-amz-meta-" + name, value);
  switch (options.sse) {
    case SseAlgorithm::None:
      break;
    case SseAlgorithm::Aes256:
      headers.emplace_back("x-amz-server-side-encryption", "AES256");
      break;
    case SseAlgorithm::Kms:
      headers.emplace_back("x-amz-server-side-encryption", "aws:kms");
      if (!options.sse_kms_key_id.empty()) {
        headers.emplace_back("x-amz-server-side-encryption-aws-kms-key-id", options.sse_kms_key_id);
      }
      break;
  }
}

ObjectInfo object_info(const HttpResponse& response) {
  ObjectInfo info;
  auto get = [&](std::string_view name) -> std::string {
    auto v = response.header(name);
    return v ? std::string(*v) : std::string();
  };
  info.content_length = to_u64(get("content-length"));
  info.etag = unquote(get("etag"));
  info.last_modified = get("last-modified");
  info.content_type = get("content-type");
  info.version_id = get("x-amz-version-id");
  info.content_range = get("content-range");
  info.server_side_encryption = get("x-amz-server-side-encryption");
  info.sse_kms_key_id = get("x-amz-server-side-encryption-aws-kms-key-id");
  info.checksum_sha256 = get("x-amz-checksum-sha256");
  info.checksum_crc32 = get("x-amz-checksum-crc32");
  info.delete_marker = get("x-amz-delete-marker") == "true";
  constexpr std::string_view kMeta = "x-amz-meta-";
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with(kMeta)) info.metadata[name.substr(kMeta.size())] = value;
  }
  return info;
}

Error integrity_error(std::string_view operation, std::string_view bucket, std::string_view key,
                      std::string_view what, std::string_view expected, std::string_view actual) {
  Error e = make_error("IntegrityError", std::string(what) + " mismatch for " + resource(bucket, key) +
                                             ": expected " + std::string(expected) + ", got " +
                                             std::string(actual));
  e.service = "s3";
  e.operation = std::string(operation);
  return e;
}

}  // namespace detail

Result<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  // The SDKs also take path style from the profile's "s3 =\n  addressing_style = path".
  if (!options.s3_force_path_style) {
    if (auto profile = load_config_profile(active_profile_name())) {
      auto it = profile->find("s3.addressing_style");
      options.s3_force_path_style = it != profile->end() && it->second == "path";
    }
  }
  auto service = ServiceClient::create(service_info(), std::move(options));
  if (!service.ok()) return std::move(service).error();
  return std::make_unique<Client>(std::move(service).value());
}

Client::Client(std::unique_ptr<ServiceClient> service) : service_(std::move(service)) {}

HttpRequest Client::request(std::string method, std::string_view bucket, std::string_view key) const {
  const Address a = address(service_->endpoint(), service_->options().s3_force_path_style, bucket, key);
  HttpRequest r;
  r.method = std::move(method);
  r.endpoint = a.endpoint;
  r.path = a.path;
  return r;
}

Result<HttpResponse> Client::call(std::string_view operation, std::string_view bucket, std::string_view key,
                                  HttpRequest request, BodySink* sink, bool error_in_200) {
  CallOptions options;
  if (error_in_200) {
    options.validate = [](const HttpResponse& r) -> std::optional<Error> {
      auto doc = xml::Document::parse(r.body);
      if (!doc.ok() || doc->root().name() != "Error") return std::nullopt;
      return parse_xml_error(r.status, r.body);
    };
  }
  auto response = service_->call(operation, std::move(request), sink, options);
  if (response.ok()) return response;
  Error e = std::move(response).error();
  if (!bucket.empty()) e.message += " (" + detail::resource(bucket, key) + ")";
  return e;
}

Status Client::check_bucket(std::string_view bucket) const {
  return validate_bucket_name(bucket);
}

Status Client::check_object(std::string_view bucket, std::string_view key) const {
  if (auto s = validate_bucket_name(bucket); !s.ok()) return s;
  return validate_key(key);
}

}  // namespace dwh::aws::s3
