// Container credentials (ECS task roles, EKS Pod Identity): a GET to the endpoint named by
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, as the SDKs' container provider does.
#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "credentials_internal.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/sigv4_request_text.hpp"
#include "url_parts.hpp"

namespace dwh::aws {
namespace {

constexpr const char* kProviderName = "container";
constexpr const char* kRelativeVar = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr const char* kFullVar = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr const char* kTokenVar = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
constexpr const char* kTokenFileVar = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
constexpr std::string_view kEcsHost = "169.254.170.2";
// Plain http is allowed only to these hosts and loopback: ECS's agent, EKS Pod Identity's.
constexpr std::array<std::string_view, 3> kAllowedHttpHosts = {kEcsHost, "169.254.170.23", "fd00:ec2::23"};

Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("ContainerAuthorizationToken",
                      "cannot read " + std::string(kTokenFileVar) + " " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string token = buf.str();
  // Files written by `echo` end in a newline that is not part of the token.
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  return token;
}

class ContainerProvider final : public CredentialsProvider {
 public:
  ContainerProvider(std::shared_ptr<HttpClient> http, ContainerCredentialsOptions options)
      : http_(std::move(http)), options_(options) {}

  Result<Credentials> get() override {
    const std::string relative = detail::env_value(kRelativeVar);
    const std::string full = detail::env_value(kFullVar);
    if (relative.empty() && full.empty()) {
      return detail::declined(std::string(kRelativeVar) + " and " + kFullVar + " not set");
    }
    // The relative form wins when both are set, as in every SDK.
    const char* var = relative.empty() ? kFullVar : kRelativeVar;
    const std::string url = relative.empty() ? full : "http://" + std::string(kEcsHost) + relative;
    auto parts = detail::split_url(url);
    if (!parts || (!relative.empty() && !relative.starts_with("/"))) {
      return make_error("InvalidContainerCredentialsUri",
                        std::string(var) + " does not form a valid URL: " + url);
    }
    if (relative.empty() && parts->scheme != "https" && !detail::is_loopback_host(parts->host) &&
        std::find(kAllowedHttpHosts.begin(), kAllowedHttpHosts.end(), parts->host) ==
            kAllowedHttpHosts.end()) {
      return make_error("InvalidContainerCredentialsUri",
                        std::string(kFullVar) + " host '" + parts->host +
                            "' is not allowed over http: use https, a loopback address, 169.254.170.2, "
                            "169.254.170.23 or [fd00:ec2::23]");
    }

    HttpRequest request;
    request.method = "GET";
    request.endpoint = parts->origin();
    request.path = parts->path.empty() ? "/" : parts->path;
    request.query = decode_query(parts->query);
    request.headers.emplace_back("Accept", "application/json");
    // Read on every fetch: EKS rotates the token file under a running process.
    std::string token;
    if (auto file = detail::env_value(kTokenFileVar); !file.empty()) {
      auto read = read_token_file(file);
      if (!read) return std::move(read).error();
      token = std::move(read).value();
    } else {
      token = detail::env_value(kTokenVar);
    }
    if (token.find_first_of("\r\n") != std::string::npos) {
      return make_error("ContainerAuthorizationToken",
                        "the container authorization token contains a line break");
    }
    if (!token.empty()) request.headers.emplace_back("Authorization", token);
    request.connect_timeout = options_.timeout;
    request.request_timeout = options_.timeout;
    if (!http_) return make_error("NoHttpClient", "no HTTP client to reach " + url);

    std::string failure;
    for (int attempt = 1; attempt <= std::max(1, options_.attempts); ++attempt) {
      if (attempt > 1) std::this_thread::sleep_for(options_.retry_pause);
      auto response = http_->send(request);
      if (!response) {
        failure = response.error().message;
        continue;
      }
      if (response->status >= 500) {
        failure = "HTTP " + std::to_string(response->status);
        continue;
      }
      if (response->status != 200) return answered_error(url, *response);
      return detail::parse_credentials_document(response->body, kProviderName);
    }
    return make_error(
        "ContainerCredentialsUnavailable",
        url + " failed " + std::to_string(std::max(1, options_.attempts)) + " time(s): " + failure);
  }

 private:
  // A 4xx answer. Its body is an error document ({"code","message"}), not credentials, but
  // only those two fields are quoted, so nothing else it holds can reach a log.
  static Error answered_error(const std::string& url, const HttpResponse& response) {
    std::string message = url + " answered HTTP " + std::to_string(response.status);
    auto doc = nlohmann::json::parse(response.body, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
      for (const char* key : {"code", "Code", "message", "Message"}) {
        if (auto it = doc.find(key); it != doc.end() && it->is_string()) {
          message += std::string(", ") + key + ": " + it->get<std::string>().substr(0, 200);
        }
      }
    }
    Error e = make_error("ContainerCredentialsError", std::move(message));
    e.http_status = response.status;
    return e;
  }

  std::shared_ptr<HttpClient> http_;
  ContainerCredentialsOptions options_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> container_credentials(std::shared_ptr<HttpClient> http,
                                                           ContainerCredentialsOptions options) {
  return std::make_shared<ContainerProvider>(std::move(http), options);
}

}  // namespace dwh::aws
