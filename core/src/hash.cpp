#include "dwh/core/hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace dwh::core {

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return hex({reinterpret_cast<const char*>(out.data()), len});
}

StreamDigest::StreamDigest(Kind kind) : kind_(kind), ctx_(EVP_MD_CTX_new()) {
  reset();
}

StreamDigest::~StreamDigest() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void StreamDigest::reset() {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), kind_ == Kind::Md5 ? EVP_md5() : EVP_sha256(), nullptr);
}

void StreamDigest::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

std::string StreamDigest::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &n);
  return {reinterpret_cast<const char*>(out), n};
}

std::string StreamDigest::finish_hex() {
  return hex(finish());
}

}  // namespace dwh::core
