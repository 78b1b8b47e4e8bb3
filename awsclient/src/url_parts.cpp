#include "url_parts.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "dwh/core/strings.hpp"

namespace dwh::aws::detail {
namespace {

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  if (!std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c); })) return false;
  return std::stoi(std::string(p)) <= 65535;
}

}  // namespace

std::string UrlParts::origin() const {
  std::string out = scheme + "://";
  out += ipv6_literal ? "[" + host + "]" : host;
  if (!port.empty()) out += ":" + port;
  return out;
}

std::optional<UrlParts> split_url(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  UrlParts parts;
  parts.scheme = core::lower(url.substr(0, sep));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos ? "" : rest.substr(authority_end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    parts.host = core::lower(authority.substr(1, close - 1));
    parts.ipv6_literal = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':' || !valid_port(after.substr(1))) return std::nullopt;
      parts.port = std::string(after.substr(1));
    }
  } else {
    auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (!valid_port(authority.substr(colon + 1))) return std::nullopt;
      parts.port = std::string(authority.substr(colon + 1));
      authority = authority.substr(0, colon);
    }
    parts.host = core::lower(authority);
  }
  if (parts.host.empty()) return std::nullopt;
  if (auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  auto q = tail.find('?');
  parts.path = std::string(tail.substr(0, q));
  if (q != std::string_view::npos) parts.query = std::string(tail.substr(q + 1));
  return parts;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  return false;
}

}  // namespace dwh::aws::detail
