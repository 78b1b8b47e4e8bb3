// S3 object operations: put (in memory or streamed), get (ranged, streamed, verified),
// head, delete and copy.
#include <cctype>

#include "dwh/aws/s3.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace {

constexpr std::size_t kHashChunk = 1u << 20;
constexpr std::size_t kMd5HexLength = 32;

using core::StreamDigest;

// Passes a download through to the caller's sink while hashing and counting it.
class VerifyingSink final : public BodySink {
 public:
  VerifyingSink(BodySink& inner, bool md5, bool sha256) : inner_(inner) {
    if (md5) md5_ = std::make_unique<StreamDigest>(StreamDigest::Kind::Md5);
    if (sha256) sha256_ = std::make_unique<StreamDigest>(StreamDigest::Kind::Sha256);
  }
  Status write(std::string_view bytes) override {
    if (md5_) md5_->update(bytes);
    if (sha256_) sha256_->update(bytes);
    bytes_ += bytes.size();
    return inner_.write(bytes);
  }
  bool rewind() override {
    if (md5_) md5_->reset();
    if (sha256_) sha256_->reset();
    bytes_ = 0;
    return inner_.rewind();
  }
  [[nodiscard]] std::uint64_t bytes() const { return bytes_; }
  std::string md5_hex() { return md5_ ? detail::hex(md5_->finish()) : std::string(); }
  std::string sha256_base64() { return sha256_ ? detail::base64(sha256_->finish()) : std::string(); }

 private:
  BodySink& inner_;
  std::unique_ptr<StreamDigest> md5_;
  std::unique_ptr<StreamDigest> sha256_;
  std::uint64_t bytes_ = 0;
};

bool is_md5_etag(std::string_view etag) {
  if (etag.size() != kMd5HexLength) return false;
  for (char c : etag) {
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

// Only unencrypted or SSE-S3 single-part objects have ETag = MD5 of the content.
bool etag_is_content_md5(const HttpResponse& response, std::string_view etag) {
  if (!is_md5_etag(etag)) return false;
  const auto sse = response.header("x-amz-server-side-encryption");
  if (sse && *sse != "AES256") return false;
  return !response.header("x-amz-server-side-encryption-customer-algorithm").has_value();
}

PutResult put_result(const HttpResponse& response) {
  PutResult r;
  if (auto e = response.header("etag")) r.etag = detail::unquote(*e);
  if (auto v = response.header("x-amz-version-id")) r.version_id = std::string(*v);
  return r;
}

// After a PUT whose MD5 we know: a plain ETag must match it.
Status check_put_etag(const HttpResponse& response, std::string_view operation, std::string_view bucket,
                      std::string_view key, std::string_view md5_hex) {
  const auto etag = detail::unquote(response.header("etag").value_or(""));
  if (!etag_is_content_md5(response, etag) || etag == md5_hex) return {};
  return detail::integrity_error(operation, bucket, key, "ETag", md5_hex, etag);
}

}  // namespace

Result<PutResult> Client::put_object(std::string_view bucket, std::string_view key, std::string_view body,
                                     const PutOptions& options) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("PUT", bucket, key);
  detail::add_put_headers(r.headers, options);
  StreamDigest md5(StreamDigest::Kind::Md5);
  md5.update(body);
  const std::string md5_raw = md5.finish();
  r.headers.emplace_back("content-md5", detail::base64(md5_raw));
  StreamDigest sha(StreamDigest::Kind::Sha256);
  sha.update(body);
  const std::string sha_raw = sha.finish();
  // The same SHA-256 serves as the signed payload hash, so the body is hashed once.
  r.headers.emplace_back("x-amz-content-sha256", detail::hex(sha_raw));
  if (options.checksum_sha256) r.headers.emplace_back("x-amz-checksum-sha256", detail::base64(sha_raw));
  r.body = std::string(body);
  auto resp = call("PutObject", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  if (auto s = check_put_etag(*resp, "PutObject", bucket, key, detail::hex(md5_raw)); !s.ok()) {
    return std::move(s).error();
  }
  return put_result(*resp);
}

Result<PutResult> Client::put_object(std::string_view bucket, std::string_view key, BodySource& body,
                                     const PutOptions& options) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  const auto size = body.size();
  if (!size) {
    return make_error("InvalidArgument", "PutObject needs a body of known size; use upload() for a stream (" +
                                             detail::resource(bucket, key) + ")");
  }
  // One pass for the checksums, then the body is sent from the start again.
  StreamDigest md5(StreamDigest::Kind::Md5);
  StreamDigest sha(StreamDigest::Kind::Sha256);
  std::string buffer(kHashChunk, '\0');
  std::uint64_t total = 0;
  for (;;) {
    auto n = body.read(std::span<char>(buffer.data(), buffer.size()));
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) break;
    const std::string_view piece(buffer.data(), *n);
    md5.update(piece);
    sha.update(piece);
    total += *n;
  }
  if (total != *size) {
    return make_error("InvalidArgument", "body source said " + std::to_string(*size) + " bytes but gave " +
                                             std::to_string(total) + " (" + detail::resource(bucket, key) +
                                             ")");
  }
  if (!body.rewind()) {
    return make_error("InvalidArgument",
                      "body source cannot rewind; use upload() (" + detail::resource(bucket, key) + ")");
  }
  const std::string md5_raw = md5.finish();
  HttpRequest r = request("PUT", bucket, key);
  detail::add_put_headers(r.headers, options);
  r.headers.emplace_back("content-md5", detail::base64(md5_raw));
  const std::string sha_raw = sha.finish();
  // Signing the hash we already have spares ServiceClient a second read of the stream.
  r.headers.emplace_back("x-amz-content-sha256", detail::hex(sha_raw));
  if (options.checksum_sha256) r.headers.emplace_back("x-amz-checksum-sha256", detail::base64(sha_raw));
  r.body_source = &body;
  r.request_timeout = std::chrono::milliseconds(0);
  auto resp = call("PutObject", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  if (auto s = check_put_etag(*resp, "PutObject", bucket, key, detail::hex(md5_raw)); !s.ok())
    return std::move(s).error();
  return put_result(*resp);
}

Result<ObjectInfo> Client::get_object(std::string_view bucket, std::string_view key, BodySink& sink,
                                      const GetOptions& options) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket, key);
  if (!options.version_id.empty()) r.query.emplace_back("versionId", options.version_id);
  if (options.range) {
    std::string range = "bytes=" + std::to_string(options.range->first) + "-";
    if (options.range->last) range += std::to_string(*options.range->last);
    r.headers.emplace_back("range", std::move(range));
  }
  if (options.checksum_mode) r.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  r.request_timeout = std::chrono::milliseconds(0);

  const bool whole = !options.range.has_value();
  VerifyingSink verifying(sink, whole && options.verify_etag, whole && options.checksum_mode);
  auto resp = call("GetObject", bucket, key, std::move(r), &verifying);
  if (!resp.ok()) return std::move(resp).error();

  ObjectInfo info = detail::object_info(*resp);
  if (resp->header("content-length")) {
    if (verifying.bytes() != info.content_length) {
      return detail::integrity_error("GetObject", bucket, key, "Content-Length",
                                     std::to_string(info.content_length),
                                     std::to_string(verifying.bytes()) + " bytes received");
    }
    info.verified.emplace_back("content-length");
  }
  if (whole && options.checksum_mode && !info.checksum_sha256.empty() &&
      info.checksum_sha256.find('-') == std::string::npos) {
    const std::string actual = verifying.sha256_base64();
    if (actual != info.checksum_sha256) {
      return detail::integrity_error("GetObject", bucket, key, "x-amz-checksum-sha256", info.checksum_sha256,
                                     actual);
    }
    info.verified.emplace_back("checksum-sha256");
  }
  if (whole && options.verify_etag && etag_is_content_md5(*resp, info.etag)) {
    const std::string actual = verifying.md5_hex();
    if (actual != info.etag)
      return detail::integrity_error("GetObject", bucket, key, "ETag (MD5)", info.etag, actual);
    info.verified.emplace_back("etag-md5");
  }
  return info;
}

Result<std::string> Client::get_object_string(std::string_view bucket, std::string_view key,
                                              const GetOptions& options) {
  StringSink sink;
  auto info = get_object(bucket, key, sink, options);
  if (!info.ok()) return std::move(info).error();
  return std::move(sink.data);
}

Result<ObjectInfo> Client::head_object(std::string_view bucket, std::string_view key,
                                       std::string_view version_id) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("HEAD", bucket, key);
  if (!version_id.empty()) r.query.emplace_back("versionId", std::string(version_id));
  auto resp = call("HeadObject", bucket, key, std::move(r));
  if (!resp.ok()) {
    Error e = std::move(resp).error();
    // HEAD answers carry no error document.
    if (e.http_status == 404 && (e.code.empty() || e.code == "NotFound" || e.code == "404"))
      e.code = "NoSuchKey";
    if (e.http_status == 403 && (e.code.empty() || e.code == "Forbidden" || e.code == "403"))
      e.code = "AccessDenied";
    return e;
  }
  return detail::object_info(*resp);
}

Status Client::delete_object(std::string_view bucket, std::string_view key, std::string_view version_id) {
  if (auto s = check_object(bucket, key); !s.ok()) return s;
  HttpRequest r = request("DELETE", bucket, key);
  if (!version_id.empty()) r.query.emplace_back("versionId", std::string(version_id));
  auto resp = call("DeleteObject", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<CopyResult> Client::copy_object(std::string_view source_bucket, std::string_view source_key,
                                       std::string_view bucket, std::string_view key,
                                       const CopyOptions& options) {
  if (auto s = check_object(source_bucket, source_key); !s.ok()) return std::move(s).error();
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("PUT", bucket, key);
  r.headers.emplace_back("x-amz-copy-source",
                         copy_source(source_bucket, source_key, options.source_version_id));
  if (options.replace_metadata) {
    r.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    detail::add_put_headers(r.headers, *options.replace_metadata);
  }
  auto resp = call("CopyObject", bucket, key, std::move(r), nullptr, true);
  if (!resp.ok()) return std::move(resp).error();
  // A copy can fail after S3 has sent 200; the body then holds an <Error>.
  auto doc = detail::parse_answer(*resp, "CopyObject", "CopyObjectResult", bucket, key);
  if (!doc.ok()) return std::move(doc).error();
  CopyResult out;
  out.etag = detail::unquote(doc->root().child_text("ETag"));
  out.last_modified = doc->root().child_text("LastModified");
  if (auto v = resp->header("x-amz-version-id")) out.version_id = std::string(*v);
  return out;
}

}  // namespace dwh::aws::s3
