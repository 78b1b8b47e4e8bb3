// Opening connections with errors that say what went wrong where.
#include <cstdlib>
#include <string>

#include "connect_error.hpp"
#include "dwh/pg/database_url.hpp"
#include "url_secrets.hpp"

namespace dwh::pg {
namespace {

constexpr std::string_view kTimeoutParam = "connect_timeout";

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// libpq reports connection failures as text only (no SQLSTATE), so the kind is read from its
// wording. Client-side messages follow LC_MESSAGES; server ones the server's lc_messages.
std::string_view classify(std::string_view m) {
  if (contains(m, "database \"") && contains(m, "does not exist")) return "NoSuchDatabase";
  if (contains(m, "password authentication failed") || contains(m, "authentication failed") ||
      (contains(m, "role \"") && contains(m, "does not exist")) || contains(m, "no pg_hba.conf entry") ||
      contains(m, "no password supplied") || contains(m, "password is required"))
    return "AuthFailed";
  if (contains(m, "Connection refused") || contains(m, "timeout expired") || contains(m, "timed out") ||
      contains(m, "could not translate host name") || contains(m, "No route to host") ||
      contains(m, "Network is unreachable") || contains(m, "No such file or directory") ||
      contains(m, "Cannot assign requested address") || contains(m, "server closed the connection"))
    return "Unreachable";
  return "ConnectFailed";
}

// libpq's multi-line message on one line.
std::string one_line(std::string_view m) {
  std::string out;
  bool space = false;
  for (char c : m) {
    if (c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

namespace detail {
Error connect_error(const DatabaseUrl& url, std::string_view libpq_message) {
  const std::string reason = detail::mask_secrets_in(one_line(libpq_message), url.text);
  const std::string code(classify(reason));
  std::string what;
  if (code == "NoSuchDatabase")
    what = "the server has no such database";
  else if (code == "AuthFailed")
    what = "the server refused the login";
  else if (code == "Unreachable")
    what = "the server cannot be reached";
  else
    what = "cannot connect";
  return make_error(code, "database " + url.where() + " (" + url.redacted + "): " + what + ": " + reason);
}

}  // namespace detail

Result<std::unique_ptr<pqxx::connection>> connect(const std::string& url, std::chrono::seconds timeout) {
  auto parsed = validate_database_url(url);
  if (!parsed) return std::move(parsed).error();
  std::string conninfo = url;
  bool has_timeout = false;
  for (const auto& [k, v] : parsed->params) has_timeout = has_timeout || k == kTimeoutParam;
  if (!has_timeout) {
    const long seconds = std::max<long>(1, static_cast<long>(timeout.count()));
    conninfo += (parsed->has_query ? "&" : "?") + std::string(kTimeoutParam) + "=" + std::to_string(seconds);
  }
  try {
    return std::make_unique<pqxx::connection>(conninfo);
  } catch (const std::exception& e) {
    return detail::connect_error(*parsed, e.what());
  }
}

}  // namespace dwh::pg
