#pragma once
// Shared config/credentials files, region and endpoint resolution, as the AWS SDKs define them.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::aws {

// One profile's key/values from ~/.aws/config ([profile x] / [default]) or
// ~/.aws/credentials ([x]). Honours AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE.
// Keys are lower-cased. An indented block under a key with an empty value, such as
//   s3 =
//     addressing_style = path
// is kept flattened as "s3.addressing_style" = "path" (and "s3" = "").
using Profile = std::map<std::string, std::string>;
std::string active_profile_name();  // AWS_PROFILE, else "default"

// Every section of an ini text by its trimmed name ("profile x", "default", "services y", "x").
// `source_name` (usually the file path) prefixes parse errors: "<source>:<line>: <reason>".
Result<std::map<std::string, Profile>> parse_ini_sections(std::string_view text,
                                                          std::string_view source_name);
// Profiles by name. config_file=true: [default] and [profile x], other sections are not
// profiles; when both [default] and [profile default] exist, the later one in the file wins,
// as in botocore. config_file=false (credentials file): every section is a profile of its own name.
Result<std::map<std::string, Profile>> parse_ini_profiles(std::string_view text, bool config_file,
                                                          std::string_view source_name);

// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials;
// a leading "~/" is expanded from HOME.
std::string config_file_path();
std::string credentials_file_path();

// Both shared files, parsed. A missing file is not an error (it is simply empty); an
// unreadable or malformed one is (code "ConfigParseError", naming file and line).
struct SharedConfig {
  std::string config_path;
  std::string credentials_path;
  bool config_exists = false;
  bool credentials_exists = false;
  std::map<std::string, Profile> config_profiles;       // [default], [profile x]
  std::map<std::string, Profile> credentials_profiles;  // [x]
  std::map<std::string, Profile> services;              // [services x] of the config file, by x

  // The config file's profile with the credentials file's keys laid over it, the way
  // botocore merges them for settings such as region; nullopt when neither file has it.
  [[nodiscard]] std::optional<Profile> merged_profile(const std::string& name) const;
};
Result<SharedConfig> load_shared_config();

// Convenience lookups; nullopt when the profile is absent or the file cannot be parsed.
std::optional<Profile> load_config_profile(const std::string& name);       // from the config file
std::optional<Profile> load_credentials_profile(const std::string& name);  // from the credentials file

// AWS_REGION, AWS_DEFAULT_REGION, then the active profile's `region`. Error "NoRegion" names
// all three places; "InvalidRegion" when the value is not a valid host label.
Result<std::string> resolve_region();

struct Endpoint {
  std::string url;      // scheme://host[:port][/base-path], no trailing slash
  bool custom = false;  // configured by the user (env or config file): S3 then uses path style
  std::string source;   // where it came from: "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
                        // "profile 'x' services 'y'", "profile 'x' endpoint_url", "standard"
};

// AWS_ENDPOINT_URL_<SERVICE> (service id upper-cased, spaces to underscores), then
// AWS_ENDPOINT_URL, then the profile's `services` section (key: service id lower-cased,
// spaces to underscores), then the profile's endpoint_url, then the standard endpoint.
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's ignore_configured_endpoint_urls)
// skips everything but the standard endpoint.
// `service_id` is the SDK service id: "S3", "IAM", "Redshift", "EC2", "SNS", "SFN",
// "CloudWatch Logs", "Secrets Manager".
Result<Endpoint> resolve_endpoint(std::string_view service_id, std::string_view endpoint_prefix,
                                  std::string_view region);

}  // namespace dwh::aws
