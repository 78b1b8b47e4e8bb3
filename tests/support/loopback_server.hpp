#pragma once
// A small programmable HTTP/1.1 server on 127.0.0.1 for tests: it stands in for the AWS
// endpoints our local peers lack (IMDS, container credentials, ListParts, ...) and injects
// the faults a real server only shows by accident (503, resets mid-body, stalls).
//
// Usage:
//   dwh::test::LoopbackServer server([](const dwh::test::LoopbackRequest& r) {
//     if (r.method == "PUT") return dwh::test::LoopbackAction::respond(200, "", {{"ETag", "\"x\""}});
//     return dwh::test::LoopbackAction::respond(404, "<Error><Code>NoSuchKey</Code></Error>");
//   });
//   client.endpoint_url = server.endpoint();   // "http://127.0.0.1:<port>"
//   ... run the client ...
//   auto reqs = server.requests();             // every complete request, in arrival order
//
// The server:
//   - binds 127.0.0.1 on a port the kernel picks (no race with other tests);
//   - runs one thread per connection and keeps connections alive (HTTP/1.1 semantics;
//     `Connection: close` from either side ends one);
//   - reads Content-Length and chunked request bodies, and answers `Expect: 100-continue`
//     with `100 Continue` before reading the body;
//   - records each complete request (method, target, headers, body, timestamps) before
//     calling the handler, so a request whose answer is a fault is still recorded;
//   - adds Content-Length to answers that do not set it (HEAD answers carry it, no body).
// The handler is called concurrently from connection threads; make it thread-safe. A handler
// that throws gets the client a 500 whose body starts "loopback handler threw:".
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace dwh::test {

using LoopbackHeaders = std::vector<std::pair<std::string, std::string>>;

struct LoopbackRequest {
  std::string method;
  std::string target;                               // request target as sent: "/bucket/key?uploadId=1"
  std::string path;                                 // target before '?', still percent-encoded
  std::string query;                                // raw text after '?', empty if none
  LoopbackHeaders headers;                          // names lower-cased, values trimmed, in arrival order
  std::string body;                                 // de-chunked; only the first max_recorded_body bytes
  std::uint64_t body_size = 0;                      // full de-chunked size
  std::uint64_t body_digest = 0;                    // LoopbackServer::digest() of the full body
  bool body_truncated = false;                      // body holds a prefix only
  bool chunked = false;                             // body came with Transfer-Encoding: chunked
  bool expect_continue = false;                     // client sent Expect: 100-continue
  int connection_id = 0;                            // 1, 2, ... in accept order: same id = reused connection
  std::size_t index = 0;                            // 0, 1, ... in order of completion
  std::chrono::steady_clock::time_point started;    // first byte of the request arrived
  std::chrono::steady_clock::time_point completed;  // last byte of the body arrived

  // First header with this lower-case name.
  std::optional<std::string> header(std::string_view lower_name) const;
  // Query parameters, percent-decoded, in order. A key without '=' has an empty value.
  std::vector<std::pair<std::string, std::string>> query_params() const;
  std::optional<std::string> query_param(std::string_view name) const;
};

// What the server does with a request.
struct LoopbackAction {
  int status = 200;
  std::string reason;  // empty: a standard reason phrase
  LoopbackHeaders headers;
  std::string body;
  // Large bodies without holding them: when body_generator is set, the body is body_size
  // bytes produced by generator(offset, out) in pieces, and `body` is ignored.
  std::uint64_t body_size = 0;
  std::function<void(std::uint64_t offset, std::span<char> out)> body_generator;

  std::chrono::milliseconds delay{0};  // wait before sending anything

  // Faults. At most one of these is meant to be set.
  bool drop_connection = false;  // send nothing, end the connection (reset or close, below)
  std::optional<std::uint64_t> cut_after_body_bytes;    // send the head and N body bytes, then end
  bool cut_with_reset = true;                           // end with RST (SO_LINGER 0) rather than FIN
  std::optional<std::uint64_t> stall_after_body_bytes;  // send N body bytes, then pause...
  std::chrono::milliseconds stall_for{0};               // ...this long, then send the rest

  bool close_after = false;  // send `Connection: close` and close after this answer

  static LoopbackAction respond(int status, std::string body = {}, LoopbackHeaders headers = {});
  static LoopbackAction respond_after(std::chrono::milliseconds delay, int status, std::string body = {},
                                      LoopbackHeaders headers = {});
  // An AWS-style XML error document (<Error><Code/><Message/><RequestId/></Error>).
  static LoopbackAction aws_error(int status, std::string_view code,
                                  std::string_view message = "injected fault", LoopbackHeaders headers = {});
  static LoopbackAction reset();                   // RST without any answer
  static LoopbackAction close_without_response();  // FIN without any answer
  // A 200 whose Content-Length promises `body`, but the connection ends after n bytes.
  static LoopbackAction reset_mid_body(std::string body, std::uint64_t n, LoopbackHeaders headers = {});
  static LoopbackAction generated(int status, std::uint64_t size,
                                  std::function<void(std::uint64_t, std::span<char>)> generator,
                                  LoopbackHeaders headers = {});
};

using LoopbackHandler = std::function<LoopbackAction(const LoopbackRequest&)>;

struct LoopbackOptions {
  std::size_t max_recorded_body = 16u << 20;  // larger bodies are digested, and kept as a prefix only
  bool answer_expect_continue = true;         // false: ignore Expect and just read the body
};

class LoopbackServer {
 public:
  // Default handler: 200 with an empty body.
  explicit LoopbackServer(LoopbackHandler handler = {}, LoopbackOptions options = {});
  ~LoopbackServer();  // stop()
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const;   // "http://127.0.0.1:<port>"
  std::string host_port() const;  // "127.0.0.1:<port>"

  void set_handler(LoopbackHandler handler);
  std::vector<LoopbackRequest> requests() const;  // a copy, in completion order
  std::size_t request_count() const;
  void clear_requests();
  // Blocks until at least n requests were recorded (true) or the timeout passed (false).
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;
  int connections_accepted() const { return connections_.load(); }

  // Ends all connections and joins every thread. Idempotent.
  void stop();

  // A handler answering with actions in order; the last one repeats once the list is used up.
  static LoopbackHandler sequence(std::vector<LoopbackAction> actions);
  // 64-bit FNV-1a, as used for body_digest; feed pieces by passing the previous value as seed.
  static std::uint64_t digest(std::string_view bytes, std::uint64_t seed = kDigestSeed);
  static constexpr std::uint64_t kDigestSeed = 0xcbf29ce484222325ull;

 private:
  struct Connection;
  void accept_loop();
  void serve(std::shared_ptr<Connection> conn);
  std::optional<LoopbackRequest> read_request(Connection& conn);
  bool execute(Connection& conn, const LoopbackRequest& request, const LoopbackAction& action);
  bool sleep_unless_stopped(std::chrono::milliseconds d);
  LoopbackHandler handler() const;

  LoopbackOptions options_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};  // self-pipe that ends accept_loop's poll
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<std::size_t> next_index_{0};

  mutable std::mutex mu_;  // guards handler_, requests_, live_, threads_
  std::condition_variable stop_cv_;
  mutable std::condition_variable recorded_cv_;
  LoopbackHandler handler_;
  std::vector<LoopbackRequest> requests_;
  std::vector<std::weak_ptr<Connection>> live_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace dwh::test
