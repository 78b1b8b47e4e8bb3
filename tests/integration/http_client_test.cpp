// The curl transport against the loopback server: what goes on the wire, connection reuse,
// streaming both ways with bounded memory, threads, and how each network failure reads.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "dwh/aws/http.hpp"
#include "loopback_server.hpp"
#include "process.hpp"
#include "scoped_env.hpp"
#include "test_bodies.hpp"

namespace {

using dwh::aws::HttpRequest;
using dwh::aws::make_curl_http_client;
using dwh::aws::StringSink;
using dwh::test::DigestSink;
using dwh::test::LoopbackAction;
using dwh::test::LoopbackRequest;
using dwh::test::LoopbackServer;
using dwh::test::PatternSource;
using namespace std::chrono_literals;

HttpRequest request(const LoopbackServer& server, std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.endpoint = server.endpoint();
  r.path = std::move(path);
  return r;
}

TEST(HttpClient, SendsPathQueryAndHeadersExactly) {
  LoopbackServer server([](const LoopbackRequest&) {
    return LoopbackAction::respond(200, "hello", {{"X-Amz-Request-Id", "  R1 "}, {"ETag", "\"e\""}});
  });
  auto http = make_curl_http_client();
  HttpRequest r = request(server, "GET", "/bucket/a%20b/%C3%A9");
  r.query = {{"prefix", "a b/\xC3\xBC+~*"}, {"uploads", ""}, {"list-type", "2"}};
  r.headers = {{"x-amz-meta-empty", ""}, {"X-Custom", "v  w"}, {"host", "example.test:1234"}};
  auto resp = http->send(r);
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->body, "hello");
  EXPECT_EQ(resp->body_bytes, 5u);
  EXPECT_EQ(resp->header("x-amz-request-id"), "R1");  // names lower-cased, values trimmed
  EXPECT_EQ(resp->header("etag"), "\"e\"");

  auto got = server.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].method, "GET");
  // The query is encoded exactly as the signer encodes it (RFC 3986), in the given order.
  EXPECT_EQ(got[0].target, "/bucket/a%20b/%C3%A9?prefix=a%20b%2F%C3%BC%2B~%2A&uploads&list-type=2");
  EXPECT_EQ(got[0].header("x-amz-meta-empty"), "");
  EXPECT_EQ(got[0].header("x-custom"), "v  w");
  EXPECT_EQ(got[0].header("host"), "example.test:1234");
  // curl's own extras are off: no Expect, no Accept.
  EXPECT_FALSE(got[0].header("expect").has_value());
  EXPECT_FALSE(got[0].header("accept").has_value());
}

TEST(HttpClient, ReusesOneConnectionForSequentialRequests) {
  LoopbackServer server([](const LoopbackRequest& r) { return LoopbackAction::respond(200, r.path); });
  auto http = make_curl_http_client();
  for (int i = 0; i < 5; ++i) {
    auto resp = http->send(request(server, i % 2 ? "HEAD" : "GET", "/k" + std::to_string(i)));
    ASSERT_TRUE(resp.ok()) << resp.error().to_string();
    EXPECT_EQ(resp->body, i % 2 ? "" : "/k" + std::to_string(i));
  }
  EXPECT_EQ(server.request_count(), 5u);
  EXPECT_EQ(server.connections_accepted(), 1);
}

TEST(HttpClient, HeadCarriesHeadersButNoBody) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackAction::respond(404, "<Error/>"); });
  auto http = make_curl_http_client();
  auto resp = http->send(request(server, "HEAD", "/missing"));
  ASSERT_TRUE(resp.ok()) << resp.error().to_string();
  EXPECT_EQ(resp->status, 404);
  EXPECT_EQ(resp->header("content-length"), "8");
  EXPECT_EQ(resp->body, "");
}

TEST(HttpClient, BodiesOfKnownSizeUseContentLengthUnknownSizeChunked) {
  LoopbackServer server;
  auto http = make_curl_http_client();
  PatternSource known(100000, true);
  HttpRequest put = request(server, "PUT", "/known");
  put.body_source = &known;
  ASSERT_TRUE(http->send(put).ok());
  PatternSource unknown(100000, false);
  HttpRequest post = request(server, "POST", "/unknown");
  post.body_source = &unknown;
  ASSERT_TRUE(http->send(post).ok());
  HttpRequest text = request(server, "POST", "/text");
  text.body = "Action=X&Version=1";

  ASSERT_TRUE(http->send(text).ok());
  auto got = server.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].header("content-length"), "100000");
  EXPECT_FALSE(got[0].chunked);
  EXPECT_EQ(got[0].body_digest, dwh::test::pattern_digest(100000));
  EXPECT_EQ(got[1].method, "POST");
  EXPECT_TRUE(got[1].chunked);
  EXPECT_FALSE(got[1].header("content-length").has_value());
  EXPECT_EQ(got[1].body_size, 100000u);
  EXPECT_EQ(got[1].body_digest, dwh::test::pattern_digest(100000));
  EXPECT_EQ(got[2].body, "Action=X&Version=1");
  EXPECT_EQ(got[2].header("content-length"), "18");
}

TEST(HttpClient, EmptyPostAndPutSendContentLengthZero) {
  LoopbackServer server;
  auto http = make_curl_http_client();
  HttpRequest create = request(server, "POST", "/b/k");
  create.query = {{"uploads", ""}};
  ASSERT_TRUE(http->send(create).ok());
  ASSERT_TRUE(http->send(request(server, "PUT", "/b")).ok());
  ASSERT_TRUE(http->send(request(server, "DELETE", "/b/k")).ok());
  auto got = server.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].header("content-length"), "0");
  EXPECT_EQ(got[1].header("content-length"), "0");
  EXPECT_EQ(got[2].method, "DELETE");
  EXPECT_EQ(got[2].body_size, 0u);
}

TEST(HttpClient, LargeUploadsDoNotAskForContinueUnlessTold) {
  LoopbackServer server;
  auto http = make_curl_http_client();
  PatternSource big(3u << 20, true);  // curl would add Expect above 1 MiB on its own
  HttpRequest put = request(server, "PUT", "/big");
  put.body_source = &big;
  ASSERT_TRUE(http->send(put).ok());
  PatternSource again(3u << 20, true);
  put.body_source = &again;
  put.headers = {{"Expect", "100-continue"}};
  ASSERT_TRUE(http->send(put).ok());
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].expect_continue);
  EXPECT_TRUE(got[1].expect_continue);
  EXPECT_EQ(got[1].body_digest, dwh::test::pattern_digest(3u << 20));
}

TEST(HttpClient, SuccessBodiesGoToTheSinkErrorBodiesToTheResponse) {
  LoopbackServer server(LoopbackServer::sequence(
      {LoopbackAction::respond(200, "payload"), LoopbackAction::aws_error(403, "AccessDenied")}));
  auto http = make_curl_http_client();
  StringSink sink;
  auto ok = http->send(request(server, "GET", "/o"), &sink);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(sink.data, "payload");
  EXPECT_EQ(ok->body, "");
  EXPECT_EQ(ok->body_bytes, 7u);
  StringSink untouched;
  auto denied = http->send(request(server, "GET", "/o"), &untouched);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 403);
  EXPECT_NE(denied->body.find("<Code>AccessDenied</Code>"), std::string::npos);
  EXPECT_EQ(untouched.data, "");
}

TEST(HttpClient, ErrorBodiesAreCappedAtOneMebibyte) {
  LoopbackServer server([](const LoopbackRequest&) {
    return LoopbackAction::generated(500, 3u << 20, dwh::test::fill_pattern);
  });
  auto http = make_curl_http_client();
  auto resp = http->send(request(server, "GET", "/huge-error"));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 500);
  EXPECT_EQ(resp->body.size(), 1u << 20);
  EXPECT_EQ(resp->body_bytes, 3u << 20);
}

TEST(HttpClient, StreamsLargeBodiesBothWaysInBoundedMemory) {
  constexpr std::uint64_t kSize = 128ull << 20;
  const std::uint64_t expected_digest = dwh::test::pattern_digest(kSize);
  LoopbackServer server(
      [](const LoopbackRequest& r) {
        if (r.method == "PUT") return LoopbackAction::respond(200);
        return LoopbackAction::generated(200, kSize, dwh::test::fill_pattern);
      },
      dwh::test::LoopbackOptions{.max_recorded_body = 4096});
  auto http = make_curl_http_client();
  const std::uint64_t rss_before = dwh::test::peak_rss_bytes();

  DigestSink sink;
  auto got = http->send(request(server, "GET", "/large"), &sink);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(sink.bytes_, kSize);
  EXPECT_EQ(sink.digest_, expected_digest);
  EXPECT_LE(sink.largest_write_, 1u << 20);  // handed over in pieces

  PatternSource source(kSize, true);
  HttpRequest put = request(server, "PUT", "/large");
  put.body_source = &source;
  auto sent = http->send(put);
  ASSERT_TRUE(sent.ok()) << sent.error().to_string();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[1].body_size, kSize);
  EXPECT_EQ(reqs[1].body_digest, expected_digest);

  if (dwh::test::kRssIsMeaningful) {
    // Holding either body whole would add 128 MiB; streaming adds a few buffers.
    EXPECT_LT(dwh::test::peak_rss_bytes() - rss_before, 48ull << 20);
  }
}

TEST(HttpClient, ManyThreadsShareOneClient) {
  LoopbackServer server(
      [](const LoopbackRequest& r) { return LoopbackAction::respond(200, r.path + ":" + r.body); });
  auto http = make_curl_http_client();
  constexpr int kThreads = 16;
  constexpr int kEach = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        HttpRequest r = request(server, "PUT", "/t" + std::to_string(t) + "/" + std::to_string(i));
        r.body = "body-" + std::to_string(t * 1000 + i);
        auto resp = http->send(r);
        if (resp.ok() && resp->body == r.path + ":" + r.body) ++good;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), kThreads * kEach);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kThreads * kEach));
  // Connections are reused: at most one per concurrently busy handle.
  EXPECT_LE(server.connections_accepted(), kThreads);
}

TEST(HttpClient, ConnectionRefusedNamesHostAndPort) {
  const int port = dwh::test::free_port();
  auto http = make_curl_http_client();
  HttpRequest r;
  r.endpoint = "http://127.0.0.1:" + std::to_string(port);
  r.path = "/x";
  r.query = {{"X-Amz-Signature", "must-not-appear"}};
  auto resp = http->send(r);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "ConnectionRefused");
  EXPECT_TRUE(resp.error().transient);
  EXPECT_EQ(resp.error().http_status, 0);
  EXPECT_NE(resp.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << resp.error().message;
  EXPECT_EQ(resp.error().message.find("must-not-appear"), std::string::npos) << resp.error().message;
}

TEST(HttpClient, ResetMidBodyIsATransientConnectionReset) {
  LoopbackServer server(
      [](const LoopbackRequest&) { return LoopbackAction::reset_mid_body(std::string(100000, 'x'), 5000); });
  auto http = make_curl_http_client();
  DigestSink sink;
  auto resp = http->send(request(server, "GET", "/cut"), &sink);
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "ConnectionReset") << resp.error().message;
  EXPECT_TRUE(resp.error().transient);
}

TEST(HttpClient, CloseMidBodyIsATransientConnectionReset) {
  LoopbackServer server([](const LoopbackRequest&) {
    auto a = LoopbackAction::reset_mid_body(std::string(100000, 'x'), 5000);
    a.cut_with_reset = false;  // a clean FIN before the promised length
    return a;
  });
  auto http = make_curl_http_client();
  auto resp = http->send(request(server, "GET", "/cut"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "ConnectionReset") << resp.error().message;
  EXPECT_TRUE(resp.error().transient);
}

TEST(HttpClient, DroppedConnectionWithoutAnswerIsTransient) {
  LoopbackServer server([](const LoopbackRequest&) { return LoopbackAction::close_without_response(); });
  auto http = make_curl_http_client();
  auto resp = http->send(request(server, "GET", "/drop"));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "ConnectionReset") << resp.error().message;
  EXPECT_TRUE(resp.error().transient);
}

TEST(HttpClient, StalledTransferTimesOut) {
  LoopbackServer server([](const LoopbackRequest&) {
    auto a = LoopbackAction::respond(200, std::string(10000, 'x'));
    a.stall_after_body_bytes = 100;
    a.stall_for = 8s;
    return a;
  });
  auto http = make_curl_http_client();
  HttpRequest r = request(server, "GET", "/slow");
  r.read_timeout = 1s;
  const auto start = std::chrono::steady_clock::now();
  auto resp = http->send(r);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "Timeout") << resp.error().message;
  EXPECT_TRUE(resp.error().transient);
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(HttpClient, SourceAndSinkFailuresAreReportedAsThemselves) {
  LoopbackServer server(
      [](const LoopbackRequest&) { return LoopbackAction::respond(200, std::string(100000, 'y')); });
  auto http = make_curl_http_client();
  PatternSource source(1u << 20, true);
  source.fail_at_ = 256u << 10;
  HttpRequest put = request(server, "PUT", "/up");
  put.body_source = &source;
  auto up = http->send(put);
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().code, "SourceFailed");
  EXPECT_FALSE(up.error().transient);

  DigestSink sink;
  sink.fail_after_ = 1000;
  auto down = http->send(request(server, "GET", "/down"), &sink);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "SinkFailed");
}

// TLS verification is always on: a self-signed server is refused, and trusted once its
// certificate is given as AWS_CA_BUNDLE.
TEST(HttpClient, TlsVerificationIsOnAndAwsCaBundleIsHonoured) {
  const std::string dir = dwh::test::make_temp_dir("tls");
  const std::string cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  auto made = dwh::test::run_process({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                                      key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                      "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const int port = dwh::test::free_port();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execlp("openssl", "openssl", "s_server", "-accept", std::to_string(port).c_str(), "-cert", cert.c_str(),
           "-key", key.c_str(), "-www", "-quiet", static_cast<char*>(nullptr));
    _exit(127);
  }
  struct Reap {
    pid_t pid;
    ~Reap() {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  } reap{pid};

  HttpRequest r;
  r.endpoint = "https://127.0.0.1:" + std::to_string(port);
  r.path = "/";
  r.connect_timeout = 2s;
  // Wait for s_server to listen: until then the answer is ConnectionRefused.
  dwh::Result<dwh::aws::HttpResponse> resp = dwh::make_error("x", "not tried");
  for (int i = 0; i < 100; ++i) {
    resp = make_curl_http_client()->send(r);
    if (resp.ok() || resp.error().code != "ConnectionRefused") break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.error().code, "TlsError") << resp.error().message;
  EXPECT_FALSE(resp.error().transient);  // a failed verification is not retried

  dwh::test::ScopedAwsEnv env;
  env.set("AWS_CA_BUNDLE", cert);
  auto trusted = make_curl_http_client()->send(r);
  ASSERT_TRUE(trusted.ok()) << trusted.error().to_string();
  EXPECT_EQ(trusted->status, 200);
  std::filesystem::remove_all(dir);
}

}  // namespace
