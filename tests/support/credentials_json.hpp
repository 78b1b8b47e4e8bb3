#pragma once
// The JSON credentials document that ECS/EKS container endpoints and EC2 IMDS answer with,
// for loopback stand-ins of those services.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

namespace dwh::test {

// "2030-01-01T00:00:00.250Z": milliseconds, so tests can hand out credentials living ~1 s.
inline std::string iso8601_ms(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// Credentials named after `key`: secret "secret-<key>", token "token-<key>".
inline std::string credentials_json(const std::string& key,
                                    std::chrono::system_clock::time_point expiration) {
  nlohmann::json doc = {{"Code", "Success"},
                        {"LastUpdated", iso8601_ms(std::chrono::system_clock::now())},
                        {"Type", "AWS-HMAC"},
                        {"AccessKeyId", key},
                        {"SecretAccessKey", "secret-" + key},
                        {"Token", "token-" + key},
                        {"Expiration", iso8601_ms(expiration)}};
  return doc.dump();
}

}  // namespace dwh::test
