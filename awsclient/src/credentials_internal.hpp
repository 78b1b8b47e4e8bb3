#pragma once
// Helpers shared by the credentials providers (not part of the public interface).
#include <cstdlib>
#include <string>
#include <string_view>

#include "dwh/aws/credentials.hpp"

namespace dwh::aws::detail {

// The variable's value, or "" when unset.
inline std::string env_value(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// A provider's "not configured here" answer: the chain moves on and quotes `reason`.
inline Error declined(std::string reason) {
  return make_error(std::string(kNoCredentials), std::move(reason));
}

// The JSON document the container endpoint and IMDS answer with:
//   {"AccessKeyId": ..., "SecretAccessKey": ..., "Token": ..., "Expiration": "2016-02-25T06:03:31Z"}
// All four are required (as botocore requires them). Errors name what is missing or wrong,
// never a value: the document holds the secret.
Result<Credentials> parse_credentials_document(std::string_view json, std::string_view provider);

}  // namespace dwh::aws::detail
