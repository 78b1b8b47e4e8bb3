// ServiceClient against the loopback stub: signing headers on the wire, the standard retry
// mode (what is retried, how often, with what quota), the shared back-off between threads,
// clock-skew correction, and the errors a caller sees when everything fails.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "dwh/aws/service_client.hpp"
#include "dwh/aws/sigv4.hpp"
#include "dwh/core/log.hpp"
#include "loopback_server.hpp"
#include "process.hpp"
#include "scoped_env.hpp"
#include "test_bodies.hpp"

namespace {

using dwh::aws::CallOptions;
using dwh::aws::ClientOptions;
using dwh::aws::HttpRequest;
using dwh::aws::HttpResponse;
using dwh::aws::Protocol;
using dwh::aws::RetryConfig;
using dwh::aws::ServiceClient;
using dwh::aws::ServiceInfo;
using dwh::test::LoopbackAction;
using dwh::test::LoopbackRequest;
using dwh::test::LoopbackServer;
using namespace std::chrono_literals;

constexpr const char* kAccessKey = "AKIDLOOPBACKTEST";
constexpr const char* kSecret = "SECRETxyzDoNotLeak";
constexpr const char* kToken = "TOKENabcDoNotLeak";

ServiceInfo s3_like() {
  return ServiceInfo{"S3", "s3", "s3", Protocol::RestXml, true, false};
}
ServiceInfo json_like() {
  return ServiceInfo{"Test Json", "testjson", "testjson", Protocol::Json, false, false};
}

RetryConfig fast_retries(int max_attempts = 3) {
  RetryConfig c;
  c.max_attempts = max_attempts;
  c.base_delay = 5ms;
  c.max_backoff = 50ms;
  return c;
}

struct ClientSetup {
  std::optional<RetryConfig> retry = fast_retries();
  ServiceInfo info = s3_like();
  double random = 0.5;
  std::string endpoint_suffix;

  ClientSetup& with_retry(std::optional<RetryConfig> r) {
    retry = std::move(r);
    return *this;
  }
  ClientSetup& with_info(ServiceInfo i) {
    info = std::move(i);
    return *this;
  }
  ClientSetup& with_random(double r) {
    random = r;
    return *this;
  }
  ClientSetup& with_suffix(std::string s) {
    endpoint_suffix = std::move(s);
    return *this;
  }
};

std::unique_ptr<ServiceClient> make_client(const LoopbackServer& server, ClientSetup setup = {}) {
  ClientOptions o;
  o.region = "us-east-1";
  o.endpoint_url = server.endpoint() + setup.endpoint_suffix;
  o.credentials = dwh::aws::static_credentials({kAccessKey, kSecret, kToken, std::nullopt, "test"});
  o.retry = setup.retry;
  o.random = [r = setup.random] { return r; };
  auto client = ServiceClient::create(setup.info, std::move(o));
  EXPECT_TRUE(client.ok()) << client.error().to_string();
  return std::move(client).value();
}

HttpRequest get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

// Collects log lines for the duration of a test.
class LogCapture {
 public:
  LogCapture() {
    dwh::log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { dwh::log::set_sink(nullptr); }
  // Parsed lines whose message is `message`.
  std::vector<nlohmann::json> json(std::string_view message) {
    std::lock_guard lock(mu_);
    std::vector<nlohmann::json> out;
    for (const auto& l : lines_) {
      auto j = nlohmann::json::parse(l);
      if (j.value("message", "") == message) out.push_back(std::move(j));
    }
    return out;
  }
  std::string all() {
    std::lock_guard lock(mu_);
    std::string out;
    for (const auto& l : lines_) out += l + "\n";
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

void expect_no_secret(const std::string& text) {
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  EXPECT_EQ(text.find("Signature="), std::string::npos) << text;
}

std::string http_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST(ServiceClient, SignsWithHostDateTokenPayloadHashAndUserAgent) {
  LoopbackServer server;
  auto client = make_client(server);
  HttpRequest put;
  put.method = "PUT";
  put.path = "/bucket/key";
  put.body = "hello world";
  put.headers = {{"Content-Type", "text/plain"}};
  ASSERT_TRUE(client->call("PutObject", put).ok());
  auto r = server.requests().at(0);
  EXPECT_EQ(r.header("host"), server.host_port());
  EXPECT_EQ(r.header("x-amz-security-token"), kToken);
  EXPECT_EQ(r.header("x-amz-content-sha256"), dwh::aws::sigv4::sha256_hex("hello world"));
  EXPECT_EQ(r.header("user-agent"), "dwhkit/0.1");
  auto date = dwh::aws::sigv4::parse_amz_date(r.header("x-amz-date").value_or(""));
  ASSERT_TRUE(date.has_value());
  EXPECT_LT(std::chrono::abs(*date - std::chrono::system_clock::now()), 1min);
  const std::string auth = r.header("authorization").value_or("");
  EXPECT_EQ(auth.rfind(std::string("AWS4-HMAC-SHA256 Credential=") + kAccessKey + "/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(
      auth.find("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
      std::string::npos)
      << auth;
  EXPECT_EQ(r.body, "hello world");
}

TEST(ServiceClient, PayloadHashRules) {
  LoopbackServer server;
  auto client = make_client(server);
  // A caller-set hash is signed and sent once.
  HttpRequest given;
  given.method = "PUT";
  given.path = "/b/given";
  given.body = "abc";
  given.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  ASSERT_TRUE(client->call("PutObject", given).ok());
  // A streamed body over plain http is hashed before sending, not sent unsigned.
  const std::string content = dwh::test::pattern_string(1u << 20);
  dwh::test::PatternSource source(1u << 20, true);
  HttpRequest streamed;
  streamed.method = "PUT";
  streamed.path = "/b/streamed";
  streamed.body_source = &source;
  ASSERT_TRUE(client->call("PutObject", streamed).ok());
  // No body: the empty hash.
  ASSERT_TRUE(client->call("GetObject", get("/b/k")).ok());

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  int count = 0;
  for (const auto& [name, value] : reqs[0].headers) count += name == "x-amz-content-sha256";
  EXPECT_EQ(count, 1);
  EXPECT_EQ(reqs[0].header("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(reqs[1].header("x-amz-content-sha256"), dwh::aws::sigv4::sha256_hex(content));
  EXPECT_EQ(reqs[1].body_digest, dwh::test::pattern_digest(1u << 20));
  EXPECT_EQ(reqs[2].header("x-amz-content-sha256"), std::string(dwh::aws::kEmptyPayloadSha256));
}

TEST(ServiceClient, EndpointBasePathPrefixesRequests) {
  LoopbackServer server;
  auto client = make_client(server, ClientSetup().with_suffix("/base/"));
  ASSERT_TRUE(client->call("GetObject", get("/b/k")).ok());
  EXPECT_EQ(server.requests().at(0).path, "/base/b/k");
}

TEST(ServiceClient, RetriesSlowDownThenSucceedsAndLogsTheRetry) {
  LoopbackServer server(LoopbackServer::sequence(
      {LoopbackAction::aws_error(503, "SlowDown", "Please reduce your request rate."),
       LoopbackAction::respond(200, "ok")}));
  LogCapture logs;
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(resp->body, "ok");
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(client->retry_policy().quota(), 500);  // 5 taken, 5 refunded on success

  auto lines = logs.json("retrying AWS request");
  ASSERT_EQ(lines.size(), 1u) << logs.all();
  EXPECT_EQ(lines[0]["level"], "warn");
  const auto& f = lines[0].contains("figures") ? lines[0]["figures"] : lines[0];
  EXPECT_EQ(f["attempt"], 2) << lines[0].dump();
  EXPECT_EQ(f["code"], "SlowDown");
  EXPECT_EQ(f["http_status"], 503);
  EXPECT_EQ(f["operation"], "GetObject");
  EXPECT_EQ(f["delay_ms"], 2);  // 0.5 * 5 ms, truncated
  expect_no_secret(logs.all());
}

TEST(ServiceClient, Retries500ThenSucceeds) {
  LoopbackServer server(
      LoopbackServer::sequence({LoopbackAction::respond(500), LoopbackAction::respond(200, "ok")}));
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(server.request_count(), 2u);
  auto reqs = server.requests();
  // Each attempt is signed afresh.
  EXPECT_TRUE(reqs[1].header("authorization").has_value());
}

TEST(ServiceClient, ResetMidBodyIsRetriedAndTheSinkRewound) {
  constexpr std::uint64_t kSize = 1u << 20;
  const std::string body = dwh::test::pattern_string(kSize);
  LoopbackServer server(
      LoopbackServer::sequence({LoopbackAction::reset_mid_body(body, 300000),
                                LoopbackAction::generated(200, kSize, dwh::test::fill_pattern)}));
  auto client = make_client(server);
  dwh::test::DigestSink sink;
  auto resp = client->call("GetObject", get("/b/k"), &sink);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(sink.rewinds_, 1);
  EXPECT_EQ(sink.bytes_, kSize);  // exactly one copy, not the cut prefix plus the whole
  EXPECT_EQ(sink.digest_, dwh::test::pattern_digest(kSize));
}

TEST(ServiceClient, UploadIsResentWholeAfterAFailure) {
  LoopbackServer server(LoopbackServer::sequence(
      {LoopbackAction::aws_error(500, "InternalError"), LoopbackAction::respond(200)}));
  auto client = make_client(server);
  dwh::test::PatternSource source(1u << 20, true);
  HttpRequest put;
  put.method = "PUT";
  put.path = "/b/k";
  put.body_source = &source;
  put.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  ASSERT_TRUE(client->call("PutObject", put).ok());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body_digest, dwh::test::pattern_digest(1u << 20));
  EXPECT_EQ(reqs[1].body_digest, dwh::test::pattern_digest(1u << 20));
  EXPECT_EQ(source.rewinds_, 1);
}

TEST(ServiceClient, BodyThatCannotRewindIsNotRetried) {
  LoopbackServer server(
      LoopbackServer::sequence({LoopbackAction::respond(500), LoopbackAction::respond(200)}));
  auto client = make_client(server);
  dwh::test::PatternSource source(1000, true);
  source.rewindable_ = false;
  HttpRequest put;
  put.method = "PUT";
  put.path = "/b/k";
  put.body_source = &source;
  put.headers = {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}};
  auto resp = client->call("PutObject", put);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_NE(resp.error().message.find("cannot be rewound"), std::string::npos) << resp.error().message;
}

TEST(ServiceClient, NonRetryableErrorIsReturnedAtOnceWithEveryField) {
  LoopbackServer server([](const LoopbackRequest&) {
    return LoopbackAction::aws_error(400, "InvalidArgument", "Bad argument here");
  });
  auto client = make_client(server);
  auto resp = client->call("PutObject", get("/b/k"));
  ASSERT_FALSE(resp.ok());
  const auto& e = resp.error();
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(e.service, "s3");
  EXPECT_EQ(e.operation, "PutObject");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "InvalidArgument");
  EXPECT_EQ(e.message, "Bad argument here");
  EXPECT_EQ(e.request_id, "loopback-request-id");
  EXPECT_EQ(e.to_string(),
            "s3 PutObject: 400 InvalidArgument: Bad argument here (request id loopback-request-id)");
  expect_no_secret(e.to_string());
  EXPECT_EQ(client->retry_policy().quota(), 500);
}

TEST(ServiceClient, AttemptsAreCappedAtThree) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackAction::aws_error(503, "SlowDown"); });
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(resp.error().code, "SlowDown");
  EXPECT_NE(resp.error().message.find("gave up after 3 attempts: max attempts reached"), std::string::npos)
      << resp.error().message;
  EXPECT_EQ(client->retry_policy().quota(), 490);  // two retries, no success to refund them
}

TEST(ServiceClient, AwsMaxAttemptsFromTheEnvironment) {
  dwh::test::ScopedAwsEnv env;
  env.set("AWS_MAX_ATTEMPTS", "5");
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackAction::respond(500); });
  auto client =
      make_client(server, ClientSetup().with_retry(std::nullopt).with_random(0.0));  // zero delay: no waiting
  EXPECT_EQ(client->retry_policy().config().max_attempts, 5);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(server.request_count(), 5u);

  env.set("AWS_MAX_ATTEMPTS", "1");
  LoopbackServer once([](const LoopbackRequest&) { return LoopbackAction::respond(500); });
  auto single = make_client(once, ClientSetup().with_retry(std::nullopt).with_random(0.0));
  EXPECT_FALSE(single->call("GetObject", get("/b/k")).ok());
  EXPECT_EQ(once.request_count(), 1u);
}

TEST(ServiceClient, RetryQuotaExhaustionStopsRetrying) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackAction::respond(500); });
  RetryConfig cfg = fast_retries(10);
  cfg.initial_quota = 10;
  auto client = make_client(server, ClientSetup().with_retry(cfg));
  auto first = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(server.request_count(), 3u);  // 10 -> 5 -> 0, then no quota for a third retry
  EXPECT_NE(first.error().message.find("retry quota exhausted"), std::string::npos) << first.error().message;
  auto second = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(server.request_count(), 4u);  // the quota is per client: no retry at all now
  EXPECT_NE(second.error().message.find("not retried: retry quota exhausted"), std::string::npos)
      << second.error().message;
}

// Thread A is throttled; thread B, which starts afterwards on the same client, must wait for
// the same back-off before its request leaves. Timestamps come from the server.
TEST(ServiceClient, ThrottlingBacksOffEveryThreadOfTheClient) {
  std::atomic<bool> throttled{false};
  std::atomic<int> a_count{0};
  LoopbackServer server([&](const LoopbackRequest& r) {
    if (r.path == "/a" && a_count++ == 0) {
      throttled = true;
      return LoopbackAction::aws_error(503, "SlowDown");
    }
    return LoopbackAction::respond(200);
  });
  RetryConfig cfg = fast_retries();
  cfg.base_delay = 600ms;
  cfg.max_backoff = 5s;
  auto client =
      make_client(server, ClientSetup().with_retry(cfg).with_random(0.999));  // first retry waits ~599 ms

  std::thread a([&] { EXPECT_TRUE(client->call("GetObject", get("/a")).ok()); });
  while (!throttled) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);  // A has its 503 by now and has closed the gate
  const auto b_called = std::chrono::steady_clock::now();
  EXPECT_TRUE(client->call("GetObject", get("/b")).ok());
  a.join();

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const LoopbackRequest* a1 = nullptr;
  const LoopbackRequest* b = nullptr;
  for (const auto& r : reqs) {
    if (r.path == "/a" && a1 == nullptr) a1 = &r;
    if (r.path == "/b") b = &r;
  }
  ASSERT_TRUE(a1 && b);
  EXPECT_GE(b->started - a1->completed, 500ms) << "B was not held back by A's throttling";
  EXPECT_GE(b->started - b_called, 400ms);
}

TEST(ServiceClient, TransientErrorsDoNotHoldOtherThreadsBack) {
  std::atomic<bool> failed{false};
  std::atomic<int> a_count{0};
  LoopbackServer server([&](const LoopbackRequest& r) {
    if (r.path == "/a" && a_count++ == 0) {
      failed = true;
      return LoopbackAction::aws_error(500, "InternalError");
    }
    return LoopbackAction::respond(200);
  });
  RetryConfig cfg = fast_retries();
  cfg.base_delay = 600ms;
  cfg.max_backoff = 5s;
  auto client = make_client(server, ClientSetup().with_retry(cfg).with_random(0.999));
  std::thread a([&] { EXPECT_TRUE(client->call("GetObject", get("/a")).ok()); });
  while (!failed) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);
  const auto b_called = std::chrono::steady_clock::now();
  EXPECT_TRUE(client->call("GetObject", get("/b")).ok());
  const auto b_took = std::chrono::steady_clock::now() - b_called;
  a.join();
  EXPECT_LT(b_took, 300ms);  // only A waits out its own back-off
}

TEST(ServiceClient, ClockSkewIsCorrectedFromTheDateHeader) {
  const auto server_offset = 2h;
  LoopbackServer server([&](const LoopbackRequest& r) {
    const auto server_now = std::chrono::system_clock::now() + server_offset;
    auto sent = dwh::aws::sigv4::parse_amz_date(r.header("x-amz-date").value_or(""));
    if (!sent || std::chrono::abs(*sent - server_now) > 5min)
      return LoopbackAction::aws_error(
          403, "RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.",
          {{"Date", http_date(server_now)}});
    return LoopbackAction::respond(200, "in sync");
  });
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(resp->body, "in sync");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  auto second = dwh::aws::sigv4::parse_amz_date(reqs[1].header("x-amz-date").value_or(""));
  ASSERT_TRUE(second.has_value());
  EXPECT_LT(std::chrono::abs(*second - (std::chrono::system_clock::now() + server_offset)), 1min);
  EXPECT_LT(std::chrono::abs(client->clock_skew() -
                             std::chrono::duration_cast<std::chrono::milliseconds>(server_offset)),
            1min);
  // Later calls are signed with the corrected clock from the start.
  ASSERT_TRUE(client->call("GetObject", get("/b/k")).ok());
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(ServiceClient, SignatureMismatchWithoutSkewIsNotRetried) {
  LoopbackServer server([](const LoopbackRequest&) {
    return LoopbackAction::aws_error(403, "SignatureDoesNotMatch",
                                     "The request signature we calculated does not match",
                                     {{"Date", http_date(std::chrono::system_clock::now())}});
  });
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(client->clock_skew(), 0ms);
}

TEST(ServiceClient, ManyThreadsOnOneClientAllSucceedThroughThrottling) {
  std::mutex mu;
  std::map<std::string, int> seen;
  LoopbackServer server([&](const LoopbackRequest& r) {
    int n;
    {
      std::lock_guard lock(mu);
      n = seen[r.path]++;
    }
    const bool throttle_first = std::stoi(r.path.substr(r.path.rfind('/') + 1)) % 4 == 0;
    if (throttle_first && n == 0) return LoopbackAction::aws_error(503, "SlowDown");
    return LoopbackAction::respond(200, r.path);
  });
  auto client = make_client(server);
  constexpr int kThreads = 16;
  constexpr int kEach = 20;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto resp = client->call("GetObject", get(path));
        if (resp.ok() && resp->body == path) ++good;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), kThreads * kEach);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kThreads * kEach + kThreads * kEach / 4));
  EXPECT_EQ(client->retry_policy().quota(), 500);
}

TEST(ServiceClient, UnreachableEndpointIsAClearError) {
  const int port = dwh::test::free_port();
  ClientOptions o;
  o.region = "us-east-1";
  o.endpoint_url = "http://127.0.0.1:" + std::to_string(port);
  o.credentials = dwh::aws::static_credentials({kAccessKey, kSecret, kToken, std::nullopt, "test"});
  o.retry = fast_retries();
  auto client = ServiceClient::create(s3_like(), std::move(o));
  ASSERT_TRUE(client.ok());
  auto resp = (*client)->call("HeadBucket", get("/b"));
  ASSERT_FALSE(resp.ok());
  const auto& e = resp.error();
  EXPECT_EQ(e.code, "ConnectionRefused");
  EXPECT_EQ(e.service, "s3");
  EXPECT_EQ(e.operation, "HeadBucket");
  EXPECT_EQ(e.http_status, 0);
  EXPECT_NE(e.message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("gave up after 3 attempts"), std::string::npos) << e.message;
  expect_no_secret(e.to_string());
}

TEST(ServiceClient, MalformedXmlErrorBodiesAreClearAndRetriedByStatus) {
  LoopbackServer server(LoopbackServer::sequence({
      LoopbackAction::respond(503, "<html><body>Service Unavailable</body>"),  // retried by status
      LoopbackAction::respond(400, "<Error><Code>Broken</Code><Message>cut off"),
  }));
  auto client = make_client(server);
  auto resp = client->call("GetObject", get("/b/k"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(resp.error().code, "BadRequest");
  EXPECT_EQ(resp.error().http_status, 400);
  EXPECT_NE(resp.error().message.find("unparseable error body"), std::string::npos) << resp.error().message;
  EXPECT_NE(resp.error().message.find("cut off"), std::string::npos) << resp.error().message;
}

TEST(ServiceClient, HeadAnswersAreCodedFromTheirStatus) {
  LoopbackServer server([](const LoopbackRequest& r) {
    if (r.path == "/moved")
      return LoopbackAction::respond(301, "", {{"x-amz-bucket-region", "eu-central-1"}});
    return LoopbackAction::respond(404, "", {{"x-amz-request-id", "HEADREQ"}});
  });
  auto client = make_client(server);
  HttpRequest head;
  head.method = "HEAD";
  head.path = "/b/missing";
  auto missing = client->call("HeadObject", head);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "NotFound");
  EXPECT_EQ(missing.error().request_id, "HEADREQ");
  head.path = "/moved";
  auto moved = client->call("HeadBucket", head);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, "PermanentRedirect");
  EXPECT_NE(moved.error().message.find("eu-central-1"), std::string::npos);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ServiceClient, ValidateTurnsALateErrorInA200IntoARetry) {
  LoopbackServer server(LoopbackServer::sequence({
      LoopbackAction::respond(
          200,
          "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>"),
      LoopbackAction::respond(
          200, "<CompleteMultipartUploadResult><ETag>\"x-2\"</ETag></CompleteMultipartUploadResult>"),
  }));
  auto client = make_client(server);
  CallOptions opts;
  opts.validate = [](const HttpResponse& r) -> std::optional<dwh::Error> {
    if (r.body.find("<Error>") == std::string::npos) return std::nullopt;
    return dwh::aws::parse_xml_error(r.status, r.body);
  };
  HttpRequest post;
  post.method = "POST";
  post.path = "/b/k";
  post.query = {{"uploadId", "u1"}};
  auto resp = client->call("CompleteMultipartUpload", post, nullptr, opts);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_NE(resp->body.find("x-2"), std::string::npos);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ServiceClient, JsonProtocolErrorsAreParsedAndThrottlingRetried) {
  LoopbackServer server(LoopbackServer::sequence({
      LoopbackAction::respond(400,
                              R"({"__type":"com.amazonaws#ThrottlingException","message":"Rate exceeded"})",
                              {{"x-amzn-RequestId", "J1"}}),
      LoopbackAction::respond(
          400, R"({"message":"The security token included in the request is invalid."})",
          {{"x-amzn-ErrorType", "UnrecognizedClientException:http://internal.amazon.com/"},
           {"x-amzn-RequestId", "J2"}}),
  }));
  auto client = make_client(server, ClientSetup().with_info(json_like()));
  HttpRequest post;
  post.method = "POST";
  post.path = "/";
  post.body = "{}";
  post.headers = {{"X-Amz-Target", "Test.Op"}, {"Content-Type", "application/x-amz-json-1.1"}};
  auto resp = client->call("Op", post);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(server.request_count(), 2u);
  EXPECT_EQ(resp.error().code, "UnrecognizedClientException");
  EXPECT_EQ(resp.error().request_id, "J2");
  EXPECT_EQ(resp.error().service, "testjson");
  // Non-S3 signing: the payload hash is signed but not sent as a header.
  auto r = server.requests().at(0);
  EXPECT_FALSE(r.header("x-amz-content-sha256").has_value());
  EXPECT_NE(r.header("authorization").value_or("").find("/testjson/aws4_request"), std::string::npos);
}

class FailingCredentials final : public dwh::aws::CredentialsProvider {
 public:
  dwh::Result<dwh::aws::Credentials> get() override {
    return dwh::make_error("NoCredentials",
                           "no credentials found in the environment, shared files, container or IMDS");
  }
};

TEST(ServiceClient, MissingCredentialsOrRegionFailAtCreation) {
  LoopbackServer server;
  ClientOptions o;
  o.region = "us-east-1";
  o.endpoint_url = server.endpoint();
  o.credentials = std::make_shared<FailingCredentials>();
  auto c = ServiceClient::create(s3_like(), o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "NoCredentials");
  EXPECT_EQ(c.error().service, "s3");

  dwh::test::ScopedAwsEnv env;  // no AWS_REGION, no profile
  ClientOptions no_region;
  no_region.endpoint_url = server.endpoint();
  no_region.credentials = dwh::aws::static_credentials({kAccessKey, kSecret, "", std::nullopt, "test"});
  auto r = ServiceClient::create(s3_like(), no_region);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NoRegion") << r.error().to_string();
  EXPECT_NE(r.error().message.find("AWS_REGION"), std::string::npos) << r.error().message;

  ClientOptions bad_endpoint = o;
  bad_endpoint.credentials = no_region.credentials;
  bad_endpoint.endpoint_url = "ftp://127.0.0.1:1";
  auto b = ServiceClient::create(s3_like(), bad_endpoint);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, "InvalidEndpoint");
  EXPECT_EQ(server.request_count(), 0u);
}

}  // namespace
