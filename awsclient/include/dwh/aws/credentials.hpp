#pragma once
// AWS credentials and the provider chain (environment, shared files, container, IMDSv2),
// wrapped in one caching provider that is safe to share across threads.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when not temporary
  std::optional<std::chrono::system_clock::time_point> expiration;
  std::string provider;  // which provider produced them: "environment", "shared-files", "container", "imds"
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  virtual Result<Credentials> get() = 0;
};

class HttpClient;

// Error code of a provider whose source is not configured (a variable unset, no such profile,
// IMDS disabled or silent). The chain moves on to the next provider after it; any other
// error stops the chain, as botocore's does (partial credentials, a container endpoint that
// fails, a malformed file). The chain's own "nothing found" error has this code too.
inline constexpr std::string_view kNoCredentials = "NoCredentials";

// The default chain in the AWS SDKs' order. `http` is used for the container and IMDS providers.
// The returned provider caches and refreshes before expiry; get() is thread-safe.
std::shared_ptr<CredentialsProvider> default_credentials_chain(std::shared_ptr<HttpClient> http);

// Fixed credentials, for tests and for callers that already hold them.
std::shared_ptr<CredentialsProvider> static_credentials(Credentials creds);

// The chain's members, usable on their own. None of them caches.
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN), and
// AWS_CREDENTIAL_EXPIRATION (ISO 8601) when the keys are temporary.
std::shared_ptr<CredentialsProvider> environment_credentials();
// aws_access_key_id / aws_secret_access_key / aws_session_token of the active profile
// (AWS_PROFILE), from the credentials file, else from the config file.
std::shared_ptr<CredentialsProvider> profile_credentials();

// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or _FULL_URI, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN as the Authorization header.
struct ContainerCredentialsOptions {
  std::chrono::milliseconds timeout{2000};  // botocore: 2 s
  int attempts = 3;                         // botocore: 3, one second apart
  std::chrono::milliseconds retry_pause{1000};
};
std::shared_ptr<CredentialsProvider> container_credentials(std::shared_ptr<HttpClient> http,
                                                           ContainerCredentialsOptions options = {});

// EC2 instance metadata, IMDSv2 (token PUT, then the role and its credentials). Endpoint:
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else the profile's ec2_metadata_service_endpoint, else
// http://169.254.169.254 (http://[fd00:ec2::254] when the endpoint mode is IPv6). Timeout
// AWS_METADATA_SERVICE_TIMEOUT seconds (default 1), attempts AWS_METADATA_SERVICE_NUM_ATTEMPTS
// (default 1). AWS_EC2_METADATA_DISABLED=true turns it off.
std::shared_ptr<CredentialsProvider> imds_credentials(std::shared_ptr<HttpClient> http);

struct NamedProvider {
  std::string name;  // used in the NoCredentials message: "environment: AWS_ACCESS_KEY_ID not set; ..."
  std::shared_ptr<CredentialsProvider> provider;
};
// Tries providers in order. The first success wins and is then asked alone on later calls
// (botocore refreshes from the provider that won). A kNoCredentials answer moves on; any
// other error is returned at once, prefixed with the provider's name. When all decline:
// kNoCredentials, listing each provider and why it declined.
std::shared_ptr<CredentialsProvider> credentials_chain(std::vector<NamedProvider> providers);

// Caching and refresh, as botocore's RefreshableCredentials:
//   - credentials without an expiration are kept for good;
//   - inside the advisory window (default 15 min before expiry) one caller refreshes while
//     the others keep using the current credentials, and a failed refresh keeps them;
//   - inside the mandatory window (default 10 min) callers wait for the refresh, and a
//     failure is returned;
//   - refreshed credentials that are already expired are an error.
// get() is thread-safe. Logs "credentials resolved" with the provider's name on first
// success and "credentials refreshed" after each refresh; never a key, secret or token.
struct CachingOptions {
  std::chrono::seconds advisory_window{15 * 60};
  std::chrono::seconds mandatory_window{10 * 60};
  std::function<std::chrono::system_clock::time_point()> clock;  // null: system_clock::now
};
std::shared_ptr<CredentialsProvider> caching_credentials(std::shared_ptr<CredentialsProvider> inner,
                                                         CachingOptions options = {});

// "2016-02-25T06:03:31Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace dwh::aws
