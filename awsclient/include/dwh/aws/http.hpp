#pragma once
// HTTP transport interface. The curl implementation reuses connections, is safe to call
// from many TBB workers at once, and streams bodies both ways.
//
// Wire rules of the curl client (http_curl.cpp):
//   - HTTP/1.1 always; connections are kept alive and reused (a pool of easy handles, each
//     with its own connection cache; DNS and TLS sessions are shared between them).
//   - A body of known size is sent with Content-Length, one of unknown size chunked.
//     Curl's automatic `Expect: 100-continue` is off; set the header to ask for it.
//   - TLS peer and host verification are always on. AWS_CA_BUNDLE names extra CAs.
//   - No redirects are followed (a signature is bound to its host; S3's 301 is an answer).
//   - Transport failures map to Error{transient=true} with codes ConnectionRefused,
//     ConnectFailed, DnsFailure, Timeout, ConnectionReset, TlsError (transient only for a
//     failed handshake, never for a failed verification), InvalidEndpoint; the message names
//     method, scheme://host:port and curl's reason, never the query (it may hold a signature).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "dwh/aws/sigv4.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws {

// A request body read in pieces. rewind() lets a retry send it again.
class BodySource {
 public:
  virtual ~BodySource() = default;
  [[nodiscard]] virtual std::optional<std::uint64_t> size() const = 0;  // nullopt: unknown (chunked)
  virtual Result<std::size_t> read(std::span<char> out) = 0;            // 0 at end
  virtual bool rewind() = 0;
};

// A response body written in pieces. rewind() discards what was written, for a retry.
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual Status write(std::string_view bytes) = 0;
  virtual bool rewind() = 0;
};

struct HttpRequest {
  std::string method = "GET";
  std::string endpoint;    // scheme://host[:port], no trailing slash
  std::string path = "/";  // already percent-encoded, as on the wire
  QueryList query;         // decoded pairs, encoded by the transport exactly as the signer does
  HeaderList headers;
  std::string body;                                 // used when body_source is null
  BodySource* body_source = nullptr;                // not owned
  std::chrono::milliseconds connect_timeout{3000};  // TCP and TLS handshake
  std::chrono::milliseconds request_timeout{0};     // 0: none (large streams); low-speed check still applies
  // Read timeout: the transfer fails with "Timeout" when no byte moved either way for this
  // long (checked about once a second; 0: never). Like botocore's socket read timeout, it also
  // covers a server that thinks long before answering.
  std::chrono::milliseconds read_timeout{60000};
  [[nodiscard]] std::string url() const;  // endpoint + path + "?" + encoded query
  // The query as sent: each key and value encoded by sigv4::uri_encode(s, true), in order.
  [[nodiscard]] std::string encoded_query() const;
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased, values trimmed
  std::string body;    // whole body, unless a sink took it (2xx with sink); error bodies capped at 1 MiB
  std::uint64_t body_bytes = 0;  // bytes received, whether kept here or given to a sink
  [[nodiscard]] std::optional<std::string_view> header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends once; no retries here. A 2xx body goes to `sink` when one is given, otherwise to
  // response.body. Non-2xx bodies always go to response.body (they are error documents).
  // Transport failures return an Error with transient=true where a retry may help.
  virtual Result<HttpResponse> send(const HttpRequest& request, BodySink* sink = nullptr) = 0;
};

struct CurlOptions {
  std::size_t max_idle_handles = 64;  // pooled easy handles (each keeps its connections)
};
std::shared_ptr<HttpClient> make_curl_http_client(CurlOptions options = {});

// Where a client would connect, for messages: "http://127.0.0.1:9000" (default ports added).
std::string describe_endpoint(std::string_view endpoint);

// Body helpers.
class StringSink final : public BodySink {
 public:
  Status write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  bool rewind() override {
    data.clear();
    return true;
  }
  std::string data;
};

class MemorySource final : public BodySource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return bytes_.size(); }
  Result<std::size_t> read(std::span<char> out) override;
  bool rewind() override {
    pos_ = 0;
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace dwh::aws
