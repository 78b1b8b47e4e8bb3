#include "dwh/aws/retry.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "dwh/aws/config.hpp"
#include "dwh/core/log.hpp"

namespace dwh::aws {
namespace {

// botocore/retries/standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES.
constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

// botocore's TransientRetryableChecker._TRANSIENT_ERROR_CODES, plus InternalError (see header).
constexpr std::array<std::string_view, 4> kTransientCodes = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "InternalError",
};

// Every 5xx is a server-side failure that may pass, except the two that say the server will
// never handle this request (botocore retries only 500/502/503/504; 507, 509 and the like from
// proxies in front of an endpoint are worth retrying too).
constexpr std::array<int, 2> kPermanentServerStatuses = {501 /* Not Implemented */, 505 /* HTTP Version */};
constexpr bool is_transient_status(int status) {
  return status >= 500 && status <= 599 &&
         std::find(kPermanentServerStatuses.begin(), kPermanentServerStatuses.end(), status) ==
             kPermanentServerStatuses.end();
}

// The Java SDK v2's clock-skew codes (RetryUtils / ClockSkew).
constexpr std::array<std::string_view, 6> kClockSkewCodes = {
    "RequestTimeTooSkewed",      "RequestExpired",        "RequestInTheFuture",
    "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
};

constexpr int kTooManyRequests = 429;

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

bool is_throttling_code(std::string_view code) {
  return contains(kThrottlingCodes, code);
}
bool is_transient_code(std::string_view code) {
  return contains(kTransientCodes, code);
}
bool is_clock_skew_code(std::string_view code) {
  return contains(kClockSkewCodes, code);
}

std::string_view to_string(RetryClass c) {
  switch (c) {
    case RetryClass::NotRetryable:
      return "not-retryable";
    case RetryClass::Throttling:
      return "throttling";
    case RetryClass::Transient:
      return "transient";
    case RetryClass::Timeout:
      return "timeout";
    case RetryClass::ClockSkew:
      return "clock-skew";
  }
  return "unknown";
}

std::string_view to_string(RetryPolicy::Stop s) {
  switch (s) {
    case RetryPolicy::Stop::None:
      return "none";
    case RetryPolicy::Stop::NotRetryable:
      return "not retryable";
    case RetryPolicy::Stop::MaxAttempts:
      return "max attempts reached";
    case RetryPolicy::Stop::QuotaExhausted:
      return "retry quota exhausted";
  }
  return "unknown";
}

RetryClass classify(const Error& error) {
  if (error.http_status == 0) {
    // No answer arrived: the transport decided whether trying again may help.
    if (!error.transient) return RetryClass::NotRetryable;
    return error.code == "Timeout" ? RetryClass::Timeout : RetryClass::Transient;
  }
  if (is_throttling_code(error.code) || error.http_status == kTooManyRequests) return RetryClass::Throttling;
  if (is_clock_skew_code(error.code)) return RetryClass::ClockSkew;
  if (is_transient_code(error.code)) return RetryClass::Transient;
  if (is_transient_status(error.http_status)) return RetryClass::Transient;
  // A connection that broke after the status line arrived (reset mid-body).
  if (error.transient) return error.code == "Timeout" ? RetryClass::Timeout : RetryClass::Transient;
  return RetryClass::NotRetryable;
}

namespace {

std::optional<int> positive_int(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
  return value;
}

}  // namespace

RetryConfig RetryConfig::from_environment() {
  RetryConfig config;
  // As botocore: the environment variable, then the active profile's max_attempts.
  std::string text;
  std::string source = "AWS_MAX_ATTEMPTS";
  if (const char* env = std::getenv("AWS_MAX_ATTEMPTS"); env != nullptr && *env != '\0') {
    text = env;
  } else if (auto profile = load_config_profile(active_profile_name())) {
    auto it = profile->find("max_attempts");
    if (it == profile->end() || it->second.empty()) return config;
    text = it->second;
    source = "max_attempts in profile '" + active_profile_name() + "'";
  } else {
    return config;
  }
  auto value = positive_int(text);
  if (!value) {
    log::warn("ignoring " + source + ": not an integer >= 1", {{"default", config.max_attempts}});
    return config;
  }
  config.max_attempts = *value;
  return config;
}

RetryPolicy::RetryPolicy(RetryConfig config, Random random)
    : config_(config), random_(std::move(random)), quota_(config.initial_quota) {}

std::chrono::milliseconds RetryPolicy::backoff(int next_attempt, double r) const {
  // 2^(attempt-1) overflows nothing useful beyond 2^30; the cap applies long before.
  const int exponent = std::clamp(next_attempt - 2, 0, 30);
  const double ceiling = std::min(static_cast<double>(config_.base_delay.count()) * std::ldexp(1.0, exponent),
                                  static_cast<double>(config_.max_backoff.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::clamp(r, 0.0, 1.0) * ceiling));
}

std::optional<std::chrono::milliseconds> RetryPolicy::on_failure(Token& token, const Error& error) {
  return on_failure(token, classify(error));
}

std::optional<std::chrono::milliseconds> RetryPolicy::on_failure(Token& token, RetryClass retry_class) {
  if (retry_class == RetryClass::NotRetryable) {
    token.stop = Stop::NotRetryable;
    return std::nullopt;
  }
  if (token.attempt >= config_.max_attempts) {
    token.stop = Stop::MaxAttempts;
    return std::nullopt;
  }
  const int cost = retry_class == RetryClass::Timeout ? config_.timeout_retry_cost : config_.retry_cost;
  double r = 0;
  {
    std::lock_guard lock(mu_);
    if (cost > quota_) {
      token.stop = Stop::QuotaExhausted;
      return std::nullopt;
    }
    quota_ -= cost;
    r = random_ ? random_() : 0.0;
  }
  token.last_cost = cost;
  ++token.attempt;
  token.stop = Stop::None;
  return backoff(token.attempt, r);
}

void RetryPolicy::on_success(const Token& token) {
  const int refund = token.last_cost > 0 ? token.last_cost : config_.no_retry_increment;
  std::lock_guard lock(mu_);
  quota_ = std::min(config_.initial_quota, quota_ + refund);
}

int RetryPolicy::quota() const {
  std::lock_guard lock(mu_);
  return quota_;
}

SharedBackoff::SharedBackoff(Clock clock) : clock_(std::move(clock)) {}

void SharedBackoff::push_back_until(std::chrono::steady_clock::time_point t) {
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::int64_t current = not_before_ns_.load();
  while (ns > current && !not_before_ns_.compare_exchange_weak(current, ns)) {
  }
}

std::chrono::milliseconds SharedBackoff::wait_needed() const {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_().time_since_epoch()).count();
  const std::int64_t gap = not_before_ns_.load() - now;
  if (gap <= 0) return std::chrono::milliseconds(0);
  // Round up so a caller that sleeps this long is never still early.
  return std::chrono::milliseconds((gap + 999'999) / 1'000'000);
}

}  // namespace dwh::aws
