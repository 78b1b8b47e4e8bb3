// file:///path: objects are files under a root directory. Writes go to a hidden temporary file
// in the target directory and are renamed into place, so a key is either absent or complete.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <system_error>

#include "dwh/stores/object_store.hpp"

namespace dwh::stores {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTempMarker = ".dwh-tmp-";

Error store_error(const std::string& what, int err) {
  return make_error(err == EACCES || err == EPERM ? "PermissionDenied" : "StoreError",
                    what + ": " + std::strerror(err));
}

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::ostringstream out;
  out << std::hex << rng();
  return out.str();
}

bool is_temporary(const fs::path& p) {
  return p.filename().string().find(kTempMarker) != std::string::npos;
}

Status check_key(const std::string& key) {
  if (key.empty() || key.front() == '/' || key.find("..") != std::string::npos ||
      key.find('\\') != std::string::npos) {
    return make_error("InvalidKey", "object key '" + key + "' is not a relative path");
  }
  return {};
}

class FileWriter final : public ObjectWriter {
 public:
  FileWriter(int fd, fs::path temp, fs::path target)
      : fd_(fd), temp_(std::move(temp)), target_(std::move(target)) {}
  ~FileWriter() override { abort(); }

  Status write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return store_error("cannot write " + temp_.string(), errno);
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

  Status commit() override {
    // fsync before rename: after a machine crash the key holds the whole object or nothing.
    if (::fsync(fd_) != 0) return store_error("cannot sync " + temp_.string(), errno);
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    fs::rename(temp_, target_, ec);
    if (ec) return make_error("StoreError", "cannot rename into " + target_.string() + ": " + ec.message());
    done_ = true;
    return {};
  }

  void abort() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!done_) {
      std::error_code ec;
      fs::remove(temp_, ec);
      done_ = true;
    }
  }

 private:
  int fd_;
  fs::path temp_;
  fs::path target_;
  bool done_ = false;
};

class FileStore final : public ObjectStore {
 public:
  FileStore(std::string url, fs::path root) : url_(std::move(url)), root_(std::move(root)) {}

  const std::string& url() const override { return url_; }

  Status check() override {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) {
      return make_error("StoreUnavailable",
                        "landing directory " + root_.string() + " does not exist (" + url_ + ")");
    }
    if (::access(root_.c_str(), W_OK | X_OK) != 0)
      return store_error("landing directory " + root_.string(), errno);
    return {};
  }

  Result<std::unique_ptr<ObjectWriter>> open_writer(const std::string& key) override {
    if (auto s = check_key(key); !s) return std::move(s).error();
    const fs::path target = root_ / key;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return make_error("StoreError", "cannot create " + target.parent_path().string() + ": " + ec.message());
    fs::path temp = target.parent_path() /
                    ("." + target.filename().string() + std::string(kTempMarker) + random_suffix());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return store_error("cannot create " + temp.string(), errno);
    return std::unique_ptr<ObjectWriter>(std::make_unique<FileWriter>(fd, std::move(temp), target));
  }

  Result<std::string> get(const std::string& key) override {
    if (auto s = check_key(key); !s) return std::move(s).error();
    const fs::path p = root_ / key;
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return make_error("NoSuchKey", "no object " + key + " in " + url_);
      return store_error("cannot read " + p.string(), errno);
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  Result<std::string> get_range(const std::string& key, std::uint64_t offset, std::uint64_t length) override {
    if (auto s = check_key(key); !s) return std::move(s).error();
    const fs::path p = root_ / key;
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return make_error("NoSuchKey", "no object " + key + " in " + url_);
      return store_error("cannot read " + p.string(), errno);
    }
    std::string out(length, '\0');
    std::size_t got = 0;
    while (got < length) {
      const ssize_t n = ::pread(fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int err = errno;
        ::close(fd);
        return store_error("cannot read " + p.string(), err);
      }
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    out.resize(got);
    return out;
  }

  Result<std::vector<StoredObject>> list(const std::string& prefix) override {
    std::vector<StoredObject> out;
    // Walk only the deepest directory the prefix names.
    const auto slash = prefix.rfind('/');
    const fs::path start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
    std::error_code ec;
    if (!fs::is_directory(start, ec)) return out;
    fs::recursive_directory_iterator it(start, ec), end;
    if (ec) return make_error("StoreError", "cannot list " + start.string() + ": " + ec.message());
    for (; it != end; it.increment(ec)) {
      if (ec) return make_error("StoreError", "cannot list " + start.string() + ": " + ec.message());
      if (!it->is_regular_file(ec) || is_temporary(it->path())) continue;
      std::string key = fs::relative(it->path(), root_, ec).generic_string();
      if (key.rfind(prefix, 0) != 0) continue;
      out.push_back({std::move(key), static_cast<std::uint64_t>(it->file_size(ec))});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
  }

  Status remove(const std::string& key) override {
    if (auto s = check_key(key); !s) return s;
    std::error_code ec;
    fs::remove(root_ / key, ec);
    if (ec) return make_error("StoreError", "cannot remove " + (root_ / key).string() + ": " + ec.message());
    return {};
  }

  Result<bool> exists(const std::string& key) override {
    if (auto s = check_key(key); !s) return std::move(s).error();
    std::error_code ec;
    return fs::is_regular_file(root_ / key, ec);
  }

  Status remove_incomplete(const std::string& prefix) override {
    const auto slash = prefix.rfind('/');
    const fs::path start = slash == std::string::npos ? root_ : root_ / prefix.substr(0, slash);
    std::error_code ec;
    if (!fs::is_directory(start, ec)) return {};
    std::vector<fs::path> stale;
    for (fs::recursive_directory_iterator it(start, ec), end; !ec && it != end; it.increment(ec)) {
      if (is_temporary(it->path())) stale.push_back(it->path());
    }
    if (ec) return make_error("StoreError", "cannot list " + start.string() + ": " + ec.message());
    for (const auto& p : stale) fs::remove(p, ec);
    return {};
  }

 private:
  std::string url_;
  fs::path root_;
};

}  // namespace

Result<std::unique_ptr<ObjectStore>> open_file_store(std::string_view url) {
  constexpr std::string_view kScheme = "file://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return make_error("InvalidStoreUrl", "'" + std::string(url) + "' is not a file:// URL");
  }
  std::string path(url.substr(kScheme.size()));
  if (path.empty() || path.front() != '/') {
    return make_error("InvalidStoreUrl", "'" + std::string(url) + "': use an absolute path, file:///dir");
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return std::unique_ptr<ObjectStore>(std::make_unique<FileStore>(std::string(url), fs::path(path)));
}

}  // namespace dwh::stores
