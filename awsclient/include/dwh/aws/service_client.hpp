#pragma once
// What every AWS service client shares: resolve the endpoint, sign, send, classify the
// answer, retry by the standard policy, correct clock skew, and back off together when
// throttled. Service files (s3.cpp, iam.cpp, ...) build requests and parse answers only.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "dwh/aws/config.hpp"
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/retry.hpp"

namespace dwh::aws {

enum class Protocol { RestXml, Query, Json };

struct ClientOptions {
  std::string region;                       // empty: resolve_region()
  std::optional<std::string> endpoint_url;  // overrides resolution (tests)
  std::shared_ptr<CredentialsProvider> credentials;  // null: default chain
  std::shared_ptr<HttpClient> http;                  // null: curl
  std::optional<RetryConfig> retry;                  // null: from environment
  RetryPolicy::Random random;                        // null: std::mt19937 seeded from random_device
  SharedBackoff::Clock clock;                        // null: steady_clock::now
  std::function<void(std::chrono::milliseconds)> sleep;  // null: this_thread::sleep_for
  std::function<std::chrono::system_clock::time_point()> wall_clock;  // null: system_clock::now
  bool s3_force_path_style = false;
};

struct ServiceInfo {
  std::string service_id;       // "S3"
  std::string endpoint_prefix;  // "s3"
  std::string signing_name;     // "s3"
  Protocol protocol = Protocol::RestXml;
  bool s3_signing = false;      // S3 signing rules
  bool global = false;          // IAM: one endpoint, signed for us-east-1
};

class ServiceClient {
 public:
  // Validates the configuration (region, endpoint, credentials chain) up front.
  static Result<std::unique_ptr<ServiceClient>> create(ServiceInfo info, ClientOptions options);

  // Sends one operation with retries. `request.endpoint` may be left empty to use the
  // resolved endpoint. A body source or sink is rewound before each retry.
  // Non-2xx answers come back as an Error carrying service, operation, status, code,
  // message and request id, parsed by the service's protocol.
  Result<HttpResponse> call(std::string_view operation, HttpRequest request, BodySink* sink = nullptr);

  const Endpoint& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }
  const ServiceInfo& info() const { return info_; }
  const ClientOptions& options() const { return options_; }
  RetryPolicy& retry_policy() { return *retry_; }
  Result<Credentials> credentials() { return options_.credentials->get(); }
  // Current wall time corrected by the measured clock skew.
  std::chrono::system_clock::time_point signing_time() const;

 private:
  ServiceClient(ServiceInfo info, ClientOptions options, std::string region, Endpoint endpoint);
  ServiceInfo info_;
  ClientOptions options_;
  std::string region_;
  Endpoint endpoint_;
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<SharedBackoff> backoff_;
  std::atomic<std::int64_t> clock_skew_ms_{0};
};

// Error-document parsers per protocol, exposed for tests and the fuzzer. They never fail:
// a body that cannot be parsed yields an Error whose message says so and quotes a prefix.
Error parse_xml_error(int http_status, std::string_view body);   // rest-xml and query
Error parse_json_error(int http_status, std::string_view body, std::string_view amzn_error_type_header);

}  // namespace dwh::aws
