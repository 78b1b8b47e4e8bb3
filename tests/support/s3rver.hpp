#pragma once
// The local S3 server for integration tests: @20minutes/s3rver, which checks SigV4 signatures.
// It starts on first use (so tests that do not need it pay nothing), on 127.0.0.1 with a
// free port and a fresh data directory, and is stopped when the test process exits. The
// child also dies with the test process if that crashes (PR_SET_PDEATHSIG, which follows
// the thread that started it: call instance() first from the test's main thread).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/aws/http.hpp"
#include "dwh/aws/service_client.hpp"
#include "process.hpp"

namespace dwh::test {

class S3rver {
 public:
  static constexpr const char* kAccessKey = "S3RVER";
  static constexpr const char* kSecretKey = "S3RVER";
  static constexpr const char* kRegion = "us-east-1";

  // Starts the shared server if needed; throws std::runtime_error with the reason (node or
  // the npm package missing, or the server not answering) if it cannot.
  static S3rver& instance();

  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  int port() const { return port_; }
  std::string endpoint() const;  // "http://127.0.0.1:<port>"
  const std::string& data_dir() const { return data_dir_; }

  // Options for our clients: this endpoint, static S3RVER credentials, us-east-1, path style.
  aws::ClientOptions client_options() const;
  // The same but signing with another secret (the server must refuse it).
  aws::ClientOptions client_options_with_secret(std::string secret) const;

  // The environment a user would set to point `dwh` at this server: S3RVER credentials from the
  // environment, AWS_ENDPOINT_URL, us-east-1, and no profile, shared files or IMDS to fall back on.
  std::map<std::string, std::string> cli_environment() const;

  // Runs Debian's AWS CLI (/usr/bin/aws) against this server with a self-contained
  // environment: S3RVER credentials, path-style addressing, no IMDS, no pager.
  ProcessResult aws_cli(const std::vector<std::string>& args) const;

 private:
  S3rver();
  void start();
  int port_ = 0;
  int pid_ = -1;
  std::string data_dir_;
  std::string work_dir_;  // log and AWS CLI config live here
};

// A bucket name no other test in this run uses: "<prefix>-<pid>-<counter>".
std::string unique_bucket(std::string_view prefix);

// Deterministic pseudo-random bytes: byte i of the stream for `seed`. Payloads that
// compress badly and can be regenerated anywhere without storing them.
std::string random_bytes(std::size_t n, std::uint64_t seed);
void fill_random(std::uint64_t offset, std::span<char> out, std::uint64_t seed);

// A body source streaming random_bytes(size, seed). With known_size=false it does not tell
// its length, like a pipe.
class GeneratedSource final : public aws::BodySource {
 public:
  GeneratedSource(std::uint64_t size, std::uint64_t seed, bool known_size = false)
      : size_(size), seed_(seed), known_size_(known_size) {}
  std::optional<std::uint64_t> size() const override;
  Result<std::size_t> read(std::span<char> out) override;
  bool rewind() override;
  std::uint64_t position() const { return pos_; }

 private:
  std::uint64_t size_;
  std::uint64_t seed_;
  bool known_size_;
  std::uint64_t pos_ = 0;
};

// A sink that keeps only the MD5 and the byte count of what it was given.
class Md5Sink final : public aws::BodySink {
 public:
  Md5Sink();
  ~Md5Sink() override;
  Status write(std::string_view bytes) override;
  bool rewind() override;
  std::string hex();  // ends the digest
  std::uint64_t bytes() const { return bytes_; }

 private:
  void* ctx_;
  std::uint64_t bytes_ = 0;
};

// MD5 hex of random_bytes(size, seed), computed in pieces.
std::string random_md5(std::uint64_t size, std::uint64_t seed);

}  // namespace dwh::test
