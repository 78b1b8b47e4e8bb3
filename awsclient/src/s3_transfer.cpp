#include "dwh/aws/s3_transfer.hpp"

#include <fcntl.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for_each.h>
#include <oneapi/tbb/task_arena.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <vector>

namespace dwh::aws::s3 {
namespace fs = std::filesystem;
namespace {

Error io_error(std::string_view what, const fs::path& path, int err) {
  return make_error("LocalIOError", std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// The first failure of a parallel transfer. Workers check `failed` (an atomic) before starting
// an object; the mutex is taken only on the failure path.
class FirstFailure {
 public:
  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void record(Error e) {
    std::lock_guard lock(mu_);
    if (!failed_.exchange(true)) error_ = std::move(e);
  }
  Error take() { return std::move(error_); }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Error error_;
};

// Network-bound work: run `concurrency` tasks at once even on a 2-core machine.
template <class Items, class Fn>
void run_parallel(Items& items, int concurrency, Fn&& fn) {
  const int n = std::max(1, concurrency);
  tbb::global_control allow(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(static_cast<std::size_t>(n) + 1,
                            tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
  tbb::task_arena arena(n);
  arena.execute([&] { tbb::parallel_for_each(items.begin(), items.end(), fn); });
}

std::string join_key(std::string_view prefix, const std::string& relative) {
  std::string key(prefix);
  if (!key.empty() && key.back() != '/') key.push_back('/');
  key += relative;
  return key;
}

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::open(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("LocalIOError", "not a regular file: " + path.string());
  }
  return std::unique_ptr<FileSource>(
      new FileSource(fd, static_cast<std::uint64_t>(st.st_size), path.string()));
}

FileSource::~FileSource() {
  ::close(fd_);
}

Result<std::size_t> FileSource::read(std::span<char> out) {
  if (offset_ >= size_ || out.empty()) return std::size_t{0};
  for (;;) {
    ssize_t n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path_, errno);
    offset_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
  }
}

Result<std::unique_ptr<FileSink>> FileSink::create(const fs::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec)
    return make_error("LocalIOError",
                      "cannot create directory " + path.parent_path().string() + ": " + ec.message());
  fs::path temp = path;
  temp += ".dwh-part";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", temp, errno);
  return std::unique_ptr<FileSink>(new FileSink(fd, path, std::move(temp)));
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Status FileSink::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", temp_, errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

bool FileSink::rewind() {
  return ::ftruncate(fd_, 0) == 0 && ::lseek(fd_, 0, SEEK_SET) == 0;
}

Status FileSink::commit() {
  if (::close(fd_) != 0) {
    fd_ = -1;
    return io_error("cannot close", temp_, errno);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) return io_error("cannot rename into", path_, errno);
  committed_ = true;
  return {};
}

Result<PutResult> upload_file(Client& client, const fs::path& file, std::string_view bucket,
                              std::string_view key, const TransferOptions& options) {
  auto source = FileSource::open(file);
  if (!source) return std::move(source).error();
  if (*(*source)->size() < options.multipart_threshold)
    return client.put_object(bucket, key, **source, options.upload.put);
  return client.upload(bucket, key, **source, options.upload);
}

Result<ObjectInfo> download_file(Client& client, std::string_view bucket, std::string_view key,
                                 const fs::path& file) {
  auto sink = FileSink::create(file);
  if (!sink) return std::move(sink).error();
  auto info = client.get_object(bucket, key, **sink);
  if (!info) return info;
  if (auto st = (*sink)->commit(); !st) return std::move(st).error();
  return info;
}

Result<TransferStats> upload_directory(Client& client, const fs::path& dir, std::string_view bucket,
                                       std::string_view prefix, const TransferOptions& options) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) return make_error("LocalIOError", "cannot walk " + dir.string() + ": " + ec.message());

  std::atomic<std::uint64_t> bytes{0};
  FirstFailure failure;
  run_parallel(files, options.concurrency, [&](const fs::path& file) {
    if (failure.failed()) return;
    const std::string key = join_key(prefix, fs::relative(file, dir).generic_string());
    auto put = upload_file(client, file, bucket, key, options);
    if (!put) {
      Error e = std::move(put).error();
      e.message += " (uploading " + file.string() + ")";
      failure.record(std::move(e));
      return;
    }
    std::error_code size_ec;
    bytes.fetch_add(fs::file_size(file, size_ec), std::memory_order_relaxed);
  });
  if (failure.failed()) return failure.take();
  return TransferStats{files.size(), bytes.load()};
}

Result<TransferStats> download_prefix(Client& client, std::string_view bucket, std::string_view prefix,
                                      const fs::path& dir, const TransferOptions& options) {
  auto listing = client.list_all_objects(bucket, prefix);
  if (!listing) return std::move(listing).error();
  std::vector<ObjectSummary>& objects = listing->objects;

  std::atomic<std::uint64_t> bytes{0};
  FirstFailure failure;
  run_parallel(objects, options.concurrency, [&](const ObjectSummary& object) {
    if (failure.failed()) return;
    std::string relative = object.key.substr(std::min(prefix.size(), object.key.size()));
    while (!relative.empty() && relative.front() == '/') relative.erase(0, 1);
    // A key may not climb out of the target directory.
    const fs::path target = (dir / relative).lexically_normal();
    if (relative.empty() || target.string().rfind(dir.lexically_normal().string(), 0) != 0) {
      failure.record(make_error(
          "InvalidKey", "object key " + object.key + " does not map to a file under " + dir.string()));
      return;
    }
    auto got = download_file(client, bucket, object.key, target);
    if (!got) {
      failure.record(std::move(got).error());
      return;
    }
    bytes.fetch_add(got->content_length, std::memory_order_relaxed);
  });
  if (failure.failed()) return failure.take();
  return TransferStats{objects.size(), bytes.load()};
}

}  // namespace dwh::aws::s3
