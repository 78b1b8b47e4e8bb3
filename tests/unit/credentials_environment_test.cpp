// The environment credentials provider.
#include <gtest/gtest.h>

#include "dwh/aws/credentials.hpp"
#include "scoped_env.hpp"

namespace {

using namespace std::chrono;

TEST(EnvironmentCredentials, KeysAndSessionToken) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
  auto creds = dwh::aws::environment_credentials()->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(creds->secret_access_key, "env-secret");
  EXPECT_EQ(creds->session_token, "");
  EXPECT_FALSE(creds->expiration.has_value());
  EXPECT_EQ(creds->provider, "environment");

  env.set("AWS_SESSION_TOKEN", "session");
  EXPECT_EQ(dwh::aws::environment_credentials()->get()->session_token, "session");
  env.set("AWS_SECURITY_TOKEN", "legacy");  // botocore reads the legacy name first
  EXPECT_EQ(dwh::aws::environment_credentials()->get()->session_token, "legacy");
}

TEST(EnvironmentCredentials, DeclinesWithoutKeyId) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
  auto creds = dwh::aws::environment_credentials()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_EQ(creds.error().message, "AWS_ACCESS_KEY_ID not set");
  env.set("AWS_ACCESS_KEY_ID", "");
  EXPECT_EQ(dwh::aws::environment_credentials()->get().error().code, dwh::aws::kNoCredentials);
}

TEST(EnvironmentCredentials, KeyIdWithoutSecretIsAnErrorNamingTheMissingVariable) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  auto creds = dwh::aws::environment_credentials()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "PartialCredentials");
  EXPECT_NE(creds.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(EnvironmentCredentials, OptionalExpiration) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
  env.set("AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z");
  auto creds = dwh::aws::environment_credentials()->get();
  ASSERT_TRUE(creds.ok());
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(*creds->expiration, sys_days{year{2030} / 1 / 2} + hours{3} + minutes{4} + seconds{5});

  env.set("AWS_CREDENTIAL_EXPIRATION", "tomorrow");
  auto bad = dwh::aws::environment_credentials()->get();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidCredentialExpiration");
}

TEST(Iso8601, FormsAwsSends) {
  using dwh::aws::parse_iso8601;
  const auto base = sys_days{year{2016} / 2 / 25} + hours{6} + minutes{3} + seconds{31};
  EXPECT_EQ(parse_iso8601("2016-02-25T06:03:31Z"), base);
  EXPECT_EQ(parse_iso8601("2016-02-25T06:03:31.250Z"), base + milliseconds{250});
  EXPECT_EQ(parse_iso8601("2016-02-25T07:03:31+01:00"), base);
  EXPECT_EQ(parse_iso8601("2016-02-25T05:33:31-00:30"), base);
  EXPECT_EQ(parse_iso8601("2016-02-25T06:03:31"), base);
  for (const char* bad :
       {"", "2016-02-25", "2016-02-30T06:03:31Z", "2016-13-01T00:00:00Z", "2016-02-25T06:03:31Zjunk",
        "2016-02-25T06:03:31.Z", "2016-02-25T24:00:00Z", "2016-02-25T06:03:31+0100"}) {
    EXPECT_FALSE(parse_iso8601(bad).has_value()) << bad;
  }
}

}  // namespace
