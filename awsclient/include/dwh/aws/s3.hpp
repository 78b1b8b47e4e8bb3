#pragma once
// Amazon S3: buckets, objects, listings, versions and streaming multipart upload.
// Built on ServiceClient (signing, retries, errors); this layer validates input, builds
// requests, parses answers and checks integrity. Every upload carries Content-MD5 (and
// single PUTs x-amz-checksum-sha256); every download is checked against what S3 returns.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/aws/config.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/service_client.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws::s3 {

inline constexpr std::size_t kMaxKeyBytes = 1024;
inline constexpr std::uint64_t kMinPartSize = 5ull << 20;  // every part but the last
inline constexpr std::uint64_t kMaxPartSize = 5ull << 30;
inline constexpr int kMaxParts = 10000;
inline constexpr std::size_t kMaxDeleteBatch = 1000;  // keys per DeleteObjects request
inline constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

ServiceInfo service_info();  // {"S3", "s3", "s3", RestXml, s3_signing}

// ---- Names and addressing (pure; no request is ever sent for a name that fails these) ----

// S3's bucket naming rules; the error (code InvalidBucketName) names the rule broken.
Status validate_bucket_name(std::string_view bucket);
// Non-empty, valid UTF-8, at most 1,024 bytes (code InvalidKey / KeyTooLongError).
Status validate_key(std::string_view key);
// Key as it goes in a path: each byte except unreserved characters and '/' percent-encoded.
std::string encode_key(std::string_view key);
// x-amz-copy-source value: "bucket/encoded-key[?versionId=...]".
std::string copy_source(std::string_view bucket, std::string_view key, std::string_view version_id = {});

struct Address {
  std::string endpoint;  // scheme://host[:port]
  std::string path;      // encoded path, starts with '/'
};
// Virtual-hosted style (bucket.host) for DNS-safe names on a standard endpoint; path style
// when forced, on a custom endpoint (AWS_ENDPOINT_URL*), or for names with dots
// (s3_use_virtual_host in endpoints.hpp decides).
bool use_virtual_host(const Endpoint& endpoint, bool force_path_style, std::string_view bucket);
Address address(const Endpoint& endpoint, bool force_path_style, std::string_view bucket,
                std::string_view key = {});

// ---- Digests used for integrity ----
std::string md5_base64(std::string_view data);
std::string md5_hex(std::string_view data);
std::string sha256_base64(std::string_view data);

// ---- Multipart sizing (pure) ----
// Part size for part `part_number` (1-based). With a known total the size is fixed and large
// enough for 10,000 parts; with an unknown total it doubles every 1,000 parts (capped at 5 GiB)
// when `grow` is set, so about 4.9 TiB fit under the part limit.
std::uint64_t part_size_for(int part_number, std::uint64_t base_part_size,
                            std::optional<std::uint64_t> total_size, bool grow);

// ---- Value types ----

enum class Versioning { Unversioned, Enabled, Suspended };
enum class SseAlgorithm { None, Aes256, Kms };

struct BucketEncryption {
  SseAlgorithm algorithm = SseAlgorithm::Aes256;
  std::string kms_key_id;  // Kms only; empty: the AWS-managed key
  bool bucket_key_enabled = false;
};

struct PublicAccessBlock {
  bool block_public_acls = true;
  bool ignore_public_acls = true;
  bool block_public_policy = true;
  bool restrict_public_buckets = true;
};

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct BucketSummary {
  std::string name;
  std::string creation_date;
};

struct PutOptions {
  std::string content_type;                     // empty: S3's default
  std::map<std::string, std::string> metadata;  // x-amz-meta-<name>
  SseAlgorithm sse = SseAlgorithm::None;        // None: the bucket default
  std::string sse_kms_key_id;
  bool checksum_sha256 = true;  // single PUTs: send x-amz-checksum-sha256 as well as Content-MD5
};

struct PutResult {
  std::string etag;  // without quotes
  std::string version_id;
};

struct ObjectInfo {
  std::uint64_t content_length = 0;
  std::string etag;  // without quotes
  std::string last_modified;
  std::string content_type;
  std::string version_id;
  std::string content_range;           // ranged GETs
  std::string server_side_encryption;  // "AES256", "aws:kms", ...
  std::string sse_kms_key_id;
  std::string checksum_sha256;  // base64, when S3 returned it
  std::string checksum_crc32;
  std::map<std::string, std::string> metadata;  // x-amz-meta-*, names lower-cased without prefix
  bool delete_marker = false;
  // What a download was checked against: "content-length", "etag-md5", "checksum-sha256".
  std::vector<std::string> verified;
};

struct ByteRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;  // inclusive; nullopt: to the end
};

struct GetOptions {
  std::optional<ByteRange> range;
  std::string version_id;
  // Ask S3 for stored checksums (x-amz-checksum-mode: ENABLED) and check SHA-256 ones.
  bool checksum_mode = false;
  // Check a full download's MD5 against a single-part, non-KMS ETag.
  bool verify_etag = true;
};

struct ListObjectsRequest {
  std::string prefix;
  std::string delimiter;
  std::string continuation_token;
  std::string start_after;
  int max_keys = 0;  // 0: S3's default (1,000)
};

struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
  std::string storage_class;
};

struct ListObjectsPage {
  std::vector<ObjectSummary> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
};

struct ListVersionsRequest {
  std::string prefix;
  std::string delimiter;
  std::string key_marker;
  std::string version_id_marker;
  int max_keys = 0;
};

struct ObjectVersion {
  std::string key;
  std::string version_id;
  bool is_latest = false;
  bool is_delete_marker = false;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;
};

struct ListVersionsPage {
  std::vector<ObjectVersion> versions;  // versions and delete markers, in the answer's order
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};

struct ObjectId {
  std::string key;
  std::string version_id;  // empty: the current version
};

struct DeleteFailure {
  std::string key;
  std::string version_id;
  std::string code;
  std::string message;
};

struct DeleteObjectsResult {
  std::vector<ObjectId> deleted;
  std::vector<DeleteFailure> failures;  // per-key errors S3 reported
};

struct CopyOptions {
  std::string source_version_id;
  // Replace the metadata instead of copying it (x-amz-metadata-directive: REPLACE).
  std::optional<PutOptions> replace_metadata;
};

struct CopyResult {
  std::string etag;
  std::string last_modified;
  std::string version_id;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // without quotes
  std::uint64_t size = 0;
};

struct ListPartsPage {
  std::vector<CompletedPart> parts;
  bool is_truncated = false;
  int next_part_number_marker = 0;
};

// Instrumentation for the streaming uploader (tests and benchmarks).
struct UploadStats {
  std::atomic<std::uint64_t> buffered_bytes{0};       // part buffers allocated now
  std::atomic<std::uint64_t> peak_buffered_bytes{0};  // the most ever allocated at once
  std::atomic<int> parts_uploaded{0};
  std::atomic<int> max_parts_in_flight{0};
};

struct UploadOptions {
  std::uint64_t part_size = 8ull << 20;  // at least kMinPartSize
  int max_in_flight = 4;                 // parts read or uploading at once; memory ≈ part_size × this
  bool grow_part_size = true;            // unknown total: grow parts so 10,000 are never needed
  int max_parts = kMaxParts;             // a lower limit may be set (never above 10,000)
  PutOptions put;
  UploadStats* stats = nullptr;
};

class Client;

// RAII guard for one multipart upload: aborts it on destruction unless complete() succeeded
// (or abort() was called). Thread-safe for concurrent upload_part calls.
class MultipartUpload {
 public:
  static Result<MultipartUpload> start(Client& client, std::string bucket, std::string key,
                                       const PutOptions& options = {});
  MultipartUpload(MultipartUpload&& other) noexcept;
  MultipartUpload& operator=(MultipartUpload&&) = delete;
  MultipartUpload(const MultipartUpload&) = delete;
  ~MultipartUpload();

  [[nodiscard]] const std::string& upload_id() const { return upload_id_; }
  Result<CompletedPart> upload_part(int part_number, std::string_view data);
  // Parts in any order; sorted here. Marks the upload complete only on success.
  Result<PutResult> complete(std::vector<CompletedPart> parts);
  Status abort();
  [[nodiscard]] bool finished() const { return done_; }

 private:
  MultipartUpload(Client& client, std::string bucket, std::string key, std::string upload_id);
  Client* client_;
  std::string bucket_;
  std::string key_;
  std::string upload_id_;
  bool done_ = false;
};

class Client {
 public:
  // Resolves region, endpoint and credentials (see ServiceClient::create).
  static Result<std::unique_ptr<Client>> create(ClientOptions options);
  explicit Client(std::unique_ptr<ServiceClient> service);

  ServiceClient& service() { return *service_; }

  // ---- Buckets ----
  Result<std::vector<BucketSummary>> list_buckets();
  Status create_bucket(std::string_view bucket);  // LocationConstraint outside us-east-1
  Status head_bucket(std::string_view bucket);    // 404 comes back as code NoSuchBucket
  Status delete_bucket(std::string_view bucket);
  Result<Versioning> get_bucket_versioning(std::string_view bucket);
  Status put_bucket_versioning(std::string_view bucket, Versioning state);
  // nullopt when the bucket has no default-encryption configuration.
  Result<std::optional<BucketEncryption>> get_bucket_encryption(std::string_view bucket);
  Status put_bucket_encryption(std::string_view bucket, const BucketEncryption& config);
  Status delete_bucket_encryption(std::string_view bucket);
  // nullopt when the bucket has none.
  Result<std::optional<PublicAccessBlock>> get_public_access_block(std::string_view bucket);
  Status put_public_access_block(std::string_view bucket, const PublicAccessBlock& config);
  Status delete_public_access_block(std::string_view bucket);
  Result<std::vector<Tag>> get_bucket_tagging(std::string_view bucket);  // empty when none
  Status put_bucket_tagging(std::string_view bucket, const std::vector<Tag>& tags);
  Status delete_bucket_tagging(std::string_view bucket);

  // ---- Objects ----
  Result<PutResult> put_object(std::string_view bucket, std::string_view key, std::string_view body,
                               const PutOptions& options = {});
  // Streams `body`, which must know its size and rewind (it is read once for the checksums).
  // Use upload() for a stream of unknown length.
  Result<PutResult> put_object(std::string_view bucket, std::string_view key, BodySource& body,
                               const PutOptions& options = {});
  // Streams the object into `sink`, checking length, ETag (MD5) or checksum where S3 gives one.
  Result<ObjectInfo> get_object(std::string_view bucket, std::string_view key, BodySink& sink,
                                const GetOptions& options = {});
  Result<std::string> get_object_string(std::string_view bucket, std::string_view key,
                                        const GetOptions& options = {});
  Result<ObjectInfo> head_object(std::string_view bucket, std::string_view key,
                                 std::string_view version_id = {});
  Status delete_object(std::string_view bucket, std::string_view key, std::string_view version_id = {});
  // Any number of keys, sent 1,000 per request; per-key failures are reported, not fatal.
  Result<DeleteObjectsResult> delete_objects(std::string_view bucket, std::span<const ObjectId> objects);
  Result<ListObjectsPage> list_objects_v2(std::string_view bucket, const ListObjectsRequest& request = {});
  // Follows continuation tokens through every page.
  Result<ListObjectsPage> list_all_objects(std::string_view bucket, std::string_view prefix = {},
                                           std::string_view delimiter = {});
  Result<CopyResult> copy_object(std::string_view source_bucket, std::string_view source_key,
                                 std::string_view bucket, std::string_view key,
                                 const CopyOptions& options = {});
  Result<ListVersionsPage> list_object_versions(std::string_view bucket,
                                                const ListVersionsRequest& request = {});
  // Deletes every object version and delete marker (and, unversioned, every object).
  // Returns how many were deleted; fails if S3 reported any per-key failure.
  Result<std::uint64_t> empty_bucket(std::string_view bucket);

  // ---- Multipart, request by request ----
  Result<std::string> create_multipart_upload(std::string_view bucket, std::string_view key,
                                              const PutOptions& options = {});
  Result<CompletedPart> upload_part(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                    int part_number, std::string_view data);
  Result<PutResult> complete_multipart_upload(std::string_view bucket, std::string_view key,
                                              std::string_view upload_id, std::vector<CompletedPart> parts);
  Status abort_multipart_upload(std::string_view bucket, std::string_view key, std::string_view upload_id);
  Result<ListPartsPage> list_parts(std::string_view bucket, std::string_view key, std::string_view upload_id,
                                   int part_number_marker = 0);

  // ---- Streaming upload ----
  // Reads `source` (length unknown is fine) part by part and uploads parts in parallel with at
  // most max_in_flight part buffers alive. A source shorter than one part becomes one PutObject.
  // Any failure aborts the multipart upload.
  Result<PutResult> upload(std::string_view bucket, std::string_view key, BodySource& source,
                           const UploadOptions& options = {});

 private:
  friend class MultipartUpload;
  [[nodiscard]] HttpRequest request(std::string method, std::string_view bucket,
                                    std::string_view key = {}) const;
  // Sends one operation; errors get "(s3://bucket/key)" appended to their message.
  // `error_in_200`: the answer may be 200 with an <Error> body (CopyObject,
  // CompleteMultipartUpload); such an answer then fails the attempt and is retried if retryable.
  Result<HttpResponse> call(std::string_view operation, std::string_view bucket, std::string_view key,
                            HttpRequest request, BodySink* sink = nullptr, bool error_in_200 = false);
  [[nodiscard]] Status check_bucket(std::string_view bucket) const;
  [[nodiscard]] Status check_object(std::string_view bucket, std::string_view key) const;
  Result<DeleteObjectsResult> delete_batch(std::string_view bucket, std::span<const ObjectId> objects);

  std::unique_ptr<ServiceClient> service_;
};

}  // namespace dwh::aws::s3
