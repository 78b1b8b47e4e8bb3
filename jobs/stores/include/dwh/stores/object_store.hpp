#pragma once
// One small interface over the landing zone: a directory tree (file:///path) or an S3 prefix
// (s3://bucket/prefix). Keys are relative, '/'-separated ("sales_order/2026/11/21/x.jsonl.gz").
//
// Writes are all-or-nothing: a reader never sees a partly written object under its key. The
// file store writes a temporary file and renames it; the S3 store relies on PUT and
// CompleteMultipartUpload being atomic.
//
// Error codes: "UnknownStoreScheme" / "InvalidStoreUrl" (bad input), "NoSuchKey",
// "StoreUnavailable" (the directory or bucket does not exist or cannot be reached),
// "StoreError" (anything else); S3 errors keep their AWS code.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/core/result.hpp"

namespace dwh::stores {

struct StoredObject {
  std::string key;
  std::uint64_t size = 0;
};

// A streamed write. Bytes are not visible under the key until commit() succeeds; destroying
// an uncommitted writer (or abort()) leaves nothing behind.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status write(std::string_view bytes) = 0;
  virtual Status commit() = 0;
  virtual void abort() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The store's URL as given (it never holds a secret), for messages.
  [[nodiscard]] virtual const std::string& url() const = 0;
  // Fails with "StoreUnavailable" when the directory or bucket is not there or not reachable.
  virtual Status check() = 0;

  virtual Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key) = 0;
  virtual Status put(const std::string& key, std::string_view bytes);
  // Streams `body` (its length may be unknown).
  virtual Status put(const std::string& key, aws::BodySource& body);
  virtual Result<std::string> get(const std::string& key) = 0;
  // Up to `length` bytes from `offset` (fewer at the end of the object; "" past it), so large
  // objects can be streamed. The default reads the whole object; both stores do better.
  virtual Result<std::string> get_range(const std::string& key, std::uint64_t offset, std::uint64_t length);
  // Every object whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<StoredObject>> list(const std::string& prefix) = 0;
  // Removing a missing key is not an error.
  virtual Status remove(const std::string& key) = 0;
  virtual Result<bool> exists(const std::string& key) = 0;
  // Removes what writers that never committed (a killed process) left under `prefix`: the file
  // store's temporary files. S3 keeps no such thing visible; incomplete multipart uploads are
  // for the bucket's AbortIncompleteMultipartUpload lifecycle rule.
  virtual Status remove_incomplete(const std::string& prefix) = 0;
};

// file:///absolute/path (the directory must exist).
Result<std::unique_ptr<ObjectStore>> open_file_store(std::string_view url);
// s3://bucket[/prefix]; `options` configure the client (endpoint, credentials; tests).
Result<std::unique_ptr<ObjectStore>> open_s3_store(std::string_view url, aws::ClientOptions options = {});
// By scheme; anything but file:// and s3:// is "UnknownStoreScheme", naming the scheme.
Result<std::unique_ptr<ObjectStore>> open_store(std::string_view url, aws::ClientOptions s3_options = {});

}  // namespace dwh::stores
