#include "dwh/aws/http.hpp"

#include <algorithm>
#include <cstring>

namespace dwh::aws {

std::string HttpRequest::encoded_query() const {
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += sigv4::uri_encode(key, true);
    // A key without a value ("?uploads") is sent bare, as botocore does; the signer
    // canonicalises it as "uploads=" either way.
    if (!value.empty()) {
      out += '=';
      out += sigv4::uri_encode(value, true);
    }
  }
  return out;
}

std::string HttpRequest::url() const {
  std::string out = endpoint;
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  if (!query.empty()) {
    out += '?';
    out += encoded_query();
  }
  return out;
}

std::optional<std::string_view> HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

Result<std::size_t> MemorySource::read(std::span<char> out) {
  const std::size_t n = std::min(out.size(), bytes_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

std::string describe_endpoint(std::string_view endpoint) {
  const auto scheme_end = endpoint.find("://");
  if (scheme_end == std::string_view::npos) return std::string(endpoint);
  const std::string_view scheme = endpoint.substr(0, scheme_end);
  std::string_view authority = endpoint.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);  // never user-info
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  std::string out = std::string(scheme) + "://" + std::string(authority);
  if (!has_port) out += scheme == "https" ? ":443" : ":80";
  return out;
}

}  // namespace dwh::aws
