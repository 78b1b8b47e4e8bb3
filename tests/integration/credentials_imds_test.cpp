// EC2 instance metadata credentials against a loopback stand-in of IMDS, through the real
// curl client, pointed at it by AWS_EC2_METADATA_SERVICE_ENDPOINT.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "credentials_json.hpp"
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "loopback_server.hpp"
#include "process.hpp"
#include "scoped_env.hpp"

namespace {

using namespace std::chrono;
using dwh::test::LoopbackAction;
using dwh::test::LoopbackRequest;
using dwh::test::LoopbackServer;

constexpr const char* kToken = "AQAEAFake-imds-token==";
constexpr const char* kRolePath = "/latest/meta-data/iam/security-credentials/";

// IMDS as EC2 runs it with IMDSv2 required: a token from PUT, then GETs that must carry it.
struct FakeImds {
  milliseconds lifetime = hours(6);
  milliseconds credentials_delay{0};
  bool v1_only = false;  // answer the token PUT with 405, accept GETs without a token
  std::string role = "dwh-role";
  std::atomic<int> issued{0};

  LoopbackAction answer(const LoopbackRequest& r) {
    if (r.method == "PUT" && r.path == "/latest/api/token") {
      if (v1_only) return LoopbackAction::respond(405, "");
      if (r.header("x-aws-ec2-metadata-token-ttl-seconds") != "21600")
        return LoopbackAction::respond(400, "");
      return LoopbackAction::respond(200, kToken);
    }
    if (r.method != "GET") return LoopbackAction::respond(405, "");
    if (!v1_only && r.header("x-aws-ec2-metadata-token") != kToken) return LoopbackAction::respond(401, "");
    if (r.path == kRolePath) {
      if (role.empty()) return LoopbackAction::respond(404, "");
      return LoopbackAction::respond(200, role);
    }
    if (r.path == kRolePath + role) {
      int n = ++issued;
      return LoopbackAction::respond_after(
          credentials_delay, 200,
          dwh::test::credentials_json("IK" + std::to_string(n), system_clock::now() + lifetime));
    }
    return LoopbackAction::respond(404, "");
  }
};

class ImdsCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_handler([this](const LoopbackRequest& r) { return imds_.answer(r); });
    env_.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server_.endpoint() + "/");
  }
  std::shared_ptr<dwh::aws::CredentialsProvider> provider() { return dwh::aws::imds_credentials(http_); }

  dwh::test::ScopedAwsEnv env_;
  FakeImds imds_;
  LoopbackServer server_;
  std::shared_ptr<dwh::aws::HttpClient> http_ = dwh::aws::make_curl_http_client();
};

TEST_F(ImdsCredentials, TokenPutThenRoleAndCredentialsWithTheToken) {
  auto creds = provider()->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->access_key_id, "IK1");
  EXPECT_EQ(creds->secret_access_key, "secret-IK1");
  EXPECT_EQ(creds->session_token, "token-IK1");
  EXPECT_EQ(creds->provider, "imds");
  ASSERT_TRUE(creds->expiration.has_value());

  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].path, "/latest/api/token");
  EXPECT_EQ(requests[0].header("x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(requests[1].method, "GET");
  EXPECT_EQ(requests[1].path, kRolePath);
  EXPECT_EQ(requests[1].header("x-aws-ec2-metadata-token"), kToken);
  EXPECT_EQ(requests[2].method, "GET");
  EXPECT_EQ(requests[2].path, std::string(kRolePath) + "dwh-role");
  EXPECT_EQ(requests[2].header("x-aws-ec2-metadata-token"), kToken);
}

TEST_F(ImdsCredentials, DisabledMeansNoRequestAtAll) {
  env_.set("AWS_EC2_METADATA_DISABLED", "TRUE");
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_EQ(creds.error().message, "disabled by AWS_EC2_METADATA_DISABLED");
  EXPECT_EQ(server_.request_count(), 0u);
}

TEST_F(ImdsCredentials, FallsBackToImdsV1WhenTokensAreNotOffered) {
  imds_.v1_only = true;
  auto creds = provider()->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_FALSE(requests[1].header("x-aws-ec2-metadata-token").has_value());
}

TEST_F(ImdsCredentials, NoRoleAttachedDeclines) {
  imds_.role.clear();
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(creds.error().message.find("IAM role name"), std::string::npos) << creds.error().message;
  EXPECT_NE(creds.error().message.find("HTTP 404"), std::string::npos) << creds.error().message;
}

TEST_F(ImdsCredentials, ErrorDocumentDeclinesWithItsCode) {
  server_.set_handler([this](const LoopbackRequest& r) {
    if (r.path == std::string(kRolePath) + "dwh-role") {
      return LoopbackAction::respond(
          200, R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume"})");
    }
    return imds_.answer(r);
  });
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(creds.error().message.find("AssumeRoleUnauthorizedAccess"), std::string::npos);
}

TEST_F(ImdsCredentials, RefusedConnectionDeclinesAtOnce) {
  env_.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(dwh::test::free_port()));
  auto start = steady_clock::now();
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(creds.error().message.find("no answer from http://127.0.0.1:"), std::string::npos);
  EXPECT_LT(steady_clock::now() - start, milliseconds(900));
}

// A peer that accepts connections (the kernel completes the handshake for the backlog) but
// never answers: the PUT must give up after IMDS's one-second timeout, not hang.
TEST_F(ImdsCredentials, SilentEndpointTimesOutAfterOneSecond) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  env_.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));

  auto start = steady_clock::now();
  auto creds = provider()->get();
  auto elapsed = steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, dwh::aws::kNoCredentials);
  EXPECT_NE(creds.error().message.find("no answer from"), std::string::npos) << creds.error().message;
  EXPECT_GE(elapsed, milliseconds(900));
  EXPECT_LT(elapsed, milliseconds(2500));
}

TEST_F(ImdsCredentials, TimeoutAndAttemptsAreConfigurable) {
  imds_.credentials_delay = milliseconds(700);
  env_.set("AWS_METADATA_SERVICE_TIMEOUT", "0.3");
  env_.set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2");
  auto creds = provider()->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.error().message.find("credentials of role dwh-role"), std::string::npos)
      << creds.error().message;
  auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 4u);  // token, role, and two tries for the credentials
  EXPECT_EQ(requests[3].path, requests[2].path);

  env_.set("AWS_METADATA_SERVICE_TIMEOUT", "soon");
  auto bad = provider()->get();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "InvalidImdsSetting");
}

TEST_F(ImdsCredentials, DefaultChainFallsThroughToImds) {
  auto creds = dwh::aws::default_credentials_chain(http_)->get();
  ASSERT_TRUE(creds.ok()) << creds.error().message;
  EXPECT_EQ(creds->provider, "imds");
}

TEST_F(ImdsCredentials, ExpiredCredentialsAreFetchedAgain) {
  imds_.lifetime = milliseconds(1200);
  dwh::aws::CachingOptions no_windows;
  no_windows.advisory_window = seconds(0);
  no_windows.mandatory_window = seconds(0);
  auto cached = dwh::aws::caching_credentials(provider(), no_windows);
  auto first = cached->get();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(cached->get()->access_key_id, "IK1");
  EXPECT_EQ(imds_.issued.load(), 1);
  std::this_thread::sleep_until(*first->expiration + milliseconds(50));
  EXPECT_EQ(cached->get()->access_key_id, "IK2");
  EXPECT_EQ(imds_.issued.load(), 2);
  // A refresh is a new token PUT and both GETs.
  EXPECT_EQ(server_.request_count(), 6u);
}

// Many threads share one cached provider while it refreshes over and over: credentials are
// short-lived, the refresh window is most of their life, and IMDS answers slowly. Nobody
// may see an error or expired credentials, and callers must not pile onto IMDS.
TEST_F(ImdsCredentials, ManyThreadsShareOneProviderThroughRefreshes) {
  imds_.lifetime = milliseconds(1500);
  imds_.credentials_delay = milliseconds(100);
  dwh::aws::CachingOptions windows;
  windows.advisory_window = seconds(1);
  windows.mandatory_window = seconds(0);
  auto cached = dwh::aws::caching_credentials(provider(), windows);

  std::atomic<bool> stop{false};
  std::atomic<long> calls{0};
  std::atomic<long> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        auto before = system_clock::now();
        auto c = cached->get();
        ++calls;
        if (!c.ok() || c->secret_access_key != "secret-" + c->access_key_id || *c->expiration <= before)
          ++failures;
        std::this_thread::sleep_for(milliseconds(1));
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(2500));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(calls.load(), 500);
  // A refresh starts once 1 s is left of 1.5 s: about every 0.6 s, so 4-6 in 2.5 s.
  EXPECT_GE(imds_.issued.load(), 3);
  EXPECT_LE(imds_.issued.load(), 7);
}

}  // namespace
