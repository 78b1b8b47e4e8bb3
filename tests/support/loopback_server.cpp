#include "loopback_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "dwh/core/strings.hpp"

namespace dwh::test {
namespace {

constexpr std::size_t kMaxHeadBytes = 64u << 10;
constexpr std::size_t kSendPiece = 64u << 10;
// Gives the client time to take the bytes already sent before the RST arrives, so the
// fault is reliably "mid-body" rather than racing the data.
constexpr std::chrono::milliseconds kPauseBeforeCut{30};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The stub decodes what it receives on its own rather than with the client's code, so the tests
// check the client's encoding against an independent reading of the wire.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

bool has_header(const LoopbackHeaders& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return core::lower(h.first) == lower_name; });
}

}  // namespace

// ---- LoopbackRequest ----

std::optional<std::string> LoopbackRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> LoopbackRequest::query_params() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(percent_decode(part), "");
    else
      out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
  }
  return out;
}

std::optional<std::string> LoopbackRequest::query_param(std::string_view name) const {
  for (auto& [k, v] : query_params())
    if (k == name) return v;
  return std::nullopt;
}

// ---- LoopbackAction ----

LoopbackAction LoopbackAction::respond(int status, std::string body, LoopbackHeaders headers) {
  LoopbackAction a;
  a.status = status;
  a.body = std::move(body);
  a.headers = std::move(headers);
  return a;
}

LoopbackAction LoopbackAction::respond_after(std::chrono::milliseconds delay, int status, std::string body,
                                             LoopbackHeaders headers) {
  LoopbackAction a = respond(status, std::move(body), std::move(headers));
  a.delay = delay;
  return a;
}

LoopbackAction LoopbackAction::aws_error(int status, std::string_view code, std::string_view message,
                                         LoopbackHeaders headers) {
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>";
  body.append(code).append("</Code><Message>").append(message);
  body.append("</Message><RequestId>loopback-request-id</RequestId></Error>");
  if (!has_header(headers, "content-type")) headers.emplace_back("Content-Type", "application/xml");
  return respond(status, std::move(body), std::move(headers));
}

LoopbackAction LoopbackAction::reset() {
  LoopbackAction a;
  a.drop_connection = true;
  a.cut_with_reset = true;
  return a;
}

LoopbackAction LoopbackAction::close_without_response() {
  LoopbackAction a;
  a.drop_connection = true;
  a.cut_with_reset = false;
  return a;
}

LoopbackAction LoopbackAction::reset_mid_body(std::string body, std::uint64_t n, LoopbackHeaders headers) {
  LoopbackAction a = respond(200, std::move(body), std::move(headers));
  a.cut_after_body_bytes = n;
  a.cut_with_reset = true;
  return a;
}

LoopbackAction LoopbackAction::generated(int status, std::uint64_t size,
                                         std::function<void(std::uint64_t, std::span<char>)> generator,
                                         LoopbackHeaders headers) {
  LoopbackAction a;
  a.status = status;
  a.headers = std::move(headers);
  a.body_size = size;
  a.body_generator = std::move(generator);
  return a;
}

// ---- LoopbackServer ----

struct LoopbackServer::Connection {
  std::mutex mu;  // guards fd against stop() shutting it down while it is being closed
  int fd = -1;
  int id = 0;
  std::string buffer;  // received, not yet consumed

  void close_now(bool reset) {
    std::lock_guard lock(mu);
    if (fd < 0) return;
    if (reset) {
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(fd);
    fd = -1;
  }
  void shutdown_both() {
    std::lock_guard lock(mu);
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  // Appends what recv gives; false on EOF or error.
  bool fill() {
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        buffer.append(buf, static_cast<std::size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  }
  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
};

LoopbackServer::LoopbackServer(LoopbackHandler handler, LoopbackOptions options)
    : options_(options), handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("loopback server: socket() failed");
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks a free port: no race with other tests
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(std::string("loopback server: bind/listen failed: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wake_fds_, O_CLOEXEC) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error("loopback server: pipe failed");
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

LoopbackServer::~LoopbackServer() {
  stop();
}

std::string LoopbackServer::endpoint() const {
  return "http://" + host_port();
}
std::string LoopbackServer::host_port() const {
  return "127.0.0.1:" + std::to_string(port_);
}

void LoopbackServer::set_handler(LoopbackHandler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

LoopbackHandler LoopbackServer::handler() const {
  std::lock_guard lock(mu_);
  return handler_;
}

std::vector<LoopbackRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t LoopbackServer::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

void LoopbackServer::clear_requests() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

bool LoopbackServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return recorded_cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void LoopbackServer::stop() {
  if (stopping_.exchange(true)) return;
  char c = 'x';
  [[maybe_unused]] auto w = ::write(wake_fds_[1], &c, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (auto& weak : live_)
      if (auto conn = weak.lock()) conn->shutdown_both();
    threads.swap(threads_);
  }
  stop_cv_.notify_all();
  for (auto& t : threads) t.join();
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

bool LoopbackServer::sleep_unless_stopped(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !stop_cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void LoopbackServer::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (stopping_ || (fds[1].revents & POLLIN)) return;
    if (!(fds[0].revents & POLLIN)) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_shared<Connection>();
    conn->fd = fd;
    conn->id = ++connections_;
    std::lock_guard lock(mu_);
    live_.push_back(conn);
    threads_.emplace_back([this, conn] { serve(conn); });
  }
}

void LoopbackServer::serve(std::shared_ptr<Connection> conn) {
  while (!stopping_) {
    auto request = read_request(*conn);
    if (!request) break;
    {
      std::lock_guard lock(mu_);
      request->index = next_index_++;
      requests_.push_back(*request);
    }
    recorded_cv_.notify_all();
    auto h = handler();
    LoopbackAction action;
    try {
      action = h ? h(*request) : LoopbackAction::respond(200);
    } catch (const std::exception& e) {
      // A throwing handler is a test bug: make it loud on the client side, not a terminate().
      action = LoopbackAction::respond(500, std::string("loopback handler threw: ") + e.what());
    }
    if (!execute(*conn, *request, action)) break;
  }
  conn->close_now(false);
}

std::optional<LoopbackRequest> LoopbackServer::read_request(Connection& conn) {
  LoopbackRequest req;
  req.connection_id = conn.id;
  if (conn.buffer.empty() && !conn.fill()) return std::nullopt;
  req.started = std::chrono::steady_clock::now();

  std::size_t head_end;
  while ((head_end = conn.buffer.find("\r\n\r\n")) == std::string::npos) {
    if (conn.buffer.size() > kMaxHeadBytes || !conn.fill()) return std::nullopt;
  }
  std::string head = conn.buffer.substr(0, head_end);
  conn.buffer.erase(0, head_end + 4);

  std::size_t line_end = head.find("\r\n");
  std::string_view request_line = std::string_view(head).substr(0, line_end);
  auto sp1 = request_line.find(' ');
  auto sp2 = request_line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return std::nullopt;
  req.method = std::string(request_line.substr(0, sp1));
  req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);

  std::string_view rest =
      line_end == std::string::npos ? std::string_view{} : std::string_view(head).substr(line_end + 2);
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    req.headers.emplace_back(core::lower(trim(line.substr(0, colon))),
                             std::string(trim(line.substr(colon + 1))));
  }

  auto te = req.header("transfer-encoding");
  req.chunked = te && core::lower(*te).find("chunked") != std::string::npos;
  auto expect = req.header("expect");
  req.expect_continue = expect && core::lower(*expect) == "100-continue";
  if (req.expect_continue && options_.answer_expect_continue &&
      !conn.send_all("HTTP/1.1 100 Continue\r\n\r\n"))
    return std::nullopt;

  std::uint64_t digest_state = kDigestSeed;
  auto take = [&](std::size_t n) {  // moves n buffered bytes into the body
    std::string_view piece(conn.buffer.data(), n);
    digest_state = digest(piece, digest_state);
    req.body_size += n;
    std::size_t room =
        options_.max_recorded_body > req.body.size() ? options_.max_recorded_body - req.body.size() : 0;
    if (piece.size() > room) req.body_truncated = true;
    req.body.append(piece.substr(0, std::min(room, piece.size())));
    conn.buffer.erase(0, n);
  };
  auto read_line = [&]() -> std::optional<std::string> {
    std::size_t eol;
    while ((eol = conn.buffer.find("\r\n")) == std::string::npos) {
      if (conn.buffer.size() > kMaxHeadBytes || !conn.fill()) return std::nullopt;
    }
    std::string line = conn.buffer.substr(0, eol);
    conn.buffer.erase(0, eol + 2);
    return line;
  };

  if (req.chunked) {
    for (;;) {
      auto size_line = read_line();
      if (!size_line) return std::nullopt;
      std::uint64_t size = 0;
      for (char c : *size_line) {
        int v = hex_value(c);
        if (v < 0) break;  // chunk extensions after ';' are ignored
        size = size * 16 + static_cast<std::uint64_t>(v);
      }
      if (size == 0) {
        for (;;) {  // trailers, up to the empty line
          auto trailer = read_line();
          if (!trailer) return std::nullopt;
          if (trailer->empty()) break;
        }
        break;
      }
      while (size > 0) {
        if (conn.buffer.empty() && !conn.fill()) return std::nullopt;
        std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, conn.buffer.size()));
        take(n);
        size -= n;
      }
      auto crlf = read_line();
      if (!crlf) return std::nullopt;
    }
  } else if (auto cl = req.header("content-length")) {
    std::uint64_t remaining = 0;
    for (char c : *cl) {
      if (c < '0' || c > '9') return std::nullopt;  // not a length: drop the connection
      remaining = remaining * 10 + static_cast<std::uint64_t>(c - '0');
    }
    while (remaining > 0) {
      if (conn.buffer.empty() && !conn.fill()) return std::nullopt;
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, conn.buffer.size()));
      take(n);
      remaining -= n;
    }
  }
  req.body_digest = digest_state;
  req.completed = std::chrono::steady_clock::now();
  return req;
}

bool LoopbackServer::execute(Connection& conn, const LoopbackRequest& request, const LoopbackAction& action) {
  if (action.delay.count() > 0 && !sleep_unless_stopped(action.delay)) return false;
  if (action.drop_connection) {
    conn.close_now(action.cut_with_reset);
    return false;
  }
  const bool generated = static_cast<bool>(action.body_generator);
  const std::uint64_t body_size = generated ? action.body_size : action.body.size();
  auto conn_header = request.header("connection");
  const bool close = action.close_after || (conn_header && core::lower(*conn_header) == "close");

  std::string head = "HTTP/1.1 " + std::to_string(action.status) + " " +
                     (action.reason.empty() ? reason_phrase(action.status) : action.reason) + "\r\n";
  for (const auto& [k, v] : action.headers) head += k + ": " + v + "\r\n";
  if (!has_header(action.headers, "content-length"))
    head += "Content-Length: " + std::to_string(body_size) + "\r\n";
  if (close) head += "Connection: close\r\n";
  head += "\r\n";
  if (!conn.send_all(head)) return false;

  const bool send_body = request.method != "HEAD";
  std::uint64_t limit = send_body ? body_size : 0;
  if (action.cut_after_body_bytes) limit = std::min(limit, *action.cut_after_body_bytes);
  std::string piece;
  std::uint64_t sent = 0;
  bool stalled = false;
  while (sent < limit) {
    std::uint64_t until = limit;
    if (action.stall_after_body_bytes && !stalled && sent < *action.stall_after_body_bytes)
      until = std::min(until, *action.stall_after_body_bytes);
    if (action.stall_after_body_bytes && !stalled && sent == *action.stall_after_body_bytes) {
      stalled = true;
      if (!sleep_unless_stopped(action.stall_for)) return false;
      continue;
    }
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(until - sent, kSendPiece));
    if (generated) {
      piece.resize(n);
      action.body_generator(sent, std::span<char>(piece.data(), n));
    } else {
      piece.assign(action.body, static_cast<std::size_t>(sent), n);
    }
    if (!conn.send_all(piece)) return false;
    sent += n;
  }
  if (action.stall_after_body_bytes && !stalled && sent == *action.stall_after_body_bytes && send_body &&
      !sleep_unless_stopped(action.stall_for))
    return false;
  if (action.cut_after_body_bytes && *action.cut_after_body_bytes < (send_body ? body_size : 0)) {
    sleep_unless_stopped(kPauseBeforeCut);
    conn.close_now(action.cut_with_reset);
    return false;
  }
  return !close;
}

LoopbackHandler LoopbackServer::sequence(std::vector<LoopbackAction> actions) {
  if (actions.empty()) actions.push_back(LoopbackAction::respond(200));
  auto shared = std::make_shared<std::vector<LoopbackAction>>(std::move(actions));
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  return [shared, next](const LoopbackRequest&) {
    std::size_t i = next->fetch_add(1);
    return (*shared)[std::min(i, shared->size() - 1)];
  };
}

std::uint64_t LoopbackServer::digest(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace dwh::test
