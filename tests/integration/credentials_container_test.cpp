// Container credentials against a loopback stand-in of the ECS/EKS credentials endpoint,
// through the real curl client.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "credentials_json.hpp"
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/core/log.hpp"
#include "loopback_server.hpp"
#include "process.hpp"
#include "scoped_env.hpp"

namespace {

using namespace std::chrono;
using dwh::test::LoopbackAction;
using dwh::test::LoopbackRequest;
using dwh::test::LoopbackServer;

dwh::aws::ContainerCredentialsOptions fast_retries() {
  dwh::aws::ContainerCredentialsOptions o;
  o.retry_pause = milliseconds(10);
  return o;
}

// Hands out "CK1", "CK2", ... living `lifetime` each.
dwh::test::LoopbackHandler issuing(milliseconds lifetime, std::shared_ptr<std::atomic<int>> issued) {
  return [lifetime, issued](const LoopbackRequest&) {
    int n = ++*issued;
    return LoopbackAction::respond(
        200, dwh::test::credentials_json("CK" + std::to_string(n), system_clock::now() + lifetime),
        {{"Content-Type", "application/json"}});
  };
}

class ContainerCredentials : public ::testing::Test {
 protected:
  void SetUp() override { server_.set_handler(issuing(hours(6), issued_)); }
  std::shared_ptr<dwh::aws::CredentialsProvider> provider() {
    return dwh::aws::container_credentials(http_, fast_retries());
  }

  dwh::test::ScopedAwsEnv env_;
  std::shared_ptr<std::atomic<int>> issued_ = std::make_shared<std::atomic<int>>(0);
  LoopbackServer server_;
  std::shared_ptr<dwh::aws::HttpClient> http_ = dwh::aws::make_curl_http_client();
};

TEST_F(ContainerCredentials, FullUriWithAuthorizationTokenFromTheEnvironment) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/v1/credentials?id=a%2Fb");
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic env-token");
  auto creds = provider()->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "CK1");
  EXPECT_EQ(creds->secret_access_key, "secret-CK1");
  EXPECT_EQ(creds->session_token, "token-CK1");
  EXPECT_EQ(creds->provider, "container");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_GT(*creds->expiration, system_clock::now() + hours(5));

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/v1/credentials");
  EXPECT_EQ(requests[0].query_param("id"), "a/b");
  EXPECT_EQ(requests[0].header("authorization"), "Basic env-token");
  EXPECT_EQ(requests[0].header("accept"), "application/json");
}

TEST_F(ContainerCredentials, TokenFileWinsAndIsReadOnEveryFetch) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "env-token-loses");
  auto token_file = env_.write_file("eks/token", "file-token-1\n");
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file);
  auto p = provider();
  ASSERT_TRUE(p->get().ok());
  env_.write_file("eks/token", "file-token-2");  // rotated under the running process
  ASSERT_TRUE(p->get().ok());
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("authorization"), "file-token-1");
  EXPECT_EQ(requests[1].header("authorization"), "file-token-2");
}

TEST_F(ContainerCredentials, UnreadableTokenFileOrBadTokenSendsNothing) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", env_.home() + "/no-such-file");
  auto missing = provider()->get();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "ContainerAuthorizationToken");
  EXPECT_NE(missing.error().message.find("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), std::string::npos);

  env_.unset("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  env_.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nX-Injected: 1");
  auto injected = provider()->get();
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().code, "ContainerAuthorizationToken");
  EXPECT_EQ(injected.error().message.find("abc"), std::string::npos);  // the token is not quoted
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ContainerCredentials, LoopbackNamesAndEksAddressesAllowedOthersRefused) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
           "http://localhost:" + std::to_string(server_.port()) + "/creds");
  auto local = provider()->get();
  ASSERT_TRUE(local.ok()) << local.error().message;

  for (const char* refused :
       {"http://10.0.0.1/creds", "http://169.254.169.254/latest", "http://example.com/creds"}) {
    env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused);
    auto creds = provider()->get();
    ASSERT_FALSE(creds.ok()) << refused;
    EXPECT_EQ(creds.error().code, "InvalidContainerCredentialsUri") << refused;
  }
  // https may go anywhere: this one passes the check and fails only on name resolution.
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.invalid/creds");
  dwh::aws::ContainerCredentialsOptions once = fast_retries();
  once.attempts = 1;
  auto https = dwh::aws::container_credentials(http_, once)->get();
  ASSERT_FALSE(https.ok());
  EXPECT_EQ(https.error().code, "ContainerCredentialsUnavailable") << https.error().message;
}

// The relative form always goes to the ECS agent's fixed address, and wins over the full one.
TEST_F(ContainerCredentials, RelativeUriGoesToTheEcsAgentAndWinsOverFullUri) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  env_.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-leading-slash");
  auto bad = provider()->get();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidContainerCredentialsUri");
  EXPECT_NE(bad.error().message.find("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), std::string::npos);

  env_.set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-id");
  dwh::aws::ContainerCredentialsOptions quick;
  quick.timeout = milliseconds(200);
  quick.attempts = 1;
  auto creds = dwh::aws::container_credentials(http_, quick)->get();
  // Off ECS nothing serves that address; whatever happened there, it was not our server.
  if (!creds.ok()) {
    EXPECT_NE(creds.error().message.find("http://169.254.170.2/v2/credentials/task-id"), std::string::npos)
        << creds.error().message;
  }
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ContainerCredentials, ClientErrorsAreNotRetriedAndQuoteOnlyCodeAndMessage) {
  server_.set_handler([](const LoopbackRequest&) {
    return LoopbackAction::respond(
        403, R"({"code":"AccessDenied","message":"bad token","SecretAccessKey":"leak"})");
  });
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "ContainerCredentialsError");
  EXPECT_EQ(creds.error().http_status, 403);
  EXPECT_NE(creds.error().message.find("AccessDenied"), std::string::npos);
  EXPECT_NE(creds.error().message.find("bad token"), std::string::npos);
  EXPECT_EQ(creds.error().message.find("leak"), std::string::npos);
  EXPECT_EQ(server_.request_count(), 1u);
}

TEST_F(ContainerCredentials, ServerErrorsAndResetsAreRetried) {
  server_.set_handler(LoopbackServer::sequence(
      {LoopbackAction::respond(500, "oops"), LoopbackAction::reset(),
       LoopbackAction::respond(200, dwh::test::credentials_json("CK9", system_clock::now() + hours(1)))}));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  auto creds = provider()->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "CK9");
  EXPECT_EQ(server_.request_count(), 3u);
}

TEST_F(ContainerCredentials, UnreachableEndpointFailsAfterTheAttempts) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
           "http://127.0.0.1:" + std::to_string(dwh::test::free_port()) + "/c");
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "ContainerCredentialsUnavailable");
  EXPECT_NE(creds.error().message.find("3 time(s)"), std::string::npos) << creds.error().message;
}

TEST_F(ContainerCredentials, IncompleteDocumentNamesTheMissingFieldsOnly) {
  server_.set_handler([](const LoopbackRequest&) {
    return LoopbackAction::respond(200, R"({"AccessKeyId":"CKX","SecretAccessKey":"do-not-print"})");
  });
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "InvalidCredentialsDocument");
  EXPECT_NE(creds.error().message.find("Token, Expiration"), std::string::npos) << creds.error().message;
  EXPECT_EQ(creds.error().message.find("do-not-print"), std::string::npos);
}

TEST_F(ContainerCredentials, CachedUntilTheAdvisoryWindowThenRefreshed) {
  server_.set_handler(issuing(milliseconds(4000), issued_));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  dwh::aws::CachingOptions windows;
  windows.advisory_window = seconds(2);
  windows.mandatory_window = seconds(1);
  auto cached = dwh::aws::caching_credentials(provider(), windows);
  EXPECT_EQ(cached->get()->access_key_id, "CK1");
  EXPECT_EQ(cached->get()->access_key_id, "CK1");  // 4 s left: from the cache
  EXPECT_EQ(server_.request_count(), 1u);
  std::this_thread::sleep_for(milliseconds(2300));  // under 2 s left
  EXPECT_EQ(cached->get()->access_key_id, "CK2");
  EXPECT_EQ(cached->get()->access_key_id, "CK2");
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_F(ContainerCredentials, ExpiredCredentialsAreFetchedAgain) {
  server_.set_handler(issuing(milliseconds(1200), issued_));
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  dwh::aws::CachingOptions no_windows;
  no_windows.advisory_window = seconds(0);
  no_windows.mandatory_window = seconds(0);
  auto cached = dwh::aws::caching_credentials(provider(), no_windows);
  auto first = cached->get();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->access_key_id, "CK1");
  EXPECT_EQ(cached->get()->access_key_id, "CK1");
  EXPECT_EQ(server_.request_count(), 1u);
  std::this_thread::sleep_until(*first->expiration + milliseconds(50));
  EXPECT_EQ(cached->get()->access_key_id, "CK2");
  EXPECT_EQ(server_.request_count(), 2u);
}

TEST_F(ContainerCredentials, DefaultChainFindsThemAndLogsTheProvider) {
  env_.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.endpoint() + "/creds");
  env_.set("AWS_EC2_METADATA_DISABLED", "true");
  std::vector<std::string> lines;
  dwh::log::set_sink([&](std::string_view line) { lines.emplace_back(line); });
  auto chain = dwh::aws::default_credentials_chain(http_);
  auto creds = chain->get();
  auto again = chain->get();
  dwh::log::set_sink(nullptr);
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->provider, "container");
  EXPECT_EQ(again->access_key_id, creds->access_key_id);
  EXPECT_EQ(server_.request_count(), 1u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"credentials resolved\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"provider\":\"container\""), std::string::npos);
  EXPECT_EQ(lines[0].find("secret-CK1"), std::string::npos);
  EXPECT_EQ(lines[0].find("token-CK1"), std::string::npos);
}

}  // namespace
