// The standard retry mode as a pure object: classification, back-off, attempts and quota,
// with injected randomness and clock so every figure is exact.
#include <gtest/gtest.h>

#include <deque>
#include <thread>
#include <vector>

#include "dwh/aws/retry.hpp"
#include "scoped_env.hpp"

namespace {

using dwh::Error;
using dwh::aws::classify;
using dwh::aws::RetryClass;
using dwh::aws::RetryConfig;
using dwh::aws::RetryPolicy;
using dwh::aws::SharedBackoff;
using namespace std::chrono_literals;

Error answer(int status, std::string code = {}) {
  Error e;
  e.http_status = status;
  e.code = std::move(code);
  return e;
}

Error transport(std::string code, bool transient = true) {
  Error e;
  e.code = std::move(code);
  e.transient = transient;
  return e;
}

// Random source that replays given values (then repeats the last).
RetryPolicy::Random replay(std::vector<double> values) {
  auto shared = std::make_shared<std::deque<double>>(values.begin(), values.end());
  return [shared] {
    double v = shared->front();
    if (shared->size() > 1) shared->pop_front();
    return v;
  };
}

TEST(RetryClassify, ThrottlingCodesMatchBotocore) {
  // botocore/retries/standard.py ThrottledRetryableChecker, all 14.
  for (const char* code :
       {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException"}) {
    EXPECT_EQ(classify(answer(400, code)), RetryClass::Throttling) << code;
  }
  EXPECT_EQ(classify(answer(503, "SlowDown")), RetryClass::Throttling);
  EXPECT_EQ(classify(answer(429)), RetryClass::Throttling);
  EXPECT_EQ(classify(answer(429, "SomethingElse")), RetryClass::Throttling);
}

TEST(RetryClassify, TransientCodesAndStatuses) {
  for (const char* code : {"RequestTimeout", "RequestTimeoutException", "InternalError"})
    EXPECT_EQ(classify(answer(400, code)), RetryClass::Transient) << code;
  EXPECT_EQ(classify(answer(200, "InternalError")), RetryClass::Transient);  // S3's late failure in a 200
  for (int status : {500, 502, 503, 504, 507, 599})
    EXPECT_EQ(classify(answer(status, "Whatever")), RetryClass::Transient) << status;
  // The two 5xx that say the server will never handle the request are final.
  EXPECT_EQ(classify(answer(501, "NotImplemented")), RetryClass::NotRetryable);
  EXPECT_EQ(classify(answer(505)), RetryClass::NotRetryable);
}

TEST(RetryClassify, ClientErrorsAreNotRetried) {
  for (const char* code : {"AccessDenied", "NoSuchKey", "InvalidBucketName", "BadRequest", "NoSuchBucket",
                           "ValidationException", "MalformedXML"})
    EXPECT_EQ(classify(answer(400, code)), RetryClass::NotRetryable) << code;
  EXPECT_EQ(classify(answer(404, "NotFound")), RetryClass::NotRetryable);
  EXPECT_EQ(classify(answer(403, "Forbidden")), RetryClass::NotRetryable);
}

TEST(RetryClassify, ClockSkewCodes) {
  for (const char* code : {"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
                           "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure"})
    EXPECT_EQ(classify(answer(403, code)), RetryClass::ClockSkew) << code;
}

TEST(RetryClassify, TransportFailures) {
  EXPECT_EQ(classify(transport("ConnectionReset")), RetryClass::Transient);
  EXPECT_EQ(classify(transport("ConnectionRefused")), RetryClass::Transient);
  EXPECT_EQ(classify(transport("Timeout")), RetryClass::Timeout);
  EXPECT_EQ(classify(transport("TlsError", false)), RetryClass::NotRetryable);
  EXPECT_EQ(classify(transport("BodySourceFailed", false)), RetryClass::NotRetryable);
}

TEST(RetryPolicy, FullJitterBackoffIsRandomTimesCappedExponential) {
  RetryConfig cfg;  // base 1 s, cap 20 s
  RetryPolicy p(cfg, replay({0.5}));
  EXPECT_EQ(p.backoff(2, 0.5), 500ms);      // 0.5 * 1 s
  EXPECT_EQ(p.backoff(3, 0.5), 1000ms);     // 0.5 * 2 s
  EXPECT_EQ(p.backoff(4, 0.5), 2000ms);     // 0.5 * 4 s
  EXPECT_EQ(p.backoff(6, 0.999), 15984ms);  // 0.999 * 16 s
  EXPECT_EQ(p.backoff(7, 0.999), 19980ms);  // 0.999 * min(32 s, 20 s)
  EXPECT_EQ(p.backoff(60, 0.5), 10000ms);   // far beyond: still capped, no overflow
  EXPECT_EQ(p.backoff(2, 0.0), 0ms);
}

TEST(RetryPolicy, OnFailureUsesTheInjectedRandomAndAdvancesTheAttempt) {
  RetryConfig cfg;
  cfg.max_attempts = 5;
  RetryPolicy p(cfg, replay({0.25, 0.75, 0.1}));
  RetryPolicy::Token t;
  EXPECT_EQ(p.on_failure(t, answer(503, "SlowDown")), 250ms);  // before attempt 2: 0.25 * 1 s
  EXPECT_EQ(t.attempt, 2);
  EXPECT_EQ(p.on_failure(t, answer(500)), 1500ms);  // before attempt 3: 0.75 * 2 s
  EXPECT_EQ(p.on_failure(t, answer(500)), 400ms);   // before attempt 4: 0.1 * 4 s
  EXPECT_EQ(t.attempt, 4);
}

TEST(RetryPolicy, StopsAtMaxAttempts) {
  RetryPolicy p(RetryConfig{}, replay({0.0}));
  RetryPolicy::Token t;
  EXPECT_TRUE(p.on_failure(t, answer(500)).has_value());   // attempt 1 failed: retry
  EXPECT_TRUE(p.on_failure(t, answer(500)).has_value());   // attempt 2 failed: retry
  EXPECT_FALSE(p.on_failure(t, answer(500)).has_value());  // attempt 3 failed: give up
  EXPECT_EQ(t.attempt, 3);
  EXPECT_EQ(t.stop, RetryPolicy::Stop::MaxAttempts);
  EXPECT_EQ(p.quota(), 500 - 2 * 5);
}

TEST(RetryPolicy, NotRetryableTakesNoQuota) {
  RetryPolicy p(RetryConfig{}, replay({0.0}));
  RetryPolicy::Token t;
  EXPECT_FALSE(p.on_failure(t, answer(400, "AccessDenied")).has_value());
  EXPECT_EQ(t.stop, RetryPolicy::Stop::NotRetryable);
  EXPECT_EQ(p.quota(), 500);
}

TEST(RetryPolicy, QuotaCostsAndRefundsMatchBotocore) {
  RetryConfig cfg;
  cfg.max_attempts = 10;
  RetryPolicy p(cfg, replay({0.0}));
  RetryPolicy::Token t;
  ASSERT_TRUE(p.on_failure(t, answer(503)).has_value());
  EXPECT_EQ(p.quota(), 495);  // a retry costs 5
  ASSERT_TRUE(p.on_failure(t, transport("Timeout")).has_value());
  EXPECT_EQ(p.quota(), 485);  // a retry after a timeout costs 10
  p.on_success(t);
  EXPECT_EQ(p.quota(), 495);  // success refunds what the last retry took (10)

  RetryPolicy::Token fresh;
  p.on_success(fresh);
  EXPECT_EQ(p.quota(), 496);  // success without retry refunds 1
  for (int i = 0; i < 10; ++i) p.on_success(fresh);
  EXPECT_EQ(p.quota(), 500);  // never above the initial 500
}

TEST(RetryPolicy, ExhaustedQuotaStopsRetriesUntilRefunded) {
  RetryConfig cfg;
  cfg.max_attempts = 100;
  cfg.initial_quota = 12;
  RetryPolicy p(cfg, replay({0.0}));
  RetryPolicy::Token t;
  EXPECT_TRUE(p.on_failure(t, answer(500)).has_value());   // 12 -> 7
  EXPECT_TRUE(p.on_failure(t, answer(500)).has_value());   // 7 -> 2
  EXPECT_FALSE(p.on_failure(t, answer(500)).has_value());  // 5 > 2
  EXPECT_EQ(t.stop, RetryPolicy::Stop::QuotaExhausted);
  EXPECT_EQ(p.quota(), 2);
  RetryPolicy::Token other;
  EXPECT_FALSE(p.on_failure(other, transport("Timeout")).has_value());  // 10 > 2: other requests too
  RetryPolicy::Token ok;
  for (int i = 0; i < 3; ++i) p.on_success(ok);  // 2 -> 5
  RetryPolicy::Token again;
  EXPECT_TRUE(p.on_failure(again, answer(500)).has_value());
  EXPECT_EQ(p.quota(), 0);
}

TEST(RetryPolicy, QuotaIsConsistentUnderConcurrentUse) {
  RetryConfig cfg;
  cfg.max_attempts = 2;
  RetryPolicy p(cfg, replay({0.5}));
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) {
        RetryPolicy::Token t;
        if (p.on_failure(t, answer(500))) p.on_success(t);  // take 5, give 5 back
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(p.quota(), 500);
}

TEST(RetryConfig, MaxAttemptsFromEnvironment) {
  dwh::test::ScopedAwsEnv env;
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 3);
  env.set("AWS_MAX_ATTEMPTS", "7");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 7);
  env.set("AWS_MAX_ATTEMPTS", "1");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 1);
  for (const char* bad : {"0", "-2", "three", "4x", ""}) {
    env.set("AWS_MAX_ATTEMPTS", bad);
    EXPECT_EQ(RetryConfig::from_environment().max_attempts, 3) << bad;
  }
}

TEST(RetryConfig, MaxAttemptsFromTheProfileUnlessTheEnvironmentSetsIt) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(
      ".aws/config",
      "[default]\nmax_attempts = 6\n[profile other]\nmax_attempts = 2\n[profile bad]\nmax_attempts = x\n");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 6);
  env.set("AWS_PROFILE", "other");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 2);
  env.set("AWS_PROFILE", "bad");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 3);
  env.set("AWS_PROFILE", "other");
  env.set("AWS_MAX_ATTEMPTS", "9");
  EXPECT_EQ(RetryConfig::from_environment().max_attempts, 9);
}

TEST(SharedBackoff, GateOnlyMovesLaterAndOpensWithTime) {
  auto now =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} + 1h);
  SharedBackoff gate([now] { return *now; });
  EXPECT_EQ(gate.wait_needed(), 0ms);
  gate.push_back_until(*now + 300ms);
  EXPECT_EQ(gate.wait_needed(), 300ms);
  gate.push_back_until(*now + 100ms);  // an earlier instant does not shorten the wait
  EXPECT_EQ(gate.wait_needed(), 300ms);
  *now += 120ms;
  EXPECT_EQ(gate.wait_needed(), 180ms);
  gate.push_back_until(*now + 500ms);
  EXPECT_EQ(gate.wait_needed(), 500ms);
  *now += 500ms;
  EXPECT_EQ(gate.wait_needed(), 0ms);
  *now += 1ms;
  EXPECT_EQ(gate.wait_needed(), 0ms);
}

TEST(SharedBackoff, PartialMillisecondsRoundUp) {
  auto now =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::time_point{} + 1h);
  SharedBackoff gate([now] { return *now; });
  gate.push_back_until(*now + 1500us);
  EXPECT_EQ(gate.wait_needed(), 2ms);
}

}  // namespace
