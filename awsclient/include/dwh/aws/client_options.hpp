#pragma once
// How to build any AWS service client (aws::s3::Client, aws::secretsmanager::Client, ...):
// region, endpoint, credentials, transport, retries and clocks. Alone in this header so that
// code which only passes options on (the jobs' option structs) does not include the service
// client machinery. Every member has a working default: a default-constructed ClientOptions
// talks to real AWS with the standard credentials chain.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/retry.hpp"

namespace dwh::aws {

struct ClientOptions {
  std::string region;                                    // empty: resolve_region()
  std::optional<std::string> endpoint_url;               // overrides resolution (tests)
  std::shared_ptr<CredentialsProvider> credentials;      // null: default chain
  std::shared_ptr<HttpClient> http;                      // null: curl
  std::optional<RetryConfig> retry;                      // null: from environment
  RetryPolicy::Random random;                            // null: std::mt19937 seeded from random_device
  SharedBackoff::Clock clock;                            // null: steady_clock::now
  std::function<void(std::chrono::milliseconds)> sleep;  // null: this_thread::sleep_for
  std::function<std::chrono::system_clock::time_point()> wall_clock;  // null: system_clock::now
  bool s3_force_path_style = false;
};

}  // namespace dwh::aws
