// The provider chain: order, declines, hard errors, and the message when nothing is found.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>

#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "scoped_env.hpp"

namespace {

using dwh::aws::Credentials;
using dwh::aws::NamedProvider;

class FakeProvider final : public dwh::aws::CredentialsProvider {
 public:
  explicit FakeProvider(std::function<dwh::Result<Credentials>(int call)> answer)
      : answer_(std::move(answer)) {}
  dwh::Result<Credentials> get() override { return answer_(++calls); }
  std::atomic<int> calls{0};

 private:
  std::function<dwh::Result<Credentials>(int)> answer_;
};

Credentials fixed(std::string key) {
  Credentials c;
  c.access_key_id = key;
  c.secret_access_key = "secret-" + key;
  c.provider = "fake";
  return c;
}

std::vector<NamedProvider> sdk_order() {
  // Null HTTP client: the container and IMDS providers must decline before any request.
  std::vector<NamedProvider> p;
  p.push_back({"environment", dwh::aws::environment_credentials()});
  p.push_back({"shared files", dwh::aws::profile_credentials()});
  p.push_back({"container", dwh::aws::container_credentials(nullptr)});
  p.push_back({"imds", dwh::aws::imds_credentials(nullptr)});
  return p;
}

TEST(CredentialsChain, EnvironmentBeatsSharedFiles) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_EC2_METADATA_DISABLED", "true");
  env.write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n");
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.set("AWS_SECRET_ACCESS_KEY", "e");
  auto both = dwh::aws::credentials_chain(sdk_order())->get();
  ASSERT_TRUE(both.ok()) << both.error().message;
  EXPECT_EQ(both->access_key_id, "AKIDENV");
  EXPECT_EQ(both->provider, "environment");

  env.unset("AWS_ACCESS_KEY_ID");
  env.unset("AWS_SECRET_ACCESS_KEY");
  auto files = dwh::aws::credentials_chain(sdk_order())->get();
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->access_key_id, "AKIDFILE");
  EXPECT_EQ(files->provider, "shared-files");
}

TEST(CredentialsChain, NothingFoundListsEveryProviderAndWhy) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_EC2_METADATA_DISABLED", "true");
  auto creds = dwh::aws::credentials_chain(sdk_order())->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "NoCredentials");
  EXPECT_EQ(creds.error().message,
            "no AWS credentials found (environment: AWS_ACCESS_KEY_ID not set; shared files: neither " +
                env.home() + "/.aws/credentials nor " + env.home() +
                "/.aws/config exists; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                "AWS_CONTAINER_CREDENTIALS_FULL_URI not set; imds: disabled by AWS_EC2_METADATA_DISABLED)");
}

TEST(CredentialsChain, AHardErrorStopsTheChain) {
  dwh::test::ScopedAwsEnv env;
  env.write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n");
  env.set("AWS_ACCESS_KEY_ID", "AKIDENV");  // no secret: botocore stops here too
  auto creds = dwh::aws::credentials_chain(sdk_order())->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "PartialCredentials");
  EXPECT_TRUE(creds.error().message.starts_with("environment: ")) << creds.error().message;
}

TEST(CredentialsChain, ContainerFullUriToAForeignHostIsRefused) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.169.254/creds");
  auto creds = dwh::aws::credentials_chain(sdk_order())->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "InvalidContainerCredentialsUri");
  EXPECT_TRUE(creds.error().message.starts_with("container: ")) << creds.error().message;
}

TEST(CredentialsChain, TheWinnerIsAskedAloneAfterwards) {
  auto first = std::make_shared<FakeProvider>([](int) -> dwh::Result<Credentials> {
    return dwh::make_error(std::string(dwh::aws::kNoCredentials), "not yet");
  });
  auto second = std::make_shared<FakeProvider>([](int call) { return fixed("K" + std::to_string(call)); });
  auto chain = dwh::aws::credentials_chain({{"first", first}, {"second", second}});
  EXPECT_EQ(chain->get()->access_key_id, "K1");
  EXPECT_EQ(chain->get()->access_key_id, "K2");
  EXPECT_EQ(first->calls.load(), 1);
  EXPECT_EQ(second->calls.load(), 2);
}

}  // namespace
