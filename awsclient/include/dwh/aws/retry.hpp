#pragma once
// The AWS "standard" retry mode as a pure policy object: max attempts, exponential
// back-off with full jitter and a cap, and a retry quota. Clock and randomness are
// injected so tests are deterministic.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "dwh/result.hpp"

namespace dwh::aws {

struct RetryConfig {
  int max_attempts = 3;  // AWS_MAX_ATTEMPTS overrides
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_backoff{20000};
  int initial_quota = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
  static RetryConfig from_environment();  // reads AWS_MAX_ATTEMPTS
};

enum class RetryClass { NotRetryable, Throttling, Transient, Timeout, ClockSkew };

// Classifies a failed attempt (AWS error code, HTTP status, transport failure).
RetryClass classify(const Error& error);

// Thread-safe: one instance per client, shared by all threads using that client.
class RetryPolicy {
 public:
  using Random = std::function<double()>;  // uniform in [0, 1)
  RetryPolicy(RetryConfig config, Random random);

  struct Token {  // per-request state
    int attempt = 1;
    int last_cost = 0;
  };

  // After a failed attempt: the delay before the next one, or nullopt to give up
  // (attempts exhausted, not retryable, or quota empty). Takes quota.
  std::optional<std::chrono::milliseconds> on_failure(Token& token, const Error& error);
  // After a successful attempt: refunds quota.
  void on_success(const Token& token);
  int quota() const;
  const RetryConfig& config() const { return config_; }

 private:
  RetryConfig config_;
  Random random_;
  mutable std::mutex mu_;  // guards quota_ and random_; taken once per failed or retried request only
  int quota_;
};

// "Not before" gate shared by every thread of a client: when one request is throttled,
// all of them wait until the same instant (ClickHouse's S3 client does the same).
class SharedBackoff {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit SharedBackoff(Clock clock);
  void push_back_until(std::chrono::steady_clock::time_point t);  // only ever moves later
  // Time to wait before sending now (zero when the gate is open).
  std::chrono::milliseconds wait_needed() const;
 private:
  Clock clock_;
  std::atomic<std::int64_t> not_before_ns_{0};
};

}  // namespace dwh::aws
