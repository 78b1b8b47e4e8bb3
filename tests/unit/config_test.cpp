// Shared config/credentials files and region resolution.
#include "dwh/aws/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "scoped_env.hpp"

namespace {

using dwh::aws::parse_ini_profiles;
using dwh::aws::parse_ini_sections;
using dwh::aws::Profile;

std::map<std::string, Profile> parse_ok(std::string_view text, bool config_file) {
  auto parsed = parse_ini_profiles(text, config_file, "test.ini");
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : std::map<std::string, Profile>{};
}

TEST(IniParsing, CommentsWhitespaceAndCaseOfKeys) {
  auto profiles = parse_ok(
      "# leading comment\n"
      "; another comment\n"
      "\n"
      "[default]\n"
      "  aws_access_key_id   =   AKIDEXAMPLE   \n"
      "\tAWS_Secret_Access_Key=secret\n"
      "    # an indented comment is still a comment\n"
      "region=us-west-2\n"
      "[profile dev]   ; comment after a header\n"
      "region = eu-west-1\n"
      "note = value # kept: botocore has no inline comments\n"
      "empty =\n",
      true);
  ASSERT_EQ(profiles.size(), 2u);
  const Profile& def = profiles.at("default");
  EXPECT_EQ(def.at("aws_access_key_id"), "AKIDEXAMPLE");
  EXPECT_EQ(def.at("aws_secret_access_key"), "secret");
  EXPECT_EQ(def.at("region"), "us-west-2");
  EXPECT_EQ(def.size(), 3u);
  const Profile& dev = profiles.at("dev");
  EXPECT_EQ(dev.at("region"), "eu-west-1");
  EXPECT_EQ(dev.at("note"), "value # kept: botocore has no inline comments");
  EXPECT_EQ(dev.at("empty"), "");
}

TEST(IniParsing, ConfigFileUsesProfilePrefixAndCredentialsFileDoesNot) {
  const std::string text =
      "[default]\nregion = a\n"
      "[profile dev]\nregion = b\n"
      "[prod]\nregion = c\n"
      "[profile  spaced ]\nregion = d\n"
      "[profile two words]\nregion = e\n"
      "[services local]\ns3 =\n  endpoint_url = http://localhost:1\n";
  auto config = parse_ok(text, true);
  EXPECT_EQ(config.size(), 3u);
  EXPECT_EQ(config.at("default").at("region"), "a");
  EXPECT_EQ(config.at("dev").at("region"), "b");
  EXPECT_EQ(config.at("spaced").at("region"), "d");
  EXPECT_FALSE(config.contains("prod"));  // a config section without "profile " is not a profile
  EXPECT_FALSE(config.contains("local"));

  auto credentials = parse_ok(text, false);
  EXPECT_EQ(credentials.at("prod").at("region"), "c");
  EXPECT_EQ(credentials.at("profile dev").at("region"), "b");  // taken literally, not as "dev"
  EXPECT_FALSE(credentials.contains("dev"));
}

TEST(IniParsing, LaterOfDefaultAndProfileDefaultWinsAsInBotocore) {
  auto first = parse_ok("[profile default]\nregion = explicit\n[default]\nregion = plain\n", true);
  EXPECT_EQ(first.at("default").at("region"), "plain");
  auto second = parse_ok("[default]\nregion = plain\n[profile default]\nregion = explicit\n", true);
  EXPECT_EQ(second.at("default").at("region"), "explicit");
  // Order is that of first appearance: a repeated [default] does not move it after the other.
  auto third =
      parse_ok("[default]\nregion = plain\n[profile default]\nregion = explicit\n[default]\nx = 1\n", true);
  EXPECT_EQ(third.at("default").at("region"), "explicit");
}

TEST(IniParsing, NestedBlocksAndContinuationLines) {
  auto profiles = parse_ok(
      "[profile p]\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "  Max_Concurrent_Requests=20\n"
      "\n"
      "region = us-east-1\n"
      "long = first\n"
      "   second\n"
      "other = x\n",
      true);
  const Profile& p = profiles.at("p");
  EXPECT_EQ(p.at("s3"), "");
  EXPECT_EQ(p.at("s3.addressing_style"), "path");
  EXPECT_EQ(p.at("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(p.at("region"), "us-east-1");
  EXPECT_EQ(p.at("long"), "first\nsecond");
  EXPECT_EQ(p.at("other"), "x");
}

TEST(IniParsing, RepeatedSectionsAndKeysMergeLaterWins) {
  auto profiles = parse_ok("[a]\nx = 1\ny = 1\n[b]\nx = 2\n[a]\ny = 3\n", false);
  EXPECT_EQ(profiles.at("a").at("x"), "1");
  EXPECT_EQ(profiles.at("a").at("y"), "3");
  EXPECT_EQ(profiles.at("b").at("x"), "2");
}

TEST(IniParsing, ColonDelimiterCrlfAndByteOrderMark) {
  auto profiles =
      parse_ok("\xEF\xBB\xBF[default]\r\nregion: eu-north-1\r\nendpoint_url = http://h:9000\r\n", true);
  EXPECT_EQ(profiles.at("default").at("region"), "eu-north-1");
  // The first delimiter splits, so a URL's colon stays in the value.
  EXPECT_EQ(profiles.at("default").at("endpoint_url"), "http://h:9000");
}

TEST(IniParsing, ErrorsNameFileAndLineButNeverTheLine) {
  struct Case {
    std::string text;
    std::string where;
  };
  const Case cases[] = {
      {"[default]\nregion = x\n[unterminated\n", "creds.ini:3: "},
      {"aws_secret_access_key = SECRETVALUE\n[default]\n", "creds.ini:1: "},
      {"[default]\n\naws_secret_access_key SECRETVALUE\n", "creds.ini:3: "},
      {"[default]\ns3 =\n  SECRETVALUE\n", "creds.ini:3: "},
      {"[]\n", "creds.ini:1: "},
      {"[default] SECRETVALUE\n", "creds.ini:1: "},
      {"[default]\n = SECRETVALUE\n", "creds.ini:2: "},
  };
  for (const auto& c : cases) {
    auto parsed = parse_ini_sections(c.text, "creds.ini");
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code, "ConfigParseError");
    EXPECT_TRUE(parsed.error().message.starts_with(c.where)) << parsed.error().message;
    EXPECT_EQ(parsed.error().message.find("SECRETVALUE"), std::string::npos) << parsed.error().message;
  }
}

TEST(SharedConfig, DefaultsToHomeAndHonoursOverrides) {
  dwh::test::ScopedAwsEnv env;
  EXPECT_EQ(dwh::aws::config_file_path(), env.home() + "/.aws/config");
  EXPECT_EQ(dwh::aws::credentials_file_path(), env.home() + "/.aws/credentials");
  EXPECT_EQ(dwh::aws::active_profile_name(), "default");

  env.set("AWS_CONFIG_FILE", "~/elsewhere/cfg");
  env.set("AWS_SHARED_CREDENTIALS_FILE", "/tmp/explicit-creds");
  env.set("AWS_PROFILE", "dev");
  EXPECT_EQ(dwh::aws::config_file_path(), env.home() + "/elsewhere/cfg");
  EXPECT_EQ(dwh::aws::credentials_file_path(), "/tmp/explicit-creds");
  EXPECT_EQ(dwh::aws::active_profile_name(), "dev");
}

TEST(SharedConfig, MissingFilesAreEmptyNotErrors) {
  dwh::test::ScopedAwsEnv env;
  auto shared = dwh::aws::load_shared_config();
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  EXPECT_FALSE(shared->config_exists);
  EXPECT_FALSE(shared->credentials_exists);
  EXPECT_TRUE(shared->config_profiles.empty());
  EXPECT_FALSE(shared->merged_profile("default").has_value());
}

TEST(SharedConfig, LoadsBothFilesMergesProfilesAndKeepsServices) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config",
                 "[default]\nregion = us-east-2\noutput = json\n"
                 "[profile dev]\nregion = eu-west-1\nservices = local\n"
                 "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n");
  env.write_file(".aws/credentials",
                 "[default]\naws_access_key_id = A\nregion = ap-south-1\n[other]\nx = y\n");
  auto shared = dwh::aws::load_shared_config();
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  EXPECT_TRUE(shared->config_exists);
  EXPECT_TRUE(shared->credentials_exists);
  auto merged = shared->merged_profile("default");
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->at("region"), "ap-south-1");  // the credentials file's value wins
  EXPECT_EQ(merged->at("output"), "json");
  EXPECT_EQ(merged->at("aws_access_key_id"), "A");
  EXPECT_EQ(shared->merged_profile("other")->at("x"), "y");
  EXPECT_EQ(shared->services.at("local").at("s3.endpoint_url"), "http://127.0.0.1:9000");

  EXPECT_EQ(dwh::aws::load_config_profile("dev")->at("region"), "eu-west-1");
  EXPECT_FALSE(dwh::aws::load_config_profile("other").has_value());
  EXPECT_EQ(dwh::aws::load_credentials_profile("other")->at("x"), "y");
}

TEST(SharedConfig, MalformedOrUnreadableFilesAreErrorsNamingThem) {
  dwh::test::ScopedAwsEnv env;
  auto path = env.write_file(".aws/config", "[default]\nregion = x\nthis line has no delimiter\n");
  auto shared = dwh::aws::load_shared_config();
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().code, "ConfigParseError");
  EXPECT_TRUE(shared.error().message.starts_with(path + ":3: ")) << shared.error().message;

  std::filesystem::create_directories(env.home() + "/dir-not-file");
  env.set("AWS_CONFIG_FILE", env.home() + "/dir-not-file");
  auto dir = dwh::aws::load_shared_config();
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, "ConfigReadError");
  EXPECT_NE(dir.error().message.find("dir-not-file"), std::string::npos);
}

TEST(Region, EnvironmentBeatsProfileInTheSdkOrder) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config", "[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-northeast-1\n");
  EXPECT_EQ(dwh::aws::resolve_region().value(), "eu-central-1");
  env.set("AWS_PROFILE", "dev");
  EXPECT_EQ(dwh::aws::resolve_region().value(), "ap-northeast-1");
  env.set("AWS_DEFAULT_REGION", "us-west-1");
  EXPECT_EQ(dwh::aws::resolve_region().value(), "us-west-1");
  env.set("AWS_REGION", "sa-east-1");
  EXPECT_EQ(dwh::aws::resolve_region().value(), "sa-east-1");
  env.set("AWS_REGION", "");  // empty counts as unset
  EXPECT_EQ(dwh::aws::resolve_region().value(), "us-west-1");
}

TEST(Region, ProfileRegionMayComeFromTheCredentialsFile) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config", "[default]\nregion = eu-central-1\n");
  env.write_file(".aws/credentials", "[default]\nregion = eu-west-3\n");
  EXPECT_EQ(dwh::aws::resolve_region().value(), "eu-west-3");
}

TEST(Region, MissingRegionNamesAllThreePlaces) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config", "[profile other]\nregion = eu-central-1\n");
  auto region = dwh::aws::resolve_region();
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, "NoRegion");
  const std::string& m = region.error().message;
  EXPECT_NE(m.find("AWS_REGION"), std::string::npos) << m;
  EXPECT_NE(m.find("AWS_DEFAULT_REGION"), std::string::npos) << m;
  EXPECT_NE(m.find("profile 'default'"), std::string::npos) << m;
  EXPECT_NE(m.find(env.home() + "/.aws/config"), std::string::npos) << m;
}

TEST(Region, InvalidRegionIsRejectedWithItsSource) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_REGION", "us east 1");
  auto region = dwh::aws::resolve_region();
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, "InvalidRegion");
  EXPECT_NE(region.error().message.find("AWS_REGION"), std::string::npos);
}

TEST(Region, ConfigParseErrorSurfaces) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/config", "region = x\n");
  auto region = dwh::aws::resolve_region();
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, "ConfigParseError");
}

}  // namespace
