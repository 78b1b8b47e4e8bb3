// The shared-files credentials provider.
#include <gtest/gtest.h>

#include "dwh/aws/credentials.hpp"
#include "scoped_env.hpp"

namespace {

dwh::Result<dwh::aws::Credentials> get() {
  return dwh::aws::profile_credentials()->get();
}

TEST(ProfileCredentials, DefaultProfileFromTheCredentialsFile) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/credentials",
                 "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n"
                 "aws_session_token = file-token\n");
  auto creds = get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "AKIDFILE");
  EXPECT_EQ(creds->secret_access_key, "file-secret");
  EXPECT_EQ(creds->session_token, "file-token");
  EXPECT_EQ(creds->provider, "shared-files");
  EXPECT_FALSE(creds->expiration.has_value());
}

TEST(ProfileCredentials, NamedProfileAndFileOverrides) {
  dwh::test::ScopedAwsEnv env;
  auto creds_path =
      env.write_file("elsewhere/creds", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\n");
  env.set("AWS_SHARED_CREDENTIALS_FILE", creds_path);
  env.set("AWS_PROFILE", "dev");
  EXPECT_EQ(get()->access_key_id, "AKIDDEV");
}

TEST(ProfileCredentials, ConfigFileProfileWhenTheCredentialsFileHasNone) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config",
                 "[profile dev]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfg-secret\n"
                 "[prod]\naws_access_key_id = NOT_A_PROFILE\naws_secret_access_key = x\n");
  env.write_file(".aws/credentials", "[dev]\nregion = eu-west-1\n");
  env.set("AWS_PROFILE", "dev");
  auto creds = get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "AKIDCFG");

  env.set("AWS_PROFILE", "prod");  // [prod] in the config file is not a profile
  auto prod = get();
  ASSERT_FALSE(prod.ok());
  EXPECT_EQ(prod.error().code, "ProfileNotFound");
  EXPECT_NE(prod.error().message.find("'prod'"), std::string::npos);
}

TEST(ProfileCredentials, CredentialsFileWinsOverConfigFile) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config", "[default]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfg\n");
  env.write_file(".aws/credentials",
                 "[default]\naws_access_key_id = AKIDCRED\naws_secret_access_key = cred\n");
  auto creds = get();
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->access_key_id, "AKIDCRED");
  EXPECT_EQ(creds->secret_access_key, "cred");
}

TEST(ProfileCredentials, KeyWithoutSecretIsAPartialCredentialsError) {
  dwh::test::ScopedAwsEnv env;
  auto path = env.write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\n");
  env.write_file(".aws/config", "[default]\naws_secret_access_key = only-here\n");
  auto creds = get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "PartialCredentials");
  EXPECT_NE(creds.error().message.find(path), std::string::npos);
  EXPECT_NE(creds.error().message.find("aws_secret_access_key"), std::string::npos);
  EXPECT_EQ(creds.error().message.find("only-here"), std::string::npos);
}

TEST(ProfileCredentials, DeclinesSayWhy) {
  dwh::test::ScopedAwsEnv env;
  auto none = get();
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(none.error().message.find("neither"), std::string::npos);
  EXPECT_NE(none.error().message.find(env.home() + "/.aws/credentials"), std::string::npos);

  env.write_file(".aws/credentials", "[other]\naws_access_key_id = A\naws_secret_access_key = B\n");
  auto missing_default = get();
  EXPECT_EQ(missing_default.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(missing_default.error().message.find("profile 'default' not found"), std::string::npos)
      << missing_default.error().message;

  env.write_file(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = other\n");
  auto role = get();
  EXPECT_EQ(role.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(role.error().message.find("role_arn"), std::string::npos) << role.error().message;
}

TEST(ProfileCredentials, ParseErrorStopsWithFileAndLine) {
  dwh::test::ScopedAwsEnv env;
  auto path =
      env.write_file(".aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key B\n");
  auto creds = get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "ConfigParseError");
  EXPECT_TRUE(creds.error().message.starts_with(path + ":3:")) << creds.error().message;
}

}  // namespace
