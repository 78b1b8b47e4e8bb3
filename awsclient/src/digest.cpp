#include "dwh/aws/digest.hpp"

#include <openssl/evp.h>

#include "dwh/aws/sigv4.hpp"

namespace dwh::aws {

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
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string StreamDigest::finish_hex() {
  return sigv4::hex(finish());
}

}  // namespace dwh::aws
