#pragma once
// Transfer manager over the S3 client: files and directory trees to and from S3, many objects
// in parallel, large files as streamed multipart uploads. Used by `dwh aws s3 cp` and the
// jobs' stores; the per-request work (checksums, retries) stays in s3.hpp.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "dwh/aws/s3.hpp"

namespace dwh::aws::s3 {

struct TransferOptions {
  int concurrency = 10;  // objects in flight at once (the AWS CLI's default is 10 too)
  std::uint64_t multipart_threshold = 8ull << 20;  // files at least this large go multipart
  UploadOptions upload;                            // part size and parts in flight per file
};

struct TransferStats {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
};

// A local file as a streamed request body (read with pread, so rewinding is free).
class FileSource final : public BodySource {
 public:
  static Result<std::unique_ptr<FileSource>> open(const std::filesystem::path& path);
  ~FileSource() override;
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return size_; }
  Result<std::size_t> read(std::span<char> out) override;
  bool rewind() override {
    offset_ = 0;
    return true;
  }

 private:
  FileSource(int fd, std::uint64_t size, std::string path) : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_;
  std::uint64_t size_;
  std::uint64_t offset_ = 0;
  std::string path_;
};

// A local file as a response body. It writes to "<path>.dwh-part" and renames on commit(), so a
// failed download never leaves a partial file under the real name.
class FileSink final : public BodySink {
 public:
  static Result<std::unique_ptr<FileSink>> create(const std::filesystem::path& path);
  ~FileSink() override;
  Status write(std::string_view bytes) override;
  bool rewind() override;
  Status commit();

 private:
  FileSink(int fd, std::filesystem::path path, std::filesystem::path temp)
      : fd_(fd), path_(std::move(path)), temp_(std::move(temp)) {}
  int fd_;
  std::filesystem::path path_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

Result<PutResult> upload_file(Client& client, const std::filesystem::path& file, std::string_view bucket,
                              std::string_view key, const TransferOptions& options = {});
Result<ObjectInfo> download_file(Client& client, std::string_view bucket, std::string_view key,
                                 const std::filesystem::path& file);

// Every regular file under `dir` to s3://bucket/prefix<relative path>, in parallel.
// Stops at the first failure and reports the file that failed.
Result<TransferStats> upload_directory(Client& client, const std::filesystem::path& dir,
                                       std::string_view bucket, std::string_view prefix,
                                       const TransferOptions& options = {});
// Every object under s3://bucket/prefix to dir/<key without prefix>, in parallel.
Result<TransferStats> download_prefix(Client& client, std::string_view bucket, std::string_view prefix,
                                      const std::filesystem::path& dir, const TransferOptions& options = {});

}  // namespace dwh::aws::s3
