// Region resolution: AWS_REGION, AWS_DEFAULT_REGION, then the active profile's `region`.
// botocore 1.29 reads only AWS_DEFAULT_REGION; AWS_REGION first is what the other SDKs and
// newer botocore do.
#include <cstdlib>

#include "dwh/aws/config.hpp"
#include "dwh/aws/endpoints.hpp"

namespace dwh::aws {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// botocore's check: one DNS label of letters, digits and hyphens.
bool valid_region(std::string_view region) {
  if (region.empty() || region.size() > 63) return false;
  if (region.front() == '-' || region.back() == '-') return false;
  for (char c : region) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> checked(std::string region, std::string_view source) {
  if (!valid_region(region)) {
    return make_error("InvalidRegion", "region '" + region + "' from " + std::string(source) +
                                           " is not a valid region name (letters, digits and hyphens)");
  }
  return region;
}

}  // namespace

Result<std::string> resolve_region() {
  if (auto r = env_or_empty("AWS_REGION"); !r.empty()) return checked(r, "AWS_REGION");
  if (auto r = env_or_empty("AWS_DEFAULT_REGION"); !r.empty()) return checked(r, "AWS_DEFAULT_REGION");

  auto shared = load_shared_config();
  if (!shared) return std::move(shared).error();
  const std::string profile_name = active_profile_name();
  if (auto profile = shared->merged_profile(profile_name)) {
    if (auto it = profile->find("region"); it != profile->end() && !it->second.empty()) {
      // The credentials file's keys win in the merge, so name it when the value came from there.
      auto creds = shared->credentials_profiles.find(profile_name);
      bool from_credentials = creds != shared->credentials_profiles.end() && creds->second.contains("region");
      return checked(it->second, "profile '" + profile_name + "' in " +
                                     (from_credentials ? shared->credentials_path : shared->config_path));
    }
  }
  return make_error("NoRegion",
                    "no AWS region configured: set AWS_REGION or AWS_DEFAULT_REGION, or `region` in "
                    "profile '" +
                        profile_name + "' of " + shared->config_path);
}

}  // namespace dwh::aws
