// HttpClient over libcurl's easy interface. One easy handle serves one request at a time;
// idle handles wait in a pool and keep their live connections, so a thread that takes a
// handle usually finds a warm connection. DNS and TLS sessions sit in a CURLSH shared by all
// handles. The connection cache itself is not shared: libcurl does not support sharing
// connections between concurrent threads (CURLSHOPT_SHARE(3)).
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "dwh/aws/http.hpp"
#include "dwh/core/strings.hpp"

namespace dwh::aws {
namespace {

constexpr std::size_t kMaxErrorBody = 1u << 20;  // error documents are small; a proxy's may not be
constexpr long kBufferSize = 256L << 10;  // bigger than curl's 16 KiB: fewer callbacks for large bodies

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool has_header(const HeaderList& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return core::lower(h.first) == lower_name; });
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// State of one transfer, reached from curl's callbacks.
struct Transfer {
  BodySource* source = nullptr;
  BodySink* sink = nullptr;
  HttpResponse response;
  int status = 0;                    // of the latest status line (a 100 Continue comes first)
  std::optional<Error> local_error;  // the source or sink failed: that, not curl's code, is the story
  // Read timeout: when bytes last moved either way.
  std::chrono::milliseconds read_timeout{0};
  curl_off_t last_bytes = -1;
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();
  bool timed_out = false;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    // A new status line (after 100 Continue): the headers so far belonged to the interim answer.
    t->response.headers.clear();
    auto sp = line.find(' ');
    t->status = sp == std::string_view::npos ? 0 : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // blank line ending the block
  t->response.headers.emplace_back(core::lower(trim(line.substr(0, colon))),
                                   std::string(trim(line.substr(colon + 1))));
  return n;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  t->response.body_bytes += n;
  const bool success = t->status >= 200 && t->status < 300;
  if (success && t->sink != nullptr) {
    if (Status s = t->sink->write(std::string_view(data, n)); !s) {
      t->local_error = s.error();
      return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    return n;
  }
  if (!success && t->response.body.size() >= kMaxErrorBody) return n;  // keep the head, drop the rest
  const std::size_t keep = success ? n : std::min(n, kMaxErrorBody - t->response.body.size());
  t->response.body.append(data, keep);
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto r = t->source->read(std::span<char>(buffer, size * count));
  if (!r) {
    t->local_error = r.error();
    return CURL_READFUNC_ABORT;
  }
  return *r;
}

// curl rewinds the upload when it resends on a fresh connection (a reused one turned out dead).
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (offset == 0 && origin == SEEK_SET && t->source->rewind()) return CURL_SEEKFUNC_OK;
  return CURL_SEEKFUNC_CANTSEEK;
}

// curl calls this about once a second even while idle. Its own low-speed limit averages over
// the last five seconds, so it notices a stall late; this notices it within a second.
int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  const auto now = std::chrono::steady_clock::now();
  if (dlnow + ulnow != t->last_bytes) {
    t->last_bytes = dlnow + ulnow;
    t->last_progress = now;
    return 0;
  }
  if (now - t->last_progress < t->read_timeout) return 0;
  t->timed_out = true;
  return 1;  // curl stops with CURLE_ABORTED_BY_CALLBACK
}

Error transport_error(CURLcode code, long os_errno, const char* detail, const HttpRequest& request) {
  Error e;
  e.transient = true;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      e.code = os_errno == ECONNREFUSED ? "ConnectionRefused" : "ConnectFailed";
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      e.code = "DnsFailure";
      break;
    case CURLE_OPERATION_TIMEDOUT:
      e.code = "Timeout";
      break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      e.code = "ConnectionReset";
      break;
    case CURLE_SSL_CONNECT_ERROR:
      e.code = "TlsError";
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      e.code = "TlsError";
      e.transient = false;  // a certificate that failed verification does not get better
      break;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      e.code = "InvalidEndpoint";
      e.transient = false;
      break;
    default:
      e.code = "Network";
      e.transient = false;
      break;
  }
  e.message = request.method + " " + describe_endpoint(request.endpoint) + ": " + curl_easy_strerror(code);
  if (detail != nullptr && *detail != '\0') e.message += std::string(" (") + std::string(trim(detail)) + ")";
  return e;
}

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(CurlOptions options) : options_(options) {
    global_init();
    share_ = curl_share_init();
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlHttpClient::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlHttpClient::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (const char* bundle = std::getenv("AWS_CA_BUNDLE"); bundle != nullptr && *bundle != '\0')
      ca_bundle_ = bundle;
  }

  ~CurlHttpClient() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);  // handles first: they reference the share
    curl_share_cleanup(share_);
  }

  Result<HttpResponse> send(const HttpRequest& request, BodySink* sink) override {
    CURL* h = acquire();
    if (h == nullptr) return make_error("Network", "cannot create a curl handle");
    auto result = perform(h, request, sink);
    release(h);
    return result;
  }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<CurlHttpClient*>(user)->locks_[static_cast<std::size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<CurlHttpClient*>(user)->locks_[static_cast<std::size_t>(data) % kLocks].unlock();
  }

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();  // most recently used: its connections are the warmest
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void release(CURL* h) {
    {
      std::lock_guard lock(pool_mu_);
      if (idle_.size() < options_.max_idle_handles) {
        idle_.push_back(h);
        return;
      }
    }
    curl_easy_cleanup(h);
  }

  // The request's method, and for one that sends a body, where curl reads it from.
  static void set_method(CURL* h, const HttpRequest& request, Transfer& t) {
    const std::string& method = request.method;
    const bool sends_body = request.body_source != nullptr || !request.body.empty() || method == "PUT" ||
                            method == "POST" || method == "PATCH";
    if (method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (sends_body) {
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);  // PUT semantics: body from the read callback
      curl_easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, &t);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, &on_seek);
      curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
      if (auto size = t.source->size())
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*size));
      if (method != "PUT") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
  }

  Result<HttpResponse> perform(CURL* h, const HttpRequest& request, BodySink* sink) {
    // Reset keeps live connections, DNS and TLS session caches; everything else starts clean.
    curl_easy_reset(h);
    std::array<char, CURL_ERROR_SIZE> detail{};
    const std::string url = request.url();

    Transfer t;
    t.sink = sink;
    MemorySource memory(request.body);
    t.source = request.body_source != nullptr ? request.body_source : &memory;

    curl_easy_setopt(h, CURLOPT_SHARE, share_);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail.data());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_bundle_.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ca_bundle_.c_str());
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, kBufferSize);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, kBufferSize);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<std::int64_t>(1, request.connect_timeout.count())));
    if (request.request_timeout.count() > 0)
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.request_timeout.count()));
    if (request.read_timeout.count() > 0) {
      t.read_timeout = request.read_timeout;
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    }

    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

    set_method(h, request, t);

    Slist headers;
    auto append = [&](const std::string& line) {
      curl_slist* next = curl_slist_append(headers.get(), line.c_str());
      if (next != nullptr) {
        (void)headers.release();
        headers.reset(next);
      }
    };
    for (const auto& [name, value] : request.headers)
      append(value.empty() ? name + ";" : std::string(name).append(": ").append(value));
    // "Name:" with nothing after it removes a header curl would add on its own.
    if (!has_header(request.headers, "expect")) append("Expect:");
    if (!has_header(request.headers, "accept")) append("Accept:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    const CURLcode code = curl_easy_perform(h);
    if (t.local_error) return *std::move(t.local_error);
    if (code == CURLE_ABORTED_BY_CALLBACK && t.timed_out) {
      Error e = make_error(
          "Timeout", request.method + " " + describe_endpoint(request.endpoint) + ": no data moved for " +
                         std::to_string(request.read_timeout.count()) + " ms (read timeout)");
      e.transient = true;
      return e;
    }
    if (code != CURLE_OK) {
      long os_errno = 0;
      curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
      return transport_error(code, os_errno, detail.data(), request);
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = static_cast<int>(status);
    return std::move(t.response);
  }

  static constexpr std::size_t kLocks = CURL_LOCK_DATA_LAST;
  CurlOptions options_;
  CURLSH* share_ = nullptr;
  std::string ca_bundle_;
  std::array<std::mutex, kLocks> locks_;
  std::mutex pool_mu_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpClient> make_curl_http_client(CurlOptions options) {
  return std::make_shared<CurlHttpClient>(options);
}

}  // namespace dwh::aws
