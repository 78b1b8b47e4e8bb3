#pragma once
// Standard AWS endpoints per service and region, and S3's choice between virtual-hosted and
// path-style addressing. Configured endpoints (AWS_ENDPOINT_URL*) are resolved in config.hpp.
#include <string>
#include <string_view>

#include "dwh/aws/config.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws {

// "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", from the region's prefix.
std::string_view partition_of(std::string_view region);
// "amazonaws.com", or "amazonaws.com.cn" in China.
std::string_view dns_suffix_of(std::string_view region);

// The endpoint the AWS SDKs use when nothing is configured, as botocore 1.29 resolves it:
//   https://{prefix}.{region}.{dns suffix}
// except IAM (one endpoint per partition: https://iam.amazonaws.com, ...) and S3 in
// us-east-1 (https://s3.amazonaws.com). Error "InvalidRegion" for a region that is not a
// host label.
Result<Endpoint> standard_endpoint(std::string_view endpoint_prefix, std::string_view region);

// "CloudWatch Logs" -> "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS".
std::string service_endpoint_env_var(std::string_view service_id);
// "CloudWatch Logs" -> "cloudwatch_logs", the key inside a [services x] section.
std::string service_config_key(std::string_view service_id);

// Checks a configured endpoint URL (http or https, a host, optional port and base path) and
// returns it without a trailing slash. `source` names where it came from, for the error.
Result<std::string> normalize_endpoint_url(std::string_view url, std::string_view source);

// True when `bucket` may be addressed as https://{bucket}.{endpoint host}: 3-63 characters of
// lower-case letters, digits and hyphens, starting and ending with a letter or digit, and not
// an IP address. Dots are refused because the *.s3 wildcard certificate does not cover them.
bool s3_dns_compatible_bucket(std::string_view bucket);

// S3 addressing, as botocore does it: path style when forced, when the endpoint was
// configured by the user (local servers rarely resolve bucket subdomains), or when the bucket
// is not DNS compatible; virtual-hosted style otherwise.
bool s3_use_virtual_host(std::string_view bucket, const Endpoint& endpoint, bool force_path_style);

// "https://s3.eu-west-1.amazonaws.com" + "logs" -> "https://logs.s3.eu-west-1.amazonaws.com".
std::string s3_virtual_host_url(std::string_view bucket, const Endpoint& endpoint);

}  // namespace dwh::aws
