// Differential test: the same environment and shared files, resolved by our chain and by
// botocore (Debian python3-botocore under /usr/bin/python3). Credentials, the provider kind,
// the failure kind and the region must agree.
//
// Left out on purpose, where we differ from botocore 1.29 by choice: AWS_REGION (botocore
// 1.29 does not read it), repeated sections (botocore refuses them, we merge), "[ default ]"
// (we trim inside the brackets), empty key values (botocore sends an empty key id), and
// regions that are not host labels (we reject them).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "dwh/aws/config.hpp"
#include "dwh/aws/credentials.hpp"
#include "process.hpp"
#include "scoped_env.hpp"

namespace {

constexpr const char* kBotocoreProbe = R"PY(
import json, botocore.session
out = {}
s = botocore.session.get_session()
try:
    c = s.get_credentials()
    if c is None:
        out['creds'] = None
    else:
        f = c.get_frozen_credentials()
        out['creds'] = {'access_key': f.access_key, 'secret_key': f.secret_key,
                        'token': f.token or '', 'method': c.method}
except Exception as e:
    out['creds_error'] = type(e).__name__
try:
    # A fresh session: botocore caches a half-loaded config after a parse error.
    out['region'] = botocore.session.get_session().get_config_variable('region') or ''
except Exception as e:
    out['region_error'] = type(e).__name__
print(json.dumps(out))
)PY";

struct Scenario {
  const char* name;
  std::optional<std::string> config;
  std::optional<std::string> credentials;
  std::map<std::string, std::string> env;
};

const Scenario kScenarios[] = {
    {"credentials file default",
     std::nullopt,
     "[default]\naws_access_key_id = AKID1\naws_secret_access_key = S1\n",
     {}},
    {"credentials file beats config file",
     "[default]\naws_access_key_id = CFG\naws_secret_access_key = CS\nregion = eu-west-1\n",
     "[default]\naws_access_key_id = CRED\naws_secret_access_key = RS\n",
     {}},
    {"config profile by AWS_PROFILE",
     "[default]\nregion = us-east-2\n[profile dev]\naws_access_key_id = DEV\naws_secret_access_key = DS\n"
     "region = ap-southeast-2\n",
     std::nullopt,
     {{"AWS_PROFILE", "dev"}}},
    {"config section without profile prefix is not a profile",
     "[dev]\naws_access_key_id = DEV\naws_secret_access_key = DS\n",
     std::nullopt,
     {{"AWS_PROFILE", "dev"}}},
    {"credentials file section with profile prefix is not that profile",
     std::nullopt,
     "[profile dev]\naws_access_key_id = DEV\naws_secret_access_key = DS\n",
     {{"AWS_PROFILE", "dev"}}},
    {"unknown profile", "[default]\nregion = us-east-1\n", std::nullopt, {{"AWS_PROFILE", "nope"}}},
    {"environment beats files",
     std::nullopt,
     "[default]\naws_access_key_id = F\naws_secret_access_key = FS\n",
     {{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "ES"}, {"AWS_SESSION_TOKEN", "ET"}}},
    {"legacy security token variable first",
     std::nullopt,
     std::nullopt,
     {{"AWS_ACCESS_KEY_ID", "ENV"},
      {"AWS_SECRET_ACCESS_KEY", "ES"},
      {"AWS_SESSION_TOKEN", "new"},
      {"AWS_SECURITY_TOKEN", "old"}}},
    {"environment key without secret",
     std::nullopt,
     "[default]\naws_access_key_id = F\naws_secret_access_key = FS\n",
     {{"AWS_ACCESS_KEY_ID", "ENV"}}},
    {"file key without secret", std::nullopt, "[default]\naws_access_key_id = F\n", {}},
    {"session tokens in files",
     std::nullopt,
     "[default]\naws_access_key_id = F\naws_secret_access_key = FS\naws_session_token = T2\n"
     "aws_security_token = T1\n",
     {}},
    {"the later of [profile default] and [default] wins",
     "[profile default]\nregion = eu-north-1\naws_access_key_id = PD\naws_secret_access_key = PS\n"
     "[default]\nregion = eu-south-1\naws_access_key_id = D\naws_secret_access_key = DS\n",
     std::nullopt,
     {}},
    {"the later of [default] and [profile default] wins, other order",
     "[default]\nregion = eu-south-1\naws_access_key_id = D\naws_secret_access_key = DS\n"
     "[profile default]\nregion = eu-north-1\naws_access_key_id = PD\naws_secret_access_key = PS\n",
     std::nullopt,
     {}},
    {"comments, whitespace, CRLF, colons and key case",
     "# top\r\n; also\r\n[default]\r\n  region :  ca-central-1  \r\n\tAWS_Access_Key_Id= MixedCase\r\n"
     "aws_secret_access_key =x=y=\r\n",
     std::nullopt,
     {}},
    {"nested blocks are tolerated",
     "[default]\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\nregion = us-west-2\n"
     "aws_access_key_id = N\naws_secret_access_key = NS\n",
     std::nullopt,
     {}},
    {"profile without keys", "[default]\nregion = us-west-1\noutput = json\n", std::nullopt, {}},
    {"nothing anywhere", std::nullopt, std::nullopt, {}},
    {"region from the credentials file overrides the config file",
     "[default]\nregion = eu-west-1\n",
     "[default]\nregion = eu-west-2\naws_access_key_id = R\naws_secret_access_key = RS\n",
     {}},
    {"AWS_DEFAULT_REGION beats the profile",
     "[default]\nregion = eu-west-1\n",
     std::nullopt,
     {{"AWS_DEFAULT_REGION", "me-south-1"}}},
    {"malformed config file",
     "[default]\nregion = eu-west-1\nno delimiter here\n",
     "[default]\naws_access_key_id = F\naws_secret_access_key = FS\n",
     {}},
    {"malformed credentials file", std::nullopt, "aws_access_key_id = F\n[default]\n", {}},
    {"files named by variables",
     std::nullopt,
     std::nullopt,
     {{"AWS_CONFIG_FILE", "~/custom/config"}, {"AWS_SHARED_CREDENTIALS_FILE", "~/custom/creds"}}},
};

std::string our_method_for(const std::string& botocore_method) {
  if (botocore_method == "env") return "environment";
  if (botocore_method == "shared-credentials-file" || botocore_method == "config-file") return "shared-files";
  return "unexpected botocore method " + botocore_method;
}

std::string our_code_for(const std::string& botocore_exception) {
  if (botocore_exception == "PartialCredentialsError") return "PartialCredentials";
  if (botocore_exception == "ProfileNotFound") return "ProfileNotFound";
  if (botocore_exception == "ConfigParseError") return "ConfigParseError";
  return "unexpected botocore exception " + botocore_exception;
}

TEST(CredentialsVersusBotocore, SameAnswersForTheSameFilesAndEnvironment) {
  for (const auto& s : kScenarios) {
    SCOPED_TRACE(s.name);
    dwh::test::ScopedAwsEnv env;
    env.set("AWS_EC2_METADATA_DISABLED", "true");
    for (const auto& [k, v] : s.env) env.set(k, v);
    const bool custom_files = s.env.contains("AWS_CONFIG_FILE");
    if (s.config) env.write_file(".aws/config", *s.config);
    if (s.credentials) env.write_file(".aws/credentials", *s.credentials);
    if (custom_files) {
      env.write_file("custom/config", "[default]\nregion = af-south-1\n");
      env.write_file("custom/creds", "[default]\naws_access_key_id = CUSTOM\naws_secret_access_key = CS\n");
    }

    auto probe = dwh::test::run_process({"/usr/bin/python3", "-c", kBotocoreProbe});
    ASSERT_EQ(probe.exit_code, 0) << probe.err;
    auto expected = nlohmann::json::parse(probe.out);

    std::vector<dwh::aws::NamedProvider> providers = {{"environment", dwh::aws::environment_credentials()},
                                                      {"shared files", dwh::aws::profile_credentials()},
                                                      {"container", dwh::aws::container_credentials(nullptr)},
                                                      {"imds", dwh::aws::imds_credentials(nullptr)}};
    auto creds = dwh::aws::credentials_chain(providers)->get();
    if (expected.contains("creds_error")) {
      ASSERT_FALSE(creds.ok()) << "botocore: " << expected.dump();
      EXPECT_EQ(creds.error().code, our_code_for(expected["creds_error"])) << creds.error().message;
    } else if (expected["creds"].is_null()) {
      ASSERT_FALSE(creds.ok()) << "botocore found none, we found " << creds->access_key_id;
      EXPECT_EQ(creds.error().code, "NoCredentials") << creds.error().message;
    } else {
      ASSERT_TRUE(creds.ok()) << creds.error().message << "; botocore: " << expected.dump();
      const auto& e = expected["creds"];
      EXPECT_EQ(creds->access_key_id, e["access_key"].get<std::string>());
      EXPECT_EQ(creds->secret_access_key, e["secret_key"].get<std::string>());
      EXPECT_EQ(creds->session_token, e["token"].get<std::string>());
      EXPECT_EQ(creds->provider, our_method_for(e["method"]));
    }

    auto region = dwh::aws::resolve_region();
    if (expected.contains("region_error")) {
      EXPECT_FALSE(region.ok()) << "botocore failed with " << expected["region_error"] << ", we found "
                                << *region;
    } else if (expected["region"].get<std::string>().empty()) {
      ASSERT_FALSE(region.ok()) << "botocore found no region, we found " << *region;
      EXPECT_EQ(region.error().code, "NoRegion");
    } else {
      ASSERT_TRUE(region.ok()) << region.error().message;
      EXPECT_EQ(*region, expected["region"].get<std::string>());
    }
  }
}

}  // namespace
