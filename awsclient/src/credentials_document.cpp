// The JSON credentials document of the container endpoint and IMDS, and the ISO 8601
// timestamps in it.
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "credentials_internal.hpp"

namespace dwh::aws {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hour) ||
      s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  std::size_t pos = 19;
  std::chrono::microseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    long long value = 0;
    int count = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (count < 6) {
        value = value * 10 + (s[pos] - '0');
        ++count;
      }
      ++pos;
    }
    if (count == 0) return std::nullopt;
    while (count < 6) {
      value *= 10;
      ++count;
    }
    fraction = std::chrono::microseconds(value);
  }
  int offset_minutes = 0;
  if (pos == s.size()) {
    // No zone designator: AWS always sends one; read a bare time as UTC.
  } else if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  }
  if (pos != s.size()) return std::nullopt;

  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  auto tp =
      sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + fraction - minutes{offset_minutes};
  return time_point_cast<system_clock::duration>(tp);
}

namespace detail {

Result<Credentials> parse_credentials_document(std::string_view json, std::string_view provider) {
  auto doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error("InvalidCredentialsDocument",
                      std::string(provider) + ": the credentials answer is not a JSON object");
  }
  std::string missing;
  auto field = [&](const char* name) -> std::string {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string()) {
      missing += missing.empty() ? name : std::string(", ") + name;
      return {};
    }
    return it->get<std::string>();
  };
  Credentials creds;
  creds.access_key_id = field("AccessKeyId");
  creds.secret_access_key = field("SecretAccessKey");
  creds.session_token = field("Token");
  std::string expiration = field("Expiration");
  if (!missing.empty()) {
    std::string message = std::string(provider) + ": the credentials answer lacks " + missing;
    // Error answers carry Code/Message instead of keys; those are safe to quote.
    if (auto code = doc.find("Code"); code != doc.end() && code->is_string())
      message += " (Code " + code->get<std::string>() + ")";
    if (auto code = doc.find("code"); code != doc.end() && code->is_string())
      message += " (code " + code->get<std::string>() + ")";
    return make_error("InvalidCredentialsDocument", std::move(message));
  }
  auto expires = parse_iso8601(expiration);
  if (!expires) {
    return make_error("InvalidCredentialsDocument",
                      std::string(provider) + ": Expiration '" + expiration + "' is not an ISO 8601 time");
  }
  creds.expiration = *expires;
  creds.provider = std::string(provider);
  return creds;
}

}  // namespace detail
}  // namespace dwh::aws
