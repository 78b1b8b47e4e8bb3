#pragma once
// What every AWS service client shares: resolve the endpoint, sign, send, classify the
// answer, retry by the standard policy, correct clock skew, and back off together when
// throttled. Service files (s3.cpp, iam.cpp, ...) build requests and parse answers only.
//
// Headers ServiceClient::call adds: host (from the endpoint, default port omitted),
// x-amz-date, x-amz-security-token (temporary credentials), authorization, and
// User-Agent: dwhkit/0.1 (unsigned, as in botocore). For S3 it also sets x-amz-content-sha256:
//   - a caller that knows the body's SHA-256 (or wants UNSIGNED-PAYLOAD) sets that header;
//     its value is what gets signed;
//   - a string body is hashed;
//   - a streamed body (body_source) is sent as UNSIGNED-PAYLOAD over https, where TLS already
//     protects it, and is hashed by reading it once before sending over plain http, so that
//     no unprotected body goes unsigned. Non-S3 services always sign the payload hash.
// Retries: see retry.hpp. Every retry is logged (warn) as a JSON line with service,
// operation, attempt, delay_ms, code and http_status; never a header or a secret.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dwh/aws/client_options.hpp"
#include "dwh/aws/config.hpp"
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/retry.hpp"

namespace dwh::aws {

enum class Protocol { RestXml, Query, Json };

inline constexpr std::string_view kUserAgent = "dwhkit/0.1";

struct ServiceInfo {
  std::string service_id;       // "S3"
  std::string endpoint_prefix;  // "s3"
  std::string signing_name;     // "s3"
  Protocol protocol = Protocol::RestXml;
  bool s3_signing = false;  // S3 signing rules
  bool global = false;      // IAM: one endpoint, signed for us-east-1
};

struct CallOptions {
  // Inspects a 2xx answer; an Error returned here fails the attempt like an error answer
  // would (and is retried when retryable). S3 answers CompleteMultipartUpload and CopyObject
  // with 200 and an <Error> document when it fails late.
  std::function<std::optional<Error>(const HttpResponse&)> validate;
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
  Result<HttpResponse> call(std::string_view operation, HttpRequest request, BodySink* sink,
                            const CallOptions& call_options);

  [[nodiscard]] const Endpoint& endpoint() const { return endpoint_; }
  [[nodiscard]] const std::string& region() const { return region_; }
  [[nodiscard]] const ServiceInfo& info() const { return info_; }
  [[nodiscard]] const ClientOptions& options() const { return options_; }
  RetryPolicy& retry_policy() { return *retry_; }
  Result<Credentials> credentials() { return options_.credentials->get(); }
  // Current wall time corrected by the measured clock skew.
  [[nodiscard]] std::chrono::system_clock::time_point signing_time() const;
  [[nodiscard]] std::chrono::milliseconds clock_skew() const {
    return std::chrono::milliseconds(clock_skew_ms_.load());
  }
  SharedBackoff& shared_backoff() { return *backoff_; }

 private:
  ServiceClient(ServiceInfo info, ClientOptions options, std::string region, Endpoint endpoint);
  // Fills `request` with host, dates, token, payload hash and signature for one attempt.
  Status sign_request(HttpRequest& request, const HeaderList& caller_headers,
                      const std::string& payload_hash);
  // ClockSkew answers: adopts the server's clock from the Date header when it is off by more
  // than kSkewThreshold; false when there is nothing to correct (so no retry).
  bool correct_clock_skew(const HttpResponse* response);
  ServiceInfo info_;
  ClientOptions options_;
  std::string region_;
  Endpoint endpoint_;
  std::unique_ptr<RetryPolicy> retry_;
  std::unique_ptr<SharedBackoff> backoff_;
  std::atomic<std::int64_t> clock_skew_ms_{0};
  std::string origin_;     // scheme://host[:port] of the endpoint
  std::string base_path_;  // the endpoint's path, "" or "/base" (prefixed to request paths)
};

// Error-document parsers per protocol, exposed for tests and the fuzzer. They never fail:
// a body that cannot be parsed yields an Error whose message says so and quotes a prefix.
// An empty body (HEAD) is coded from the status: 301 PermanentRedirect, 403 Forbidden,
// 404 NotFound, ... Codes and request ids are found by local name anywhere in the document
// (S3: <Error> at the root; query: <ErrorResponse><Error>; EC2: <Response><Errors><Error>).
Error parse_xml_error(int http_status, std::string_view body);  // rest-xml and query
// JSON: code from x-amzn-ErrorType, else __type (namespace before '#' dropped), else code;
// message from message / Message / errorMessage.
Error parse_json_error(int http_status, std::string_view body, std::string_view amzn_error_type_header);
// The Error for an answer, by protocol: parsed body, request id from the headers when the body
// has none (x-amz-request-id, x-amzn-RequestId), and S3's x-amz-bucket-region hint on 301.
// service and operation are left for the caller.
Error error_from_response(Protocol protocol, const HttpResponse& response);
// Hides the values after markers such as "Signature=", "X-Amz-Security-Token=",
// "Authorization:" and <SignatureProvided>, for any text quoted from a peer.
std::string redact_secrets(std::string_view text);

}  // namespace dwh::aws
