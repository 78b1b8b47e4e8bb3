// Endpoint resolution: configured endpoints by the SDKs' "service-specific endpoints" rules,
// else the standard AWS endpoint; and S3's addressing style.
// The precedence is the one the AWS CLI's conformance suite
// (tests/functional/configured_endpoint_urls/profile-tests.json) checks:
//   AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL > [services x] <service> endpoint_url
//   > the profile's endpoint_url > the standard endpoint,
// with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls dropping all
// but the last.
#include "dwh/aws/endpoints.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "dwh/aws/config.hpp"
#include "dwh/core/strings.hpp"
#include "url_parts.hpp"

namespace dwh::aws {
namespace {

std::string env_or_empty(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

bool valid_region(std::string_view region) {
  if (region.empty() || region.size() > 63 || region.front() == '-' || region.back() == '-') return false;
  return std::all_of(region.begin(), region.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

Result<Endpoint> configured(std::string_view url, std::string source) {
  auto normalized = normalize_endpoint_url(url, source);
  if (!normalized) return std::move(normalized).error();
  return Endpoint{std::move(normalized).value(), true, std::move(source)};
}

}  // namespace

std::string_view partition_of(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  if (region.starts_with("us-iso-")) return "aws-iso";
  return "aws";
}

std::string_view dns_suffix_of(std::string_view region) {
  auto partition = partition_of(region);
  if (partition == "aws-cn") return "amazonaws.com.cn";
  if (partition == "aws-iso") return "c2s.ic.gov";
  if (partition == "aws-iso-b") return "sc2s.sgov.gov";
  return "amazonaws.com";
}

Result<Endpoint> standard_endpoint(std::string_view endpoint_prefix, std::string_view region) {
  if (!valid_region(region)) {
    return make_error("InvalidRegion", "region '" + std::string(region) +
                                           "' is not a valid region name (letters, digits and hyphens)");
  }
  const std::string prefix(endpoint_prefix);
  const std::string suffix(dns_suffix_of(region));
  std::string host;
  if (prefix == "iam") {
    // IAM has one endpoint per partition, named after the partition's home region.
    auto partition = partition_of(region);
    if (partition == "aws")
      host = "iam.amazonaws.com";
    else if (partition == "aws-us-gov")
      host = "iam.us-gov.amazonaws.com";
    else if (partition == "aws-cn")
      host = "iam.cn-north-1." + suffix;
    else if (partition == "aws-iso")
      host = "iam.us-iso-east-1." + suffix;
    else
      host = "iam.us-isob-east-1." + suffix;
  } else if (prefix == "s3" && region == "us-east-1") {
    host = "s3.amazonaws.com";  // botocore's default (s3 us_east_1_regional_endpoint = legacy)
  } else {
    host = prefix + "." + std::string(region) + "." + suffix;
  }
  return Endpoint{"https://" + host, false, "standard"};
}

std::string service_endpoint_env_var(std::string_view service_id) {
  std::string out = "AWS_ENDPOINT_URL_";
  for (unsigned char c : service_id) out.push_back(c == ' ' ? '_' : static_cast<char>(std::toupper(c)));
  return out;
}

std::string service_config_key(std::string_view service_id) {
  std::string out;
  for (unsigned char c : service_id) out.push_back(c == ' ' ? '_' : static_cast<char>(std::tolower(c)));
  return out;
}

Result<std::string> normalize_endpoint_url(std::string_view url, std::string_view source) {
  auto parts = detail::split_url(url);
  if (!parts || !parts->query.empty() || url.find('#') != std::string_view::npos) {
    return make_error("InvalidEndpoint", "endpoint URL '" + std::string(url) + "' from " +
                                             std::string(source) +
                                             " is not of the form http(s)://host[:port][/path]");
  }
  std::string path = parts->path;
  while (!path.empty() && path.back() == '/') path.pop_back();
  return parts->origin() + path;
}

Result<Endpoint> resolve_endpoint(std::string_view service_id, std::string_view endpoint_prefix,
                                  std::string_view region) {
  auto shared = load_shared_config();
  if (!shared) return std::move(shared).error();
  const std::string profile_name = active_profile_name();
  const Profile profile = shared->merged_profile(profile_name).value_or(Profile{});
  auto setting = [&](const std::string& key) -> std::string {
    auto it = profile.find(key);
    return it == profile.end() ? std::string() : it->second;
  };

  // The environment variable, when set, decides; else the profile's setting.
  std::string ignore = env_or_empty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore.empty()) ignore = setting("ignore_configured_endpoint_urls");
  if (core::lower(ignore) == "true") return standard_endpoint(endpoint_prefix, region);

  const std::string service_var = service_endpoint_env_var(service_id);
  if (auto url = env_or_empty(service_var); !url.empty()) return configured(url, service_var);
  if (auto url = env_or_empty("AWS_ENDPOINT_URL"); !url.empty()) return configured(url, "AWS_ENDPOINT_URL");

  if (auto services_name = setting("services"); !services_name.empty()) {
    if (auto section = shared->services.find(services_name); section != shared->services.end()) {
      auto it = section->second.find(service_config_key(service_id) + ".endpoint_url");
      if (it != section->second.end() && !it->second.empty()) {
        return configured(it->second, "profile '" + profile_name + "' services '" + services_name + "' in " +
                                          shared->config_path);
      }
    }
  }
  if (auto url = setting("endpoint_url"); !url.empty()) {
    return configured(url, "profile '" + profile_name + "' endpoint_url in " + shared->config_path);
  }
  return standard_endpoint(endpoint_prefix, region);
}

bool s3_dns_compatible_bucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  auto alnum = [](unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(bucket.front()) || !alnum(bucket.back())) return false;
  return std::all_of(bucket.begin(), bucket.end(), [&](unsigned char c) { return alnum(c) || c == '-'; });
}

bool s3_use_virtual_host(std::string_view bucket, const Endpoint& endpoint, bool force_path_style) {
  if (force_path_style || endpoint.custom) return false;
  return s3_dns_compatible_bucket(bucket);
}

std::string s3_virtual_host_url(std::string_view bucket, const Endpoint& endpoint) {
  auto sep = endpoint.url.find("://");
  if (sep == std::string::npos) return endpoint.url;
  return endpoint.url.substr(0, sep + 3) + std::string(bucket) + "." + endpoint.url.substr(sep + 3);
}

}  // namespace dwh::aws
