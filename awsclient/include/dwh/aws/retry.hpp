#pragma once
// The AWS "standard" retry mode as a pure policy object: max attempts, exponential
// back-off with full jitter and a cap, and a retry quota. Clock and randomness are
// injected so tests are deterministic.
//
// Numbers and lists follow botocore 1.29 (botocore/retries/standard.py, quota.py):
//   - 3 attempts; AWS_MAX_ATTEMPTS (or the profile's max_attempts) overrides.
//   - quota 500, a retry costs 5, a retry after a timeout costs 10; a success refunds what
//     its last retry took, or 1 when it needed no retry (never above 500).
//   - throttling: botocore's 14 throttling codes, plus HTTP 429 (as the Java and Go SDKs do);
//   - transient: RequestTimeout, RequestTimeoutException, PriorRequestNotComplete, HTTP 500,
//     502, 503, 504, and connection failures; we add InternalError, which S3 can put in the
//     body of a 200 answer (CompleteMultipartUpload, CopyObject) where no status reveals it.
// Back-off is "full jitter": random() * min(base_delay * 2^(attempt-1), max_backoff), with
// base 1 s and cap 20 s as in botocore (which computes min(random() * 2^(attempt-1), 20) s).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::aws {

struct RetryConfig {
  int max_attempts = 3;  // AWS_MAX_ATTEMPTS overrides
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_backoff{20000};
  int initial_quota = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
  // AWS_MAX_ATTEMPTS, else the active profile's max_attempts, when it holds an integer >= 1
  // (anything else is ignored with a warning). AWS_RETRY_MODE is not read: always "standard".
  static RetryConfig from_environment();
};

enum class RetryClass { NotRetryable, Throttling, Transient, Timeout, ClockSkew };
std::string_view to_string(RetryClass c);

// Classifies a failed attempt (AWS error code, HTTP status, transport failure).
// ClockSkew (RequestTimeTooSkewed, RequestExpired, RequestInTheFuture, InvalidSignatureException,
// SignatureDoesNotMatch, AuthFailure) is retryable only after the caller corrected its clock:
// ServiceClient treats it as NotRetryable unless the answer's Date header shows a skew, so a
// wrong secret is never retried.
RetryClass classify(const Error& error);
bool is_throttling_code(std::string_view code);
bool is_transient_code(std::string_view code);
bool is_clock_skew_code(std::string_view code);

// Thread-safe: one instance per client, shared by all threads using that client.
class RetryPolicy {
 public:
  using Random = std::function<double()>;  // uniform in [0, 1)
  RetryPolicy(RetryConfig config, Random random);

  enum class Stop { None, NotRetryable, MaxAttempts, QuotaExhausted };

  struct Token {             // per-request state
    int attempt = 1;         // the attempt that just ran (1-based)
    int last_cost = 0;       // quota taken by the latest retry, refunded on success
    Stop stop = Stop::None;  // why on_failure gave up
  };

  // After a failed attempt: the delay before the next one, or nullopt to give up
  // (attempts exhausted, not retryable, or quota empty; token.stop says which). Takes quota
  // and advances token.attempt when it allows a retry.
  std::optional<std::chrono::milliseconds> on_failure(Token& token, const Error& error);
  std::optional<std::chrono::milliseconds> on_failure(Token& token, RetryClass retry_class);
  // After a successful attempt: refunds quota.
  void on_success(const Token& token);
  int quota() const;
  const RetryConfig& config() const { return config_; }

  // The back-off before attempt `next_attempt` (2, 3, ...) for a random draw r in [0, 1).
  std::chrono::milliseconds backoff(int next_attempt, double r) const;

 private:
  RetryConfig config_;
  Random random_;
  mutable std::mutex mu_;  // guards quota_ and random_; taken once per failed or retried request only
  int quota_;
};

std::string_view to_string(RetryPolicy::Stop s);

// "Not before" gate shared by every thread of a client: when one request is throttled,
// all of them wait until the same instant (ClickHouse's S3 client does the same).
class SharedBackoff {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit SharedBackoff(Clock clock);
  void push_back_until(std::chrono::steady_clock::time_point t);  // only ever moves later
  // Time to wait before sending now (zero when the gate is open).
  [[nodiscard]] std::chrono::milliseconds wait_needed() const;

 private:
  Clock clock_;
  std::atomic<std::int64_t> not_before_ns_{0};
};

}  // namespace dwh::aws
