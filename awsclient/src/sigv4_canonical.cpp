// The canonical request's parts: method, path, query, headers and signed headers.
// Each rule matches botocore's SigV4Auth (see the comments for where AWS leaves room).
#include <algorithm>
#include <array>
#include <map>

#include "dwh/aws/sigv4.hpp"
#include "dwh/core/strings.hpp"

namespace dwh::aws::sigv4 {
namespace {

// Never signed: proxies and HTTP stacks rewrite them (botocore's SIGNED_HEADERS_BLACKLIST),
// and authorization is the signature itself.
constexpr std::array<std::string_view, 4> kUnsignedHeaders = {"user-agent", "expect", "x-amzn-trace-id",
                                                              "authorization"};

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// Names in sorted order, each with its values in the order they appeared.
std::map<std::string, std::vector<std::string_view>> group_headers(const HeaderList& headers) {
  std::map<std::string, std::vector<std::string_view>> grouped;
  for (const auto& [name, value] : headers) grouped[core::lower(name)].push_back(value);
  return grouped;
}

}  // namespace

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0x0f]);
    }
  }
  return out;
}

std::string canonical_method(std::string_view method) {
  std::string out(method);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c); });
  return out;
}

std::string normalize_path(std::string_view wire_path) {
  if (wire_path.empty()) return "/";
  std::vector<std::string_view> kept;
  for (std::string_view segment : split(wire_path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(segment);
  }
  std::string out = wire_path.front() == '/' ? "/" : "";
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(kept[i]);
  }
  // A trailing slash survives only when something is left before it, as in botocore.
  if (wire_path.back() == '/' && !kept.empty()) out.push_back('/');
  return out;
}

std::string canonical_path(std::string_view wire_path, const SigningConfig& cfg) {
  std::string path = cfg.normalize_path ? normalize_path(wire_path) : std::string(wire_path);
  return cfg.double_uri_encode ? uri_encode(path, /*encode_slash=*/false) : path;
}

std::string canonical_query(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [key, value] : query) {
    encoded.emplace_back(uri_encode(key, true), uri_encode(value, true));
  }
  // Sorted by encoded key, then by encoded value for repeated keys.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(key).append("=").append(value);
  }
  return out;
}

bool is_unsigned_header(std::string_view name) {
  const std::string l = core::lower(name);
  return std::find(kUnsignedHeaders.begin(), kUnsignedHeaders.end(), l) != kUnsignedHeaders.end();
}

HeaderList headers_to_sign(const Signable& request, const Credentials& creds, const SigningConfig& cfg) {
  const bool in_headers = cfg.location == SignatureLocation::Headers;
  const bool add_token = in_headers && !creds.session_token.empty();
  const bool add_content_sha = in_headers && cfg.sign_payload_hash_header;
  HeaderList out;
  for (const auto& [name, value] : request.headers) {
    std::string l = core::lower(name);
    if (is_unsigned_header(l)) continue;
    // Headers the signer sets replace what the caller sent, as botocore replaces them.
    if (in_headers && l == "x-amz-date") continue;
    if (add_token && l == "x-amz-security-token") continue;
    if (add_content_sha && l == "x-amz-content-sha256") continue;
    out.emplace_back(std::move(l), value);
  }
  if (in_headers) out.emplace_back("x-amz-date", amz_date(cfg.time));
  if (add_token) out.emplace_back("x-amz-security-token", creds.session_token);
  if (add_content_sha) out.emplace_back("x-amz-content-sha256", request.payload_hash);
  return out;
}

std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonical_headers(const HeaderList& headers) {
  std::string out;
  for (const auto& [name, values] : group_headers(headers)) {
    out.append(name).push_back(':');
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(canonical_header_value(values[i]));
    }
    out.push_back('\n');
  }
  return out;
}

std::string signed_headers(const HeaderList& headers) {
  std::string out;
  for (const auto& entry : group_headers(headers)) {
    if (!out.empty()) out.push_back(';');
    out.append(entry.first);
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view path, std::string_view query,
                              std::string_view headers, std::string_view signed_headers,
                              std::string_view payload_hash) {
  std::string out;
  out.append(method).append("\n");
  out.append(path).append("\n");
  out.append(query).append("\n");
  out.append(headers).append("\n");  // the headers block ends in '\n' itself: a blank line follows
  out.append(signed_headers).append("\n");
  out.append(payload_hash);
  return out;
}

}  // namespace dwh::aws::sigv4
