// SigV4's hashing steps over OpenSSL: SHA-256 of the canonical request and payload, and the
// HMAC-SHA256 chain that derives the signing key and the signature.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "dwh/aws/sigv4.hpp"
#include "dwh/core/hash.hpp"

namespace dwh::aws::sigv4 {
namespace {

constexpr std::size_t kSha256Bytes = 32;

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  const auto* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  // Only an allocation failure inside OpenSSL gets here; no request can be signed then.
  if (result == nullptr || len != kSha256Bytes) throw std::runtime_error("HMAC-SHA256 failed");
  return {reinterpret_cast<const char*>(out.data()), len};
}

}  // namespace

std::string signing_key(std::string_view secret, const SigningConfig& cfg) {
  const std::string date = amz_date(cfg.time).substr(0, 8);
  std::string k = hmac_sha256("AWS4" + std::string(secret), date);
  k = hmac_sha256(k, cfg.region);
  k = hmac_sha256(k, cfg.service);
  return hmac_sha256(k, "aws4_request");
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return core::hex(hmac_sha256(signing_key, string_to_sign));
}

}  // namespace dwh::aws::sigv4
