#pragma once
// Database URLs: how every `dwh source ...` and job command checks and opens its PostgreSQL
// database. URLs are libpq URIs (postgresql://user:pass@host:port/db?param=v). Which URL a
// command uses (--url, environment, the dev cluster) is dwh/local/resolve_database.hpp.
//
// Error codes (dwh::Error::code) used here. Per issue 3 the first five are bad input, for which
// commands exit with 2 (see is_database_input_error):
//   "InvalidDatabaseUrl"   the URL is malformed; the message names the problem and its position
//   "NoDatabaseConfigured" no --url, no environment variable and no running local cluster
//                          (made by dwh::local's resolve_database)
//   "Unreachable"          nothing answers at host:port (refused, timed out, unknown host)
//   "AuthFailed"           the server refused the user or password
//   "NoSuchDatabase"       the server runs but has no such database
//   "ConnectFailed"        any other connection failure (libpq's reason is in the message)
// No message ever contains a password: URLs in messages are redacted ("postgresql://u:***@h/db").
#include <chrono>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::pg {

struct HostPort {
  std::string host;  // decoded; empty means libpq's default unix socket; "[::1]" keeps no brackets
  std::optional<int> port;
};

// A URL that passed validation. `text` is what the user gave (it may hold a password: never
// print it; print `redacted` instead).
struct DatabaseUrl {
  std::string text;
  std::string redacted;
  std::string user;  // decoded; empty when not given
  bool has_password = false;
  std::vector<HostPort> hosts;  // at least one entry (possibly an empty host)
  std::string database;         // decoded; empty when not given (libpq then uses the user name)
  std::vector<std::pair<std::string, std::string>> params;  // decoded query parameters but password, in order
  bool has_query = false;                                   // a '?' section is present

  // "127.0.0.1:5432/totesys": where a connection goes, for messages.
  [[nodiscard]] std::string where() const;
};

// Checks that `url` is a libpq URI libpq accepts: scheme postgresql:// or postgres://,
// well-formed user info, hosts ([IPv6] allowed), ports 1-65535, percent-escapes, and query
// parameters libpq knows. Errors are "InvalidDatabaseUrl", naming the problem and the
// 1-based character position in the redacted URL.
Result<DatabaseUrl> validate_database_url(std::string_view url);

// The URL with any password (in the user info or a password= parameter) replaced by "***".
// Safe on malformed input too.
std::string redact_database_url(std::string_view url);

inline constexpr std::chrono::seconds kDefaultConnectTimeout{10};

// Opens a connection. A connect_timeout parameter (whole seconds, at least 1) is added unless the
// URL has one. Failures become the error codes above, naming host:port/database.
Result<std::unique_ptr<pqxx::connection>> connect(const std::string& url,
                                                  std::chrono::seconds timeout = kDefaultConnectTimeout);

}  // namespace dwh::pg
