// S3 names and addressing: bucket and key validation, key encoding, virtual-hosted vs path
// style, and the digests used for integrity. All pure, so bad input never reaches the wire.
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "dwh/aws/endpoints.hpp"
#include "dwh/aws/s3.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace {

constexpr std::size_t kMinBucketLength = 3;
constexpr std::size_t kMaxBucketLength = 63;
constexpr int kPartsPerGrowthStep = 1000;

Error bucket_error(std::string_view bucket, std::string_view rule) {
  return make_error("InvalidBucketName",
                    "invalid S3 bucket name \"" + std::string(bucket) + "\": " + std::string(rule));
}

bool is_lower_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool looks_like_ipv4(std::string_view s) {
  int dots = 0;
  int digits = 0;
  for (char c : s) {
    if (c == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not well-formed
// (overlong forms, surrogates and code points above U+10FFFF are rejected).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::array<std::uint32_t, 5> kMinForLength = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string one_shot(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return {reinterpret_cast<const char*>(out), n};
}

}  // namespace

ServiceInfo service_info() {
  ServiceInfo info;
  info.service_id = "S3";
  info.endpoint_prefix = "s3";
  info.signing_name = "s3";
  info.protocol = Protocol::RestXml;
  info.s3_signing = true;
  return info;
}

Status validate_bucket_name(std::string_view b) {
  if (b.size() < kMinBucketLength || b.size() > kMaxBucketLength) {
    return bucket_error(b, "must be 3 to 63 characters long (is " + std::to_string(b.size()) + ")");
  }
  for (char c : b) {
    if (!is_lower_or_digit(c) && c != '.' && c != '-') {
      return bucket_error(b, "may contain only lowercase letters, digits, dots and hyphens");
    }
  }
  if (!is_lower_or_digit(b.front()) || !is_lower_or_digit(b.back())) {
    return bucket_error(b, "must begin and end with a lowercase letter or digit");
  }
  if (b.find("..") != std::string_view::npos) return bucket_error(b, "must not contain two adjacent dots");
  if (looks_like_ipv4(b)) return bucket_error(b, "must not be formatted as an IP address");
  for (std::string_view prefix : {"xn--", "sthree-", "amzn-s3-demo-"}) {
    if (b.starts_with(prefix))
      return bucket_error(b, "must not start with the reserved prefix \"" + std::string(prefix) + "\"");
  }
  for (std::string_view suffix : {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}) {
    if (b.ends_with(suffix))
      return bucket_error(b, "must not end with the reserved suffix \"" + std::string(suffix) + "\"");
  }
  return {};
}

Status validate_key(std::string_view key) {
  if (key.empty()) return make_error("InvalidKey", "S3 object key must not be empty");
  if (key.size() > kMaxKeyBytes) {
    return make_error("KeyTooLongError", "S3 object key is " + std::to_string(key.size()) +
                                             " bytes of UTF-8; the limit is " + std::to_string(kMaxKeyBytes) +
                                             " (key starts \"" + std::string(key.substr(0, 40)) + "...\")");
  }
  for (std::size_t i = 0; i < key.size();) {
    const std::size_t n = utf8_sequence_length(key, i);
    if (n == 0) {
      return make_error("InvalidKey",
                        "S3 object key is not valid UTF-8 (bad byte at offset " + std::to_string(i) + ")");
    }
    i += n;
  }
  return {};
}

std::string encode_key(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size() * 3);
  for (char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string copy_source(std::string_view bucket, std::string_view key, std::string_view version_id) {
  std::string out = std::string(bucket) + "/" + encode_key(key);
  if (!version_id.empty()) out += "?versionId=" + encode_key(version_id);
  return out;
}

bool use_virtual_host(const Endpoint& endpoint, bool force_path_style, std::string_view bucket) {
  return s3_use_virtual_host(bucket, endpoint, force_path_style);
}

Address address(const Endpoint& endpoint, bool force_path_style, std::string_view bucket,
                std::string_view key) {
  // Split "scheme://host[:port][/base]" into origin and base path.
  const std::size_t scheme_end = endpoint.url.find("://");
  const std::size_t host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const std::size_t path_start = endpoint.url.find('/', host_start);
  std::string origin = endpoint.url.substr(0, path_start);
  std::string base = path_start == std::string::npos ? "" : endpoint.url.substr(path_start);
  while (!base.empty() && base.back() == '/') base.pop_back();

  Address a;
  if (!bucket.empty() && use_virtual_host(endpoint, force_path_style, bucket)) {
    a.endpoint = origin.substr(0, host_start) + std::string(bucket) + "." + origin.substr(host_start);
    a.path = base + "/" + encode_key(key);
    return a;
  }
  a.endpoint = std::move(origin);
  a.path = base + "/";
  if (!bucket.empty()) {
    a.path += std::string(bucket);
    // "/bucket" for bucket operations, "/bucket/key" for objects.
    if (!key.empty()) a.path += "/" + encode_key(key);
  }
  return a;
}

std::string md5_base64(std::string_view data) {
  return detail::base64(one_shot(EVP_md5(), data));
}
std::string md5_hex(std::string_view data) {
  return detail::hex(one_shot(EVP_md5(), data));
}
std::string sha256_base64(std::string_view data) {
  return detail::base64(one_shot(EVP_sha256(), data));
}

std::uint64_t part_size_for(int part_number, std::uint64_t base, std::optional<std::uint64_t> total,
                            bool grow) {
  base = std::clamp(base, kMinPartSize, kMaxPartSize);
  if (total) {
    // Fixed size: the smallest whole MiB that fits the total in 10,000 parts.
    constexpr std::uint64_t kMiB = 1ull << 20;
    const std::uint64_t needed = (*total + kMaxParts - 1) / kMaxParts;
    const std::uint64_t rounded = (needed + kMiB - 1) / kMiB * kMiB;
    return std::min(std::max(base, rounded), kMaxPartSize);
  }
  if (!grow) return base;
  std::uint64_t size = base;
  for (int step = (part_number - 1) / kPartsPerGrowthStep; step > 0 && size < kMaxPartSize; --step) size *= 2;
  return std::min(size, kMaxPartSize);
}

}  // namespace dwh::aws::s3

namespace dwh::aws::s3::detail {

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace dwh::aws::s3::detail
