// Parser for raw HTTP/1.1 request text (AWS SigV4 test-suite form). Hand-written because no
// Debian HTTP library parses a request from a string without a socket, and the test suite's
// format (folded lines, spaces in the target) is looser than what HTTP parsers accept.
#include "dwh/aws/sigv4_request_text.hpp"

#include <vector>

namespace dwh::aws {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

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
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

Error bad_request(std::size_t line_no, std::string_view what) {
  return make_error("InvalidRequestText",
                    "request text line " + std::to_string(line_no) + ": " + std::string(what));
}

// Splits off one line (without its "\n" or "\r\n"); advances `rest` past it.
std::string_view next_line(std::string_view& rest, bool& found_end) {
  const std::size_t nl = rest.find('\n');
  std::string_view line = rest.substr(0, nl);
  found_end = nl != std::string_view::npos;
  rest = found_end ? rest.substr(nl + 1) : std::string_view{};
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

Status parse_request_line(std::string_view line, RawHttpRequest& out) {
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    return bad_request(1, "expected 'METHOD /path HTTP/1.1'");
  }
  if (line.substr(last + 1).rfind("HTTP/", 0) != 0) {
    return bad_request(1, "the request line must end with the HTTP version, e.g. HTTP/1.1");
  }
  out.method = std::string(line.substr(0, first));
  const std::string_view target = line.substr(first + 1, last - first - 1);
  if (target.empty() || target.front() != '/') {
    return bad_request(1, "the request target must start with '/'");
  }
  const std::size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query = decode_query(target.substr(q + 1));
  return {};
}

}  // namespace

std::optional<std::string> RawHttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return std::nullopt;
}

QueryList decode_query(std::string_view raw_query) {
  QueryList out;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string_view::npos) end = raw_query.size();
    const std::string_view piece = raw_query.substr(start, end - start);
    if (!piece.empty()) {
      const std::size_t eq = piece.find('=');
      const std::string_view key = piece.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
      out.emplace_back(percent_decode(key), percent_decode(value));
    }
    start = end + 1;
  }
  return out;
}

Result<RawHttpRequest> parse_request_text(std::string_view text) {
  RawHttpRequest out;
  std::string_view rest = text;
  bool more = false;
  if (Status s = parse_request_line(next_line(rest, more), out); !s) return std::move(s).error();

  std::size_t line_no = 1;
  while (more) {
    const std::string_view line = next_line(rest, more);
    ++line_no;
    if (line.empty()) {
      out.body = std::string(rest);
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.headers.empty()) return bad_request(line_no, "a folded line needs a header above it");
      out.headers.emplace_back(out.headers.back().first, std::string(trim(line)));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad_request(line_no, "expected 'Name: value'");
    const std::string_view name = line.substr(0, colon);
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
      return bad_request(line_no, "a header name must be one word before ':'");
    }
    out.headers.emplace_back(std::string(name), std::string(line.substr(colon + 1)));
  }
  return out;
}

Signable to_signable(const RawHttpRequest& request, std::string_view fallback_payload_hash) {
  Signable s;
  s.method = request.method;
  s.path = request.path;
  s.query = request.query;
  s.headers = request.headers;
  if (auto declared = request.header("x-amz-content-sha256")) {
    s.payload_hash = std::string(trim(*declared));
  } else if (!fallback_payload_hash.empty()) {
    s.payload_hash = std::string(fallback_payload_hash);
  } else {
    s.payload_hash = sigv4::sha256_hex(request.body);
  }
  return s;
}

SigningConfig signing_config(const SignOptions& options) {
  SigningConfig cfg = options.s3 ? SigningConfig::s3(options.region, options.time)
                                 : SigningConfig::standard(options.region, options.service, options.time);
  cfg.service = options.service;
  if (options.no_normalize_path) {
    cfg.normalize_path = false;
    cfg.double_uri_encode = false;
  }
  if (options.sign_payload_hash) cfg.sign_payload_hash_header = true;
  if (options.presign.count() > 0) {
    cfg.location = SignatureLocation::Query;
    cfg.expires = options.presign;
  }
  return cfg;
}

Signable to_signable(const RawHttpRequest& request, const SignOptions& options) {
  const bool s3_presign = options.s3 && options.presign.count() > 0;
  return to_signable(request, s3_presign ? kUnsignedPayload : std::string_view{});
}

Result<std::string> presigned_url(const RawHttpRequest& request, const SigningResult& signed_query) {
  const auto host = request.header("host");
  if (!host || trim(*host).empty()) {
    return make_error("InvalidRequestText", "the request has no Host header to build a URL from");
  }
  std::string url = "https://" + std::string(trim(*host)) + request.path;
  char sep = '?';
  for (const QueryList* list : {&request.query, &signed_query.added_query}) {
    for (const auto& [key, value] : *list) {
      url.push_back(sep);
      url.append(sigv4::uri_encode(key, true)).append("=").append(sigv4::uri_encode(value, true));
      sep = '&';
    }
  }
  return url;
}

}  // namespace dwh::aws
