#pragma once
// Hashing over OpenSSL, once for the whole toolkit: lower-case hex, SHA-256 of a whole text
// (SigV4's payload hash, manifest checksums), and an incremental MD5 or SHA-256 for bodies that
// are streamed rather than held (S3 parts and downloads, objects verified against manifests).
#include <string>
#include <string_view>

namespace dwh::core {

std::string hex(std::string_view bytes);  // lower-case
// Throws std::runtime_error only when OpenSSL cannot allocate its context.
std::string sha256_hex(std::string_view data);

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

}  // namespace dwh::core
