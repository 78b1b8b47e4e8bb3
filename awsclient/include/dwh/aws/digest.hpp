#pragma once
// An incremental MD5 or SHA-256 (OpenSSL EVP), for bodies that are streamed rather than held:
// S3 parts and downloads, and the objects the jobs verify against their manifests.
#include <string>
#include <string_view>

namespace dwh::aws {

class StreamDigest {
 public:
  enum class Kind { Md5, Sha256 };
  explicit StreamDigest(Kind kind);
  ~StreamDigest();
  StreamDigest(const StreamDigest&) = delete;
  StreamDigest& operator=(const StreamDigest&) = delete;
  void update(std::string_view bytes);
  void reset();
  std::string finish();  // raw digest; ends this round, reset() starts another
  std::string finish_hex();

 private:
  Kind kind_;
  void* ctx_;  // EVP_MD_CTX*
};

}  // namespace dwh::aws
