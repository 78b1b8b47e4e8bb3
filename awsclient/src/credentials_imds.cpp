// EC2 instance metadata credentials, IMDSv2: PUT a session token, then GET the role name and
// the role's credentials with it. Follows botocore's InstanceMetadataFetcher, except that a
// token PUT that gets no answer at all ends the attempt at once instead of trying IMDSv1 too:
// off EC2 that halves the time the chain spends before giving up.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "credentials_internal.hpp"
#include "dwh/aws/config.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/core/strings.hpp"
#include "url_parts.hpp"

namespace dwh::aws {
namespace {

constexpr const char* kProviderName = "imds";
constexpr std::string_view kDefaultEndpoint = "http://169.254.169.254";
constexpr std::string_view kDefaultEndpointIpv6 = "http://[fd00:ec2::254]";
constexpr std::string_view kTokenPath = "/latest/api/token";
constexpr std::string_view kRolePath = "/latest/meta-data/iam/security-credentials/";
constexpr std::string_view kTokenTtlSeconds = "21600";
constexpr std::chrono::milliseconds kDefaultTimeout{1000};

struct ImdsSettings {
  std::string base;  // origin plus any base path, no trailing slash
  std::chrono::milliseconds timeout = kDefaultTimeout;
  int attempts = 1;
};

// Environment first, then the active profile, as botocore's config chain reads them. A
// config file that does not parse has already stopped the chain at the shared-files provider.
std::string setting(const char* env_name, const char* profile_key, const std::optional<Profile>& profile) {
  if (auto v = detail::env_value(env_name); !v.empty()) return v;
  if (profile) {
    if (auto it = profile->find(profile_key); it != profile->end()) return it->second;
  }
  return {};
}

Result<ImdsSettings> load_settings() {
  std::optional<Profile> profile;
  if (auto shared = load_shared_config()) profile = shared->merged_profile(active_profile_name());

  ImdsSettings s;
  std::string endpoint =
      setting("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint", profile);
  if (endpoint.empty()) {
    auto mode = core::lower(
        setting("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode", profile));
    endpoint = std::string(mode == "ipv6" ? kDefaultEndpointIpv6 : kDefaultEndpoint);
  }
  auto parts = detail::split_url(endpoint);
  if (!parts || !parts->query.empty()) {
    return make_error("InvalidImdsEndpoint",
                      "instance metadata endpoint '" + endpoint + "' is not a valid http(s) URL");
  }
  std::string path = parts->path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  s.base = parts->origin() + path;

  if (auto t = setting("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", profile); !t.empty()) {
    double seconds = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), seconds);
    if (ec != std::errc() || end != t.data() + t.size() || seconds <= 0) {
      return make_error("InvalidImdsSetting",
                        "metadata service timeout '" + t + "' is not a positive number of seconds");
    }
    s.timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  if (auto n = setting("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", profile);
      !n.empty()) {
    int attempts = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), attempts);
    if (ec != std::errc() || end != n.data() + n.size() || attempts < 1) {
      return make_error("InvalidImdsSetting",
                        "metadata service attempts '" + n + "' is not a positive integer");
    }
    s.attempts = attempts;
  }
  return s;
}

class ImdsProvider final : public CredentialsProvider {
 public:
  explicit ImdsProvider(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {}

  Result<Credentials> get() override {
    if (core::lower(detail::env_value("AWS_EC2_METADATA_DISABLED")) == "true") {
      return detail::declined("disabled by AWS_EC2_METADATA_DISABLED");
    }
    auto settings = load_settings();
    if (!settings) return std::move(settings).error();
    if (!http_) return make_error("NoHttpClient", "no HTTP client to reach " + settings->base);
    const ImdsSettings& s = *settings;

    auto token = fetch_token(s);
    if (!token) return std::move(token).error();

    auto role = fetch(s, std::string(kRolePath), *token, "IAM role name");
    if (!role) return std::move(role).error();
    std::string role_name = role.value().substr(0, role.value().find_first_of("\r\n"));
    if (role_name.empty()) return detail::declined("no IAM role attached to the instance at " + s.base);

    auto document = fetch(s, std::string(kRolePath) + role_name, *token, "credentials of role " + role_name);
    if (!document) return std::move(document).error();
    auto creds = detail::parse_credentials_document(*document, kProviderName);
    // botocore treats an unusable answer here as "no credentials", not as a failure.
    if (!creds) return detail::declined(creds.error().message);
    return creds;
  }

 private:
  [[nodiscard]] HttpRequest request(const ImdsSettings& s, std::string method,
                                    const std::string& path) const {
    auto parts = detail::split_url(s.base + path);
    HttpRequest r;
    r.method = std::move(method);
    r.endpoint = parts->origin();
    r.path = parts->path;
    r.connect_timeout = s.timeout;
    r.request_timeout = s.timeout;
    return r;
  }

  // The IMDSv2 session token; nullopt when IMDS answers that it only speaks IMDSv1.
  Result<std::optional<std::string>> fetch_token(const ImdsSettings& s) const {
    HttpRequest r = request(s, "PUT", std::string(kTokenPath));
    r.headers.emplace_back("x-aws-ec2-metadata-token-ttl-seconds", std::string(kTokenTtlSeconds));
    std::string failure;
    bool answered = false;
    for (int attempt = 0; attempt < s.attempts; ++attempt) {
      auto response = http_->send(r);
      if (!response) {
        failure = response.error().message;
        continue;
      }
      answered = true;
      if (response->status == 200) return std::optional<std::string>{response->body};
      if (response->status == 403 || response->status == 404 || response->status == 405) {
        return std::optional<std::string>{};  // botocore falls back to IMDSv1 on these
      }
      if (response->status == 400)
        return detail::declined(s.base + std::string(kTokenPath) + " answered HTTP 400");
    }
    if (!answered) return detail::declined("no answer from " + s.base + " (" + failure + ")");
    return std::optional<std::string>{};  // 5xx: try IMDSv1, as botocore does
  }

  Result<std::string> fetch(const ImdsSettings& s, const std::string& path,
                            const std::optional<std::string>& token, const std::string& what) const {
    HttpRequest r = request(s, "GET", path);
    if (token) r.headers.emplace_back("x-aws-ec2-metadata-token", *token);
    std::string failure;
    for (int attempt = 0; attempt < s.attempts; ++attempt) {
      auto response = http_->send(r);
      if (!response) {
        failure = response.error().message;
        continue;
      }
      if (response->status == 200 && !response->body.empty()) return std::move(response->body);
      failure = response->status == 200 ? "an empty answer" : "HTTP " + std::to_string(response->status);
    }
    return detail::declined("cannot get the " + what + " from " + s.base + ": " + failure);
  }

  std::shared_ptr<HttpClient> http_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> imds_credentials(std::shared_ptr<HttpClient> http) {
  return std::make_shared<ImdsProvider>(std::move(http));
}

}  // namespace dwh::aws
