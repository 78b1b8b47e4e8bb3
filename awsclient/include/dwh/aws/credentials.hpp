#pragma once
// AWS credentials and the provider chain (environment, shared files, container, IMDSv2),
// wrapped in one caching provider that is safe to share across threads.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "dwh/result.hpp"

namespace dwh::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when not temporary
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string provider;  // which provider produced them: "environment", "shared-file", ...
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> get() = 0;
};

class HttpClient;

// The default chain in the AWS SDKs' order. `http` is used for the container and IMDS providers.
// The returned provider caches and refreshes before expiry; get() is thread-safe.
std::shared_ptr<CredentialsProvider> default_credentials_chain(std::shared_ptr<HttpClient> http);

// Fixed credentials, for tests and for callers that already hold them.
std::shared_ptr<CredentialsProvider> static_credentials(Credentials creds);

}  // namespace dwh::aws
