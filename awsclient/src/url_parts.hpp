#pragma once
// Splits an absolute http(s) URL into the pieces HttpRequest and the endpoint checks need.
// Not a general URL parser: no user-info, no fragments.
#include <optional>
#include <string>
#include <string_view>

#include "dwh/aws/sigv4.hpp"

namespace dwh::aws::detail {

struct UrlParts {
  std::string scheme;  // "http" or "https", lower-cased
  std::string host;    // without brackets for IPv6 literals
  bool ipv6_literal = false;
  std::string port;   // empty when absent
  std::string path;   // as written, "" when absent
  std::string query;  // raw text after '?', without it

  // scheme://host[:port], with brackets around an IPv6 literal.
  [[nodiscard]] std::string origin() const;
};

// nullopt when the text is not http(s)://host[:port][/path][?query].
std::optional<UrlParts> split_url(std::string_view url);

bool is_loopback_host(std::string_view host);  // 127.0.0.0/8, ::1, localhost

}  // namespace dwh::aws::detail
