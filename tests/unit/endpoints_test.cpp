// Endpoint resolution and S3 addressing.
#include "dwh/aws/endpoints.hpp"

#include <gtest/gtest.h>

#include "scoped_env.hpp"

namespace {

using dwh::aws::Endpoint;
using dwh::aws::resolve_endpoint;
using dwh::aws::standard_endpoint;

std::string standard_url(std::string_view prefix, std::string_view region) {
  auto ep = standard_endpoint(prefix, region);
  EXPECT_TRUE(ep.ok()) << prefix << " " << region;
  return ep.ok() ? ep->url : std::string();
}

// Expected values are what botocore 1.29.27 (Debian python3-botocore) gives for
// session.create_client(service, region_name=region).meta.endpoint_url.
TEST(StandardEndpoints, MatchBotocore) {
  struct Case {
    const char* prefix;
    const char* region;
    const char* url;
  };
  const Case cases[] = {
      {"s3", "us-east-1", "https://s3.amazonaws.com"},
      {"s3", "eu-west-1", "https://s3.eu-west-1.amazonaws.com"},
      {"s3", "cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn"},
      {"s3", "us-gov-west-1", "https://s3.us-gov-west-1.amazonaws.com"},
      {"s3", "fake-region-10", "https://s3.fake-region-10.amazonaws.com"},
      {"iam", "us-east-1", "https://iam.amazonaws.com"},
      {"iam", "eu-west-1", "https://iam.amazonaws.com"},
      {"iam", "cn-north-1", "https://iam.cn-north-1.amazonaws.com.cn"},
      {"iam", "us-gov-west-1", "https://iam.us-gov.amazonaws.com"},
      {"redshift", "us-east-1", "https://redshift.us-east-1.amazonaws.com"},
      {"redshift", "cn-north-1", "https://redshift.cn-north-1.amazonaws.com.cn"},
      {"ec2", "eu-west-1", "https://ec2.eu-west-1.amazonaws.com"},
      {"sns", "us-gov-west-1", "https://sns.us-gov-west-1.amazonaws.com"},
      {"states", "us-east-1", "https://states.us-east-1.amazonaws.com"},
      {"logs", "cn-north-1", "https://logs.cn-north-1.amazonaws.com.cn"},
      {"secretsmanager", "eu-west-1", "https://secretsmanager.eu-west-1.amazonaws.com"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(standard_url(c.prefix, c.region), c.url) << c.prefix << " " << c.region;
  auto ep = standard_endpoint("s3", "eu-west-1");
  EXPECT_FALSE(ep->custom);
  EXPECT_EQ(ep->source, "standard");
}

TEST(StandardEndpoints, RejectInvalidRegions) {
  for (const char* region : {"", "us east 1", "-us-east-1", "us-east-1-", "eu-west-1/evil", "a.b"}) {
    auto ep = standard_endpoint("s3", region);
    ASSERT_FALSE(ep.ok()) << region;
    EXPECT_EQ(ep.error().code, "InvalidRegion");
  }
}

TEST(EndpointNames, ServiceIdsMapToVariablesAndConfigKeys) {
  EXPECT_EQ(dwh::aws::service_endpoint_env_var("S3"), "AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(dwh::aws::service_endpoint_env_var("CloudWatch Logs"), "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
  EXPECT_EQ(dwh::aws::service_endpoint_env_var("Secrets Manager"), "AWS_ENDPOINT_URL_SECRETS_MANAGER");
  EXPECT_EQ(dwh::aws::service_endpoint_env_var("SFN"), "AWS_ENDPOINT_URL_SFN");
  EXPECT_EQ(dwh::aws::service_config_key("CloudWatch Logs"), "cloudwatch_logs");
  EXPECT_EQ(dwh::aws::service_config_key("S3"), "s3");
}

TEST(EndpointUrls, NormalizedOrRejected) {
  EXPECT_EQ(dwh::aws::normalize_endpoint_url("http://127.0.0.1:9000/", "X").value(), "http://127.0.0.1:9000");
  EXPECT_EQ(dwh::aws::normalize_endpoint_url("HTTPS://Host.Example/base/path//", "X").value(),
            "https://host.example/base/path");
  EXPECT_EQ(dwh::aws::normalize_endpoint_url("http://[::1]:8080", "X").value(), "http://[::1]:8080");
  for (const char* bad : {"localhost:9000", "ftp://host", "http://", "http://host:99999", "http://host/?a=b",
                          "http://user@host"}) {
    auto r = dwh::aws::normalize_endpoint_url(bad, "AWS_ENDPOINT_URL_S3");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "InvalidEndpoint");
    EXPECT_NE(r.error().message.find("AWS_ENDPOINT_URL_S3"), std::string::npos);
  }
}

// The scenarios of the AWS CLI's conformance suite for configured endpoints
// (aws-cli tests/functional/configured_endpoint_urls/profile-tests.json), minus the
// client-config ones: we have no client-level endpoint setting here.
class ConfiguredEndpoints : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.write_file(".aws/config",
                    "[default]\nregion = fake-region-10\n"
                    "[profile service_global_only]\nregion = fake-region-10\n"
                    "endpoint_url = https://global.endpoint.aws\n"
                    "[profile service_specific_s3]\nregion = fake-region-10\nservices = service_specific_s3\n"
                    "[profile global_and_service_specific_s3]\nregion = fake-region-10\n"
                    "endpoint_url = https://global.endpoint.aws\nservices = service_specific_s3\n"
                    "[profile ignore_global_and_service_specific_s3]\nregion = fake-region-10\n"
                    "endpoint_url = https://global.endpoint.aws\nservices = service_specific_s3\n"
                    "ignore_configured_endpoint_urls = true\n"
                    "[profile service_specific_dynamodb_and_s3]\nregion = fake-region-10\n"
                    "services = service_specific_dynamodb_and_s3\n"
                    "[services service_specific_s3]\ns3 =\n  endpoint_url = https://s3.endpoint.aws\n"
                    "[services service_specific_dynamodb_and_s3]\n"
                    "dynamodb =\n  endpoint_url = https://dynamodb.endpoint.aws\n"
                    "s3 =\n  endpoint_url = https://s3.endpoint.aws\n");
  }

  void environment(const std::string& name) {
    if (name == "global_only" || name == "global_and_service_specific_s3" ||
        name == "ignore_global_and_service_specific_s3") {
      env_.set("AWS_ENDPOINT_URL", "https://global-from-envvar.endpoint.aws");
    }
    if (name == "service_specific_s3" || name == "global_and_service_specific_s3" ||
        name == "ignore_global_and_service_specific_s3" || name == "service_specific_dynamodb_and_s3") {
      env_.set("AWS_ENDPOINT_URL_S3", "https://s3-from-envvar.endpoint.aws");
    }
    if (name == "ignore_global_and_service_specific_s3")
      env_.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    if (name == "service_specific_dynamodb_and_s3") {
      env_.set("AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb-from-envvar.endpoint.aws");
    }
  }

  std::string resolve(const std::string& profile, const std::string& environment_name,
                      const std::string& service) {
    env_.set("AWS_PROFILE", profile);
    environment(environment_name);
    auto ep = service == "s3" ? resolve_endpoint("S3", "s3", "fake-region-10")
                              : resolve_endpoint("DynamoDB", "dynamodb", "fake-region-10");
    for (const char* v : {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_DYNAMODB",
                          "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"}) {
      env_.unset(v);
    }
    EXPECT_TRUE(ep.ok()) << (ep.ok() ? "" : ep.error().message);
    return ep.ok() ? ep->url : std::string();
  }

  dwh::test::ScopedAwsEnv env_;
};

TEST_F(ConfiguredEndpoints, ConformanceSuiteScenarios) {
  struct Case {
    const char* profile;
    const char* environment;
    const char* service;
    const char* url;
  };
  const Case cases[] = {
      {"service_global_only", "default", "s3", "https://global.endpoint.aws"},
      {"service_specific_s3", "default", "s3", "https://s3.endpoint.aws"},
      {"global_and_service_specific_s3", "default", "s3", "https://s3.endpoint.aws"},
      {"default", "global_only", "s3", "https://global-from-envvar.endpoint.aws"},
      {"service_global_only", "global_only", "s3", "https://global-from-envvar.endpoint.aws"},
      {"service_specific_s3", "global_only", "s3", "https://global-from-envvar.endpoint.aws"},
      {"global_and_service_specific_s3", "global_only", "s3", "https://global-from-envvar.endpoint.aws"},
      {"default", "service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"service_global_only", "service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"service_specific_s3", "service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"global_and_service_specific_s3", "service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"default", "global_and_service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"service_global_only", "global_and_service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"service_specific_s3", "global_and_service_specific_s3", "s3", "https://s3-from-envvar.endpoint.aws"},
      {"global_and_service_specific_s3", "global_and_service_specific_s3", "s3",
       "https://s3-from-envvar.endpoint.aws"},
      {"global_and_service_specific_s3", "ignore_global_and_service_specific_s3", "s3",
       "https://s3.fake-region-10.amazonaws.com"},
      {"ignore_global_and_service_specific_s3", "global_and_service_specific_s3", "s3",
       "https://s3.fake-region-10.amazonaws.com"},
      {"service_specific_dynamodb_and_s3", "default", "dynamodb", "https://dynamodb.endpoint.aws"},
      {"default", "service_specific_dynamodb_and_s3", "dynamodb",
       "https://dynamodb-from-envvar.endpoint.aws"},
      {"default", "default", "s3", "https://s3.fake-region-10.amazonaws.com"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(resolve(c.profile, c.environment, c.service), c.url)
        << "profile " << c.profile << ", environment " << c.environment << ", service " << c.service;
  }
}

TEST_F(ConfiguredEndpoints, CustomEndpointsAreMarkedWithTheirSource) {
  env_.set("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:4566/");
  auto logs = resolve_endpoint("CloudWatch Logs", "logs", "eu-west-1");
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->url, "http://127.0.0.1:4566");
  EXPECT_TRUE(logs->custom);
  EXPECT_EQ(logs->source, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");

  // Another service is untouched by that variable.
  auto sns = resolve_endpoint("SNS", "sns", "eu-west-1");
  ASSERT_TRUE(sns.ok());
  EXPECT_EQ(sns->url, "https://sns.eu-west-1.amazonaws.com");
  EXPECT_FALSE(sns->custom);

  env_.set("AWS_PROFILE", "service_specific_s3");
  auto s3 = resolve_endpoint("S3", "s3", "eu-west-1");
  ASSERT_TRUE(s3.ok());
  EXPECT_TRUE(s3->custom);
  EXPECT_NE(s3->source.find("services 'service_specific_s3'"), std::string::npos) << s3->source;
}

TEST_F(ConfiguredEndpoints, IgnoreVariableOverridesTheProfileEitherWay) {
  env_.set("AWS_PROFILE", "ignore_global_and_service_specific_s3");
  env_.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
  EXPECT_EQ(resolve_endpoint("S3", "s3", "fake-region-10")->url, "https://s3.endpoint.aws");
  env_.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
  env_.set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
  EXPECT_EQ(resolve_endpoint("S3", "s3", "fake-region-10")->url, "https://s3.fake-region-10.amazonaws.com");
}

TEST_F(ConfiguredEndpoints, BadConfiguredUrlIsAnErrorNamingItsSource) {
  env_.set("AWS_ENDPOINT_URL", "127.0.0.1:9000");
  auto ep = resolve_endpoint("S3", "s3", "us-east-1");
  ASSERT_FALSE(ep.ok());
  EXPECT_EQ(ep.error().code, "InvalidEndpoint");
  EXPECT_NE(ep.error().message.find("AWS_ENDPOINT_URL"), std::string::npos);
}

// mybucket, a--b, my.bucket, My_Bucket, ab, 1.2.3.4 and the custom endpoint give the style
// botocore 1.29.27 picks for GetObject; the length and hyphen cases follow S3's naming rules.
TEST(S3Addressing, VirtualHostOnlyForDnsSafeBucketsOnStandardEndpoints) {
  Endpoint standard{"https://s3.eu-west-1.amazonaws.com", false, "standard"};
  Endpoint custom{"http://127.0.0.1:9000", true, "AWS_ENDPOINT_URL"};
  EXPECT_TRUE(dwh::aws::s3_use_virtual_host("mybucket", standard, false));
  EXPECT_TRUE(dwh::aws::s3_use_virtual_host("a--b", standard, false));
  EXPECT_TRUE(dwh::aws::s3_use_virtual_host("abc", standard, false));
  EXPECT_TRUE(dwh::aws::s3_use_virtual_host(std::string(63, 'a'), standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host(std::string(64, 'a'), standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("my.bucket", standard, false));  // TLS wildcard
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("My_Bucket", standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("ab", standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("1.2.3.4", standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("-bucket", standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("bucket-", standard, false));
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("mybucket", standard, true));  // forced
  EXPECT_FALSE(dwh::aws::s3_use_virtual_host("mybucket", custom, false));   // custom endpoint
  EXPECT_EQ(dwh::aws::s3_virtual_host_url("logs", standard), "https://logs.s3.eu-west-1.amazonaws.com");
  Endpoint with_port{"http://s3.local:9000/base", false, "standard"};
  EXPECT_EQ(dwh::aws::s3_virtual_host_url("b1", with_port), "http://b1.s3.local:9000/base");
}

TEST(Partitions, FromRegionPrefix) {
  EXPECT_EQ(dwh::aws::partition_of("eu-west-1"), "aws");
  EXPECT_EQ(dwh::aws::partition_of("cn-northwest-1"), "aws-cn");
  EXPECT_EQ(dwh::aws::partition_of("us-gov-east-1"), "aws-us-gov");
  EXPECT_EQ(dwh::aws::dns_suffix_of("cn-north-1"), "amazonaws.com.cn");
  EXPECT_EQ(dwh::aws::dns_suffix_of("us-gov-east-1"), "amazonaws.com");
}

}  // namespace
