#include "dwh/stores/object_store.hpp"

#include <array>

namespace dwh::stores {

Status ObjectStore::put(const std::string& key, std::string_view bytes) {
  auto writer = open_writer(key);
  if (!writer) return std::move(writer).error();
  if (auto s = (*writer)->write(bytes); !s) return s;
  return (*writer)->commit();
}

Result<std::string> ObjectStore::get_range(const std::string& key, std::uint64_t offset,
                                           std::uint64_t length) {
  auto all = get(key);
  if (!all) return all;
  if (offset >= all->size()) return std::string();
  return all->substr(offset, length);
}

Status ObjectStore::put(const std::string& key, aws::BodySource& body) {
  auto writer = open_writer(key);
  if (!writer) return std::move(writer).error();
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    auto n = body.read(buffer);
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    if (auto s = (*writer)->write(std::string_view(buffer.data(), *n)); !s) return s;
  }
  return (*writer)->commit();
}

Result<std::unique_ptr<ObjectStore>> open_store(std::string_view url, aws::ClientOptions s3_options) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) {
    return make_error("InvalidStoreUrl", "store URL '" + std::string(url) +
                                             "' has no scheme: use file:///path or s3://bucket/prefix");
  }
  const std::string_view scheme = url.substr(0, colon);
  if (scheme == "file") return open_file_store(url);
  if (scheme == "s3") return open_s3_store(url, std::move(s3_options));
  return make_error("UnknownStoreScheme", "store URL scheme '" + std::string(scheme) +
                                              "' is not supported: use file:///path or s3://bucket/prefix");
}

}  // namespace dwh::stores
