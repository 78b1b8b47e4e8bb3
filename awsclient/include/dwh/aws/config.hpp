#pragma once
// Shared config/credentials files, region and endpoint resolution, as the AWS SDKs define them.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dwh/result.hpp"

namespace dwh::aws {

// One profile's key/values from ~/.aws/config ([profile x] / [default]) or
// ~/.aws/credentials ([x]). Honours AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE.
using Profile = std::map<std::string, std::string>;
std::string active_profile_name();  // AWS_PROFILE, else "default"
Result<std::map<std::string, Profile>> parse_ini_profiles(std::string_view text, bool config_file,
                                                          std::string_view source_name);
std::optional<Profile> load_config_profile(const std::string& name);       // from the config file
std::optional<Profile> load_credentials_profile(const std::string& name);  // from the credentials file

// AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`. Error names all three places.
Result<std::string> resolve_region();

struct Endpoint {
  std::string url;          // scheme://host[:port][/base-path], no trailing slash
  bool custom = false;      // came from AWS_ENDPOINT_URL*: S3 then uses path style
};

// AWS_ENDPOINT_URL_<SERVICE> (service id upper-cased, spaces to underscores), then
// AWS_ENDPOINT_URL, then the profile's endpoint_url, then the standard endpoint.
// `service_id` is the SDK service id: "S3", "IAM", "Redshift", "EC2", "SNS", "SFN",
// "CloudWatch Logs", "Secrets Manager".
Result<Endpoint> resolve_endpoint(std::string_view service_id, std::string_view endpoint_prefix,
                                  std::string_view region);

}  // namespace dwh::aws
