// The loopback stub is itself a component other tests rely on: check it with a raw socket
// client, independent of our HTTP client, so a fault in one cannot hide a fault in the other.
#include "loopback_server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

namespace {

using dwh::test::LoopbackAction;
using dwh::test::LoopbackServer;

class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& s) {
    ASSERT_EQ(::send(fd_, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  // Reads until `n` bytes are buffered or the peer ends; returns what arrived.
  std::string read_until(const std::string& marker) {
    char buf[4096];
    while (buffer_.find(marker) == std::string::npos) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        last_errno_ = n < 0 ? errno : 0;
        break;
      }
      buffer_.append(buf, static_cast<size_t>(n));
    }
    auto pos = buffer_.find(marker);
    std::string out = pos == std::string::npos ? buffer_ : buffer_.substr(0, pos + marker.size());
    buffer_.erase(0, out.size());
    return out;
  }
  std::string read_all() {
    std::string out = read_until(std::string("\0never\0", 7));
    return out;
  }
  int last_errno() const { return last_errno_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  int last_errno_ = 0;
  std::string buffer_;
};

TEST(LoopbackServer, RecordsRequestAndAnswersWithContentLength) {
  LoopbackServer server([](const dwh::test::LoopbackRequest& r) {
    return LoopbackAction::respond(201, "hello " + r.path, {{"X-Test", "1"}});
  });
  RawClient c(server.port());
  ASSERT_TRUE(c.connected());
  c.send(
      "PUT /a%20b?uploadId=x%2By&partNumber=2&flag HTTP/1.1\r\nHost: h\r\nX-Amz-Meta-K:  v  \r\n"
      "Content-Length: 5\r\n\r\nabcde");
  std::string head = c.read_until("\r\n\r\n");
  EXPECT_NE(head.find("HTTP/1.1 201 Created\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Length: 12\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("X-Test: 1\r\n"), std::string::npos) << head;
  EXPECT_EQ(c.read_until("/a%20b"), "hello /a%20b");

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].path, "/a%20b");
  EXPECT_EQ(reqs[0].query_param("uploadId"), "x+y");
  EXPECT_EQ(reqs[0].query_param("partNumber"), "2");
  EXPECT_EQ(reqs[0].query_param("flag"), "");
  EXPECT_FALSE(reqs[0].query_param("missing").has_value());
  EXPECT_EQ(reqs[0].header("x-amz-meta-k"), "v");
  EXPECT_EQ(reqs[0].body, "abcde");
  EXPECT_EQ(reqs[0].body_size, 5u);
  EXPECT_EQ(reqs[0].body_digest, LoopbackServer::digest("abcde"));
}

TEST(LoopbackServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  LoopbackServer server;
  RawClient c(server.port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_NE(c.read_until("\r\n\r\n").find("200 OK"), std::string::npos);
  }
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(server.connections_accepted(), 1);
  EXPECT_EQ(reqs[2].connection_id, reqs[0].connection_id);
  EXPECT_EQ(reqs[2].path, "/2");
}

TEST(LoopbackServer, DecodesChunkedBodies) {
  LoopbackServer server;
  RawClient c(server.port());
  c.send(
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
  c.read_until("\r\n\r\n");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_TRUE(reqs[0].chunked);
  EXPECT_EQ(reqs[0].body, "abc0123456789");
}

TEST(LoopbackServer, AnswersExpectContinueBeforeReadingTheBody) {
  LoopbackServer server;
  RawClient c(server.port());
  c.send("PUT /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(c.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  c.send("ok");
  EXPECT_NE(c.read_until("\r\n\r\n").find("200 OK"), std::string::npos);
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_TRUE(server.requests()[0].expect_continue);
  EXPECT_EQ(server.requests()[0].body, "ok");
}

TEST(LoopbackServer, ResetMidBodySendsOnlyThePrefixThenResets) {
  LoopbackServer server(
      [](const auto&) { return LoopbackAction::reset_mid_body(std::string(1000, 'x'), 10); });
  RawClient c(server.port());
  c.send("GET /r HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string all = c.read_all();
  EXPECT_NE(all.find("Content-Length: 1000"), std::string::npos);
  EXPECT_EQ(all.substr(all.find("\r\n\r\n") + 4), std::string(10, 'x'));
  EXPECT_EQ(c.last_errno(), ECONNRESET);
}

TEST(LoopbackServer, SequenceRepeatsTheLastAction) {
  LoopbackServer server(LoopbackServer::sequence(
      {LoopbackAction::aws_error(503, "SlowDown"), LoopbackAction::respond(200, "done")}));
  RawClient c(server.port());
  for (int i = 0; i < 3; ++i) {
    c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    std::string head = c.read_until("\r\n\r\n");
    EXPECT_NE(head.find(i == 0 ? "503" : "200"), std::string::npos) << head;
    c.read_until(i == 0 ? "</Error>" : "done");
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(LoopbackServer, HeadAnswersCarryLengthButNoBody) {
  LoopbackServer server([](const auto&) { return LoopbackAction::respond(200, "12345"); });
  RawClient c(server.port());
  c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\nGET /g HTTP/1.1\r\nHost: h\r\n\r\n");
  std::string first = c.read_until("\r\n\r\n");
  EXPECT_NE(first.find("Content-Length: 5"), std::string::npos);
  std::string second = c.read_until("\r\n\r\n");
  EXPECT_EQ(second.rfind("HTTP/1.1 200", 0), 0u) << second;  // no body bytes in between
  EXPECT_EQ(c.read_until("12345"), "12345");
}

TEST(LoopbackServer, HandlerExceptionsBecome500AndWaitSeesRequests) {
  LoopbackServer server(
      [](const dwh::test::LoopbackRequest&) -> LoopbackAction { throw std::runtime_error("boom"); });
  EXPECT_FALSE(server.wait_for_requests(1, std::chrono::milliseconds(10)));
  RawClient c(server.port());
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_NE(c.read_until("\r\n\r\n").find("500"), std::string::npos);
  EXPECT_EQ(c.read_until("boom"), "loopback handler threw: boom");
  EXPECT_TRUE(server.wait_for_requests(1, std::chrono::milliseconds(1000)));
}

TEST(LoopbackServer, StopEndsIdleConnections) {
  auto server = std::make_unique<LoopbackServer>();
  RawClient c(server->port());
  c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  c.read_until("\r\n\r\n");
  server->stop();  // must not hang on the idle keep-alive connection
  SUCCEED();
}

}  // namespace
