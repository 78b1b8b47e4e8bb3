// s3://bucket/prefix through dwh::aws::s3. Small objects are one PutObject; an object that
// outgrows one part becomes a multipart upload, part by part as the writer is fed, so memory
// stays at one part whatever the object's size.
#include <optional>

#include "dwh/aws/s3.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::stores {
namespace {

namespace s3 = aws::s3;

constexpr std::size_t kPartSize = 8u << 20;  // above S3's 5 MiB minimum; 10,000 parts = 78 GiB

Error unavailable(const Error& e, const std::string& url) {
  Error out = e;
  if (e.code == "NoSuchBucket" || e.transient || e.http_status == 0) out.code = "StoreUnavailable";
  out.message = "landing store " + url + " is not usable: " + e.to_string();
  return out;
}

class S3Writer final : public ObjectWriter {
 public:
  S3Writer(s3::Client& client, std::string bucket, std::string key)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)) {
    buffer_.reserve(kPartSize);
  }

  Status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const std::size_t n = std::min(bytes.size(), kPartSize - buffer_.size());
      buffer_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (buffer_.size() == kPartSize) {
        if (auto s = flush_part(); !s) return s;
      }
    }
    return {};
  }

  Status commit() override {
    if (!upload_) {
      auto r = client_.put_object(bucket_, key_, buffer_);
      if (!r) return std::move(r).error();
      return {};
    }
    if (!buffer_.empty()) {
      if (auto s = flush_part(); !s) return s;
    }
    auto r = upload_->complete(std::move(parts_));
    if (!r) return std::move(r).error();
    return {};
  }

  void abort() override {
    if (upload_ && !upload_->finished()) (void)upload_->abort();
    buffer_.clear();
  }

 private:
  Status flush_part() {
    if (!upload_) {
      auto started = s3::MultipartUpload::start(client_, bucket_, key_);
      if (!started) return std::move(started).error();
      upload_.emplace(std::move(started).value());
    }
    auto part = upload_->upload_part(static_cast<int>(parts_.size()) + 1, buffer_);
    if (!part) return std::move(part).error();
    parts_.push_back(std::move(part).value());
    buffer_.clear();
    return {};
  }

  s3::Client& client_;
  std::string bucket_;
  std::string key_;
  std::string buffer_;
  std::optional<s3::MultipartUpload> upload_;  // aborts on destruction unless completed
  std::vector<s3::CompletedPart> parts_;
};

class S3Store final : public ObjectStore {
 public:
  S3Store(std::string url, std::unique_ptr<s3::Client> client, std::string bucket, std::string prefix)
      : url_(std::move(url)),
        client_(std::move(client)),
        bucket_(std::move(bucket)),
        prefix_(std::move(prefix)) {}

  const std::string& url() const override { return url_; }

  Status check() override {
    auto s = client_->head_bucket(bucket_);
    if (!s) return unavailable(s.error(), url_);
    return {};
  }

  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key) override {
    return std::unique_ptr<ObjectWriter>(std::make_unique<S3Writer>(*client_, bucket_, prefix_ + key));
  }

  Result<std::string> get(const std::string& key) override {
    return client_->get_object_string(bucket_, prefix_ + key);
  }

  Result<std::string> get_range(const std::string& key, std::uint64_t offset, std::uint64_t length) override {
    if (length == 0) return std::string();
    s3::GetOptions o;
    o.range = s3::ByteRange{offset, offset + length - 1};
    o.verify_etag = false;  // the ETag is the whole object's
    auto r = client_->get_object_string(bucket_, prefix_ + key, o);
    // A range starting past the end: 416 InvalidRange; the caller asked for the end.
    if (!r && r.error().http_status == 416) return std::string();
    return r;
  }

  Result<std::vector<StoredObject>> list(const std::string& prefix) override {
    auto page = client_->list_all_objects(bucket_, prefix_ + prefix);
    if (!page) return std::move(page).error();
    std::vector<StoredObject> out;
    out.reserve(page->objects.size());
    for (auto& o : page->objects) out.push_back({o.key.substr(prefix_.size()), o.size});
    return out;  // S3 lists in key order
  }

  Status remove(const std::string& key) override { return client_->delete_object(bucket_, prefix_ + key); }

  Result<bool> exists(const std::string& key) override {
    auto head = client_->head_object(bucket_, prefix_ + key);
    if (head) return true;
    if (head.error().http_status == 404 || head.error().code == "NoSuchKey" ||
        head.error().code == "NotFound")
      return false;
    return std::move(head).error();
  }

  Status remove_incomplete(const std::string&) override { return {}; }

 private:
  std::string url_;
  std::unique_ptr<s3::Client> client_;
  std::string bucket_;
  std::string prefix_;  // "" or ends with '/'
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> open_s3_store(std::string_view url, aws::ClientOptions options) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return make_error("InvalidStoreUrl", "'" + std::string(url) + "' is not an s3:// URL");
  }
  const std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  while (!prefix.empty() && prefix.front() == '/') prefix.erase(0, 1);
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  if (auto s = s3::validate_bucket_name(bucket); !s) {
    Error e = std::move(s).error();
    e.code = "InvalidStoreUrl";
    e.message = "'" + std::string(url) + "': " + e.message;
    return e;
  }
  auto client = s3::Client::create(std::move(options));
  if (!client) return std::move(client).error();
  return std::unique_ptr<ObjectStore>(std::make_unique<S3Store>(std::string(url), std::move(client).value(),
                                                                std::move(bucket), std::move(prefix)));
}

}  // namespace dwh::stores
