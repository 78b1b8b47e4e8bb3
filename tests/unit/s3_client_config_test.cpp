// How an S3 client picks its addressing from configuration, without sending anything:
// standard endpoints use virtual-hosted style, AWS_ENDPOINT_URL_S3 and the profile's
// `s3 = addressing_style = path` switch to path style.
#include <gtest/gtest.h>

#include "dwh/aws/credentials.hpp"
#include "dwh/aws/s3.hpp"
#include "scoped_env.hpp"

namespace s3 = dwh::aws::s3;

namespace {

std::unique_ptr<s3::Client> make(std::string region = "eu-west-1") {
  dwh::aws::ClientOptions o;
  o.region = std::move(region);
  dwh::aws::Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "secret";
  o.credentials = dwh::aws::static_credentials(c);
  auto client = s3::Client::create(std::move(o));
  EXPECT_TRUE(client.ok()) << client.error().to_string();
  return std::move(client).value();
}

s3::Address address_of(s3::Client& client, std::string_view bucket, std::string_view key) {
  return s3::address(client.service().endpoint(), client.service().options().s3_force_path_style, bucket,
                     key);
}

TEST(S3ClientConfig, StandardEndpointUsesVirtualHostedStyle) {
  dwh::test::ScopedAwsEnv env;
  auto client = make();
  EXPECT_EQ(client->service().endpoint().url, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(client->service().options().s3_force_path_style);
  auto a = address_of(*client, "dwh-landing", "orders/2024/part 1.parquet");
  EXPECT_EQ(a.endpoint, "https://dwh-landing.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(a.path, "/orders/2024/part%201.parquet");
  auto dotted = address_of(*client, "dwh.landing", "k");
  EXPECT_EQ(dotted.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(dotted.path, "/dwh.landing/k");
}

TEST(S3ClientConfig, EndpointFromEnvironmentUsesPathStyle) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4568");
  auto client = make();
  EXPECT_TRUE(client->service().endpoint().custom);
  auto a = address_of(*client, "dwh-landing", "k");
  EXPECT_EQ(a.endpoint, "http://127.0.0.1:4568");
  EXPECT_EQ(a.path, "/dwh-landing/k");
}

TEST(S3ClientConfig, ProfileAddressingStylePathIsHonoured) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_CONFIG_FILE", env.write_file("cfg", "[default]\ns3 =\n  addressing_style = path\n"));
  auto client = make();
  EXPECT_TRUE(client->service().options().s3_force_path_style);
  auto a = address_of(*client, "dwh-landing", "k");
  EXPECT_EQ(a.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(a.path, "/dwh-landing/k");
}

TEST(S3ClientConfig, UsEast1UsesTheGlobalEndpoint) {
  dwh::test::ScopedAwsEnv env;
  auto client = make("us-east-1");
  EXPECT_EQ(address_of(*client, "b-1", "k").endpoint, "https://b-1.s3.amazonaws.com");
}

}  // namespace
