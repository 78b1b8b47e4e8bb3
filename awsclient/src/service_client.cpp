#include "dwh/aws/service_client.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <iomanip>
#include <locale>
#include <random>
#include <sstream>
#include <thread>

#include "dwh/aws/sigv4.hpp"
#include "dwh/core/log.hpp"
#include "dwh/core/strings.hpp"

namespace dwh::aws {
namespace {

// AWS refuses requests more than 15 minutes off; the Java SDK corrects beyond 4 minutes.
// Below that, a "skew" error is not a clock problem (a wrong secret, say) and is not retried.
constexpr std::chrono::minutes kSkewThreshold{4};
constexpr std::size_t kHashPiece = 256u << 10;

bool is_success(int status) {
  return status >= 200 && status < 300;
}

// Counts what passed through, so a retry rewinds only what was actually used.
class CountingSource final : public BodySource {
 public:
  explicit CountingSource(BodySource* inner) : inner_(inner) {}
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return inner_->size(); }
  Result<std::size_t> read(std::span<char> out) override {
    auto r = inner_->read(out);
    if (r) used_ = used_ || *r > 0;
    return r;
  }
  bool rewind() override {
    if (!used_) return true;
    used_ = false;
    return inner_->rewind();
  }

 private:
  BodySource* inner_;
  bool used_ = false;
};

class CountingSink final : public BodySink {
 public:
  explicit CountingSink(BodySink* inner) : inner_(inner) {}
  Status write(std::string_view bytes) override {
    used_ = used_ || !bytes.empty();
    return inner_->write(bytes);
  }
  bool rewind() override {
    if (!used_) return true;
    used_ = false;
    return inner_->rewind();
  }

 private:
  BodySink* inner_;
  bool used_ = false;
};

// SHA-256 of a streamed body, read in pieces; the source is rewound afterwards.
Result<std::string> hash_source(BodySource& source) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    return make_error("InternalError", "cannot initialise SHA-256");
  std::string buffer(kHashPiece, '\0');
  for (;;) {
    auto n = source.read(std::span<char>(buffer.data(), buffer.size()));
    if (!n) return std::move(n).error();
    if (*n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), *n);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest.data(), &len);
  if (!source.rewind())
    return make_error("BodyNotRewindable", "the request body cannot be rewound after hashing it");
  return sigv4::hex(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

// RFC 7231 IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::tm tm{};
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S");
  if (in.fail()) return std::nullopt;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

// "https://host:443/base" -> origin "https://host:443", base path "/base".
std::pair<std::string, std::string> split_endpoint(std::string_view url) {
  const auto scheme_end = url.find("://");
  const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto path_start = url.find('/', authority_start);
  if (path_start == std::string_view::npos) return {std::string(url), ""};
  std::string base(url.substr(path_start));
  while (!base.empty() && base.back() == '/') base.pop_back();
  return {std::string(url.substr(0, path_start)), base};
}

// The Host header: the authority, without the scheme's default port (as botocore sends it).
std::string host_header(std::string_view origin) {
  const auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return std::string(origin);
  const std::string scheme = core::lower(origin.substr(0, scheme_end));
  std::string authority(origin.substr(scheme_end + 3));
  const std::string default_port = scheme == "https" ? ":443" : ":80";
  if (authority.size() > default_port.size() && authority.ends_with(default_port) && authority.back() != ']')
    authority.resize(authority.size() - default_port.size());
  return core::lower(authority);
}

bool is_https(std::string_view url) {
  return core::lower(url.substr(0, 8)) == "https://";
}

void remove_header(HeaderList& headers, std::string_view lower_name) {
  std::erase_if(headers, [&](const auto& h) { return core::lower(h.first) == lower_name; });
}

std::optional<std::string> find_header(const HeaderList& headers, std::string_view lower_name) {
  for (const auto& [k, v] : headers)
    if (core::lower(k) == lower_name) return v;
  return std::nullopt;
}

// The payload hash, fixed for all attempts; see the header for the rules. A caller's
// x-amz-content-sha256 is taken out of the headers when the (S3) signer sets it itself.
Result<std::string> payload_hash_for(const HttpRequest& request, HeaderList& caller_headers,
                                     bool s3_signing) {
  if (auto given = find_header(caller_headers, "x-amz-content-sha256")) {
    std::string payload_hash = *given;
    if (s3_signing) remove_header(caller_headers, "x-amz-content-sha256");
    return payload_hash;
  }
  if (request.body_source == nullptr) {
    return request.body.empty() ? std::string(kEmptyPayloadSha256) : sigv4::sha256_hex(request.body);
  }
  if (s3_signing && is_https(request.endpoint)) return std::string(kUnsignedPayload);
  return hash_source(*request.body_source);
}

// Sends a request that names no endpoint to the client's: its origin, under its base path.
void use_endpoint(HttpRequest& request, const std::string& origin, const std::string& base_path) {
  request.endpoint = origin;
  if (!base_path.empty())
    request.path = base_path + (request.path.starts_with('/') ? "" : "/") + request.path;
}

// The error of the last attempt, saying why there is no further one.
Error not_retried(Error error, const RetryPolicy::Token& token) {
  if (token.attempt > 1) {
    error.message += " (gave up after " + std::to_string(token.attempt) +
                     " attempts: " + std::string(to_string(token.stop)) + ")";
  } else if (token.stop == RetryPolicy::Stop::QuotaExhausted) {
    error.message += " (not retried: retry quota exhausted)";
  }
  return error;
}

}  // namespace

Result<std::unique_ptr<ServiceClient>> ServiceClient::create(ServiceInfo info, ClientOptions options) {
  auto fail = [&](Error e) {
    e.service = info.endpoint_prefix;
    return e;
  };
  std::string region = options.region;
  if (region.empty()) {
    auto resolved = resolve_region();
    if (resolved) {
      region = *resolved;
    } else if (info.global) {
      region = "us-east-1";  // IAM and other global services sign for us-east-1 wherever we are
    } else {
      return fail(std::move(resolved).error());
    }
  }

  Endpoint endpoint;
  if (options.endpoint_url) {
    std::string url = *options.endpoint_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    const std::string l = core::lower(url);
    if (!l.starts_with("http://") && !l.starts_with("https://"))
      return fail(
          make_error("InvalidEndpoint", "endpoint URL '" + url + "' must start with http:// or https://"));
    endpoint.url = url;
    endpoint.custom = true;
    endpoint.source = "client options";
  } else {
    auto resolved = resolve_endpoint(info.service_id, info.endpoint_prefix, region);
    if (!resolved) return fail(std::move(resolved).error());
    endpoint = std::move(resolved).value();
  }

  if (!options.http) options.http = make_curl_http_client();
  if (!options.credentials) options.credentials = default_credentials_chain(options.http);
  // Fail at creation, with the chain's explanation, rather than on the first request.
  if (auto creds = options.credentials->get(); !creds) return fail(std::move(creds).error());
  if (!options.clock) options.clock = [] { return std::chrono::steady_clock::now(); };
  if (!options.wall_clock) options.wall_clock = [] { return std::chrono::system_clock::now(); };
  if (!options.sleep) options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    // RetryPolicy calls this under its own mutex, so the engine needs no lock of its own.
    options.random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
  return std::unique_ptr<ServiceClient>(
      new ServiceClient(std::move(info), std::move(options), std::move(region), std::move(endpoint)));
}

ServiceClient::ServiceClient(ServiceInfo info, ClientOptions options, std::string region, Endpoint endpoint)
    : info_(std::move(info)),
      options_(std::move(options)),
      region_(std::move(region)),
      endpoint_(std::move(endpoint)) {
  retry_ = std::make_unique<RetryPolicy>(options_.retry.value_or(RetryConfig::from_environment()),
                                         options_.random);
  backoff_ = std::make_unique<SharedBackoff>(options_.clock);
  std::tie(origin_, base_path_) = split_endpoint(endpoint_.url);
}

std::chrono::system_clock::time_point ServiceClient::signing_time() const {
  return options_.wall_clock() + std::chrono::milliseconds(clock_skew_ms_.load());
}

Status ServiceClient::sign_request(HttpRequest& request, const HeaderList& caller_headers,
                                   const std::string& payload_hash) {
  auto creds = options_.credentials->get();
  if (!creds) return std::move(creds).error();
  request.headers = caller_headers;
  if (!find_header(request.headers, "host"))
    request.headers.emplace_back("host", host_header(request.endpoint));
  const std::string signing_region = info_.global ? "us-east-1" : region_;
  const auto time = signing_time();
  SigningConfig cfg = info_.s3_signing ? SigningConfig::s3(signing_region, time)
                                       : SigningConfig::standard(signing_region, info_.signing_name, time);
  Signable signable{request.method, request.path, request.query, request.headers, payload_hash};
  const SigningResult signed_request = sign(signable, *creds, cfg);
  apply_signed_headers(request.headers, signed_request);
  request.headers.emplace_back("user-agent",
                               std::string(kUserAgent));  // after signing: proxies may rewrite it
  return {};
}

bool ServiceClient::correct_clock_skew(const HttpResponse* response) {
  if (response == nullptr) return false;
  auto date = response->header("date");
  if (!date) return false;
  auto server = parse_http_date(*date);
  if (!server) return false;
  const auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(*server - options_.wall_clock());
  const auto current = std::chrono::milliseconds(clock_skew_ms_.load());
  if (std::chrono::abs(skew - current) < kSkewThreshold) return false;
  clock_skew_ms_.store(skew.count());
  log::warn("correcting clock skew from the server's Date header",
            {{"service", info_.endpoint_prefix}, {"skew_ms", skew.count()}});
  return true;
}

Result<HttpResponse> ServiceClient::call(std::string_view operation, HttpRequest request, BodySink* sink) {
  return call(operation, std::move(request), sink, CallOptions{});
}

Result<HttpResponse> ServiceClient::call(std::string_view operation, HttpRequest request, BodySink* sink,
                                         const CallOptions& call_options) {
  auto fail = [&](Error e) {
    e.service = info_.endpoint_prefix;
    e.operation = std::string(operation);
    return e;
  };
  if (request.endpoint.empty()) use_endpoint(request, origin_, base_path_);
  std::optional<CountingSource> source;
  if (request.body_source != nullptr) {
    source.emplace(request.body_source);
    request.body_source = &*source;
  }
  std::optional<CountingSink> counting_sink;
  if (sink != nullptr) counting_sink.emplace(sink);
  BodySink* attempt_sink = counting_sink ? &*counting_sink : nullptr;

  HeaderList caller_headers = std::move(request.headers);
  auto hashed = payload_hash_for(request, caller_headers, info_.s3_signing);
  if (!hashed) return fail(std::move(hashed).error());
  const std::string payload_hash = std::move(hashed).value();

  RetryPolicy::Token token;
  std::optional<Error> last_error;
  for (;;) {
    if (auto wait = backoff_->wait_needed(); wait.count() > 0) options_.sleep(wait);
    if (last_error) {
      const bool rewound = (!source || source->rewind()) && (!counting_sink || counting_sink->rewind());
      if (!rewound) {
        Error e = *std::move(last_error);
        e.message += " (not retried: the request or response body cannot be rewound)";
        return e;
      }
    }
    if (Status s = sign_request(request, caller_headers, payload_hash); !s) return fail(std::move(s).error());

    auto sent = options_.http->send(request, attempt_sink);
    std::optional<HttpResponse> response;
    Error error;
    if (sent) {
      response = std::move(sent).value();
      if (is_success(response->status)) {
        std::optional<Error> invalid =
            call_options.validate ? call_options.validate(*response) : std::nullopt;
        if (!invalid) {
          retry_->on_success(token);
          return std::move(*response);
        }
        error = std::move(*invalid);
        if (error.http_status == 0) error.http_status = response->status;
      } else {
        error = error_from_response(info_.protocol, *response);
      }
    } else {
      error = std::move(sent).error();
    }
    error = fail(std::move(error));

    RetryClass retry_class = classify(error);
    if (retry_class == RetryClass::ClockSkew && !correct_clock_skew(response ? &*response : nullptr))
      retry_class = RetryClass::NotRetryable;
    auto delay = retry_->on_failure(token, retry_class);
    if (!delay) return not_retried(std::move(error), token);
    log::warn("retrying AWS request", {{"service", info_.endpoint_prefix},
                                       {"operation", std::string(operation)},
                                       {"attempt", token.attempt},
                                       {"max_attempts", retry_->config().max_attempts},
                                       {"delay_ms", delay->count()},
                                       {"code", error.code},
                                       {"http_status", error.http_status},
                                       {"retry_class", std::string(to_string(retry_class))}});
    if (retry_class == RetryClass::Throttling) {
      // Everyone using this client waits with us; the gate at the loop's top does the sleeping.
      backoff_->push_back_until(options_.clock() + *delay);
    } else if (delay->count() > 0) {
      options_.sleep(*delay);
    }
    last_error = std::move(error);
  }
}

}  // namespace dwh::aws
