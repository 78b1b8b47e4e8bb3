// SigV4 composition: scope, string to sign, authorization, presigned-URL parameters, and
// sign(), which runs the pure steps in order.
#include "dwh/aws/sigv4.hpp"

#include <ctime>

namespace dwh::aws {

SigningConfig SigningConfig::s3(std::string region, std::chrono::system_clock::time_point time) {
  SigningConfig cfg;
  cfg.region = std::move(region);
  cfg.service = "s3";
  cfg.time = time;
  cfg.normalize_path = false;
  cfg.double_uri_encode = false;
  cfg.sign_payload_hash_header = true;
  return cfg;
}

SigningConfig SigningConfig::standard(std::string region, std::string service,
                                      std::chrono::system_clock::time_point time) {
  SigningConfig cfg;
  cfg.region = std::move(region);
  cfg.service = std::move(service);
  cfg.time = time;
  return cfg;
}

namespace sigv4 {

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
  return {buf, n};
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  constexpr std::size_t kLength = 16;  // 20150830T123600Z
  if (text.size() != kLength || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  const auto number = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(4, 2) - 1;
  tm.tm_mday = number(6, 2);
  tm.tm_hour = number(9, 2);
  tm.tm_min = number(11, 2);
  tm.tm_sec = number(13, 2);
  const auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
  // timegm() normalises 20150231 to March 3rd; a round trip rejects such dates.
  if (amz_date(t) != text) return std::nullopt;
  return t;
}

std::string scope(const SigningConfig& cfg) {
  return amz_date(cfg.time).substr(0, 8) + "/" + cfg.region + "/" + cfg.service + "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out(kSigningAlgorithm);
  out.append("\n").append(amz_date);
  out.append("\n").append(scope);
  out.append("\n").append(sha256_hex(canonical_request));
  return out;
}

std::string authorization(std::string_view access_key_id, std::string_view scope,
                          std::string_view signed_headers, std::string_view signature) {
  std::string out(kSigningAlgorithm);
  out.append(" Credential=").append(access_key_id).append("/").append(scope);
  out.append(", SignedHeaders=").append(signed_headers);
  out.append(", Signature=").append(signature);
  return out;
}

QueryList presign_params(const Credentials& creds, const SigningConfig& cfg,
                         std::string_view signed_headers) {
  QueryList params = {
      {"X-Amz-Algorithm", std::string(kSigningAlgorithm)},
      {"X-Amz-Credential", creds.access_key_id + "/" + scope(cfg)},
      {"X-Amz-Date", amz_date(cfg.time)},
      {"X-Amz-Expires", std::to_string(cfg.expires.count())},
      {"X-Amz-SignedHeaders", std::string(signed_headers)},
  };
  // Signed with the rest, as botocore does; S3 and STS both accept that.
  if (!creds.session_token.empty()) params.emplace_back("X-Amz-Security-Token", creds.session_token);
  return params;
}

}  // namespace sigv4

SigningResult sign(const Signable& request, const Credentials& creds, const SigningConfig& cfg) {
  const bool in_query = cfg.location == SignatureLocation::Query;
  const HeaderList headers = sigv4::headers_to_sign(request, creds, cfg);
  const std::string signed_headers = sigv4::signed_headers(headers);

  QueryList query = request.query;
  QueryList auth_params;
  if (in_query) {
    auth_params = sigv4::presign_params(creds, cfg, signed_headers);
    query.insert(query.end(), auth_params.begin(), auth_params.end());
  }

  SigningResult result;
  result.canonical_request = sigv4::canonical_request(
      sigv4::canonical_method(request.method), sigv4::canonical_path(request.path, cfg),
      sigv4::canonical_query(query), sigv4::canonical_headers(headers), signed_headers, request.payload_hash);
  const std::string date = sigv4::amz_date(cfg.time);
  const std::string scope = sigv4::scope(cfg);
  result.string_to_sign = sigv4::string_to_sign(date, scope, result.canonical_request);
  result.signature =
      sigv4::signature(sigv4::signing_key(creds.secret_access_key, cfg), result.string_to_sign);

  if (in_query) {
    result.added_query = std::move(auth_params);
    result.added_query.emplace_back("X-Amz-Signature", result.signature);
    return result;
  }
  result.authorization = sigv4::authorization(creds.access_key_id, scope, signed_headers, result.signature);
  result.added_headers.emplace_back("X-Amz-Date", date);
  if (!creds.session_token.empty()) {
    result.added_headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  }
  if (cfg.sign_payload_hash_header) {
    result.added_headers.emplace_back("X-Amz-Content-SHA256", request.payload_hash);
  }
  result.added_headers.emplace_back("Authorization", result.authorization);
  return result;
}

void apply_signed_headers(HeaderList& headers, const SigningResult& result) {
  const auto same_name = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      const auto fold = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
      if (fold(a[i]) != fold(b[i])) return false;
    }
    return true;
  };
  for (const auto& added : result.added_headers) {
    std::erase_if(headers, [&](const auto& h) { return same_name(h.first, added.first); });
  }
  headers.insert(headers.end(), result.added_headers.begin(), result.added_headers.end());
}

}  // namespace dwh::aws
