// Validation and redaction of libpq URIs.
//
// libpq parses URIs itself (PQconninfoParse), and we run it as the last word, but it cannot
// serve alone: it accepts ports out of range (they fail only at connect time), reports no
// positions, and echoes the offending text, which may be part of a password. So the structure
// is checked here first, following libpq's own reading of a URI (conninfo_uri_parse_options in
// fe-connect.c) so that whatever passes means to libpq what it means to us.
#include "dwh/pg/database_url.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "url_secrets.hpp"

namespace dwh::pg {
namespace {

constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};
constexpr std::string_view kMask = "***";
constexpr int kMaxPort = 65535;

struct Span {
  std::size_t begin;
  std::size_t end;
};

std::size_t scheme_length(std::string_view url) {
  for (auto scheme : kSchemes)
    if (url.starts_with(scheme)) return scheme.size();
  return 0;
}

// Password spans found without trusting the URL to be well formed: from the first ':' after
// the scheme up to the LAST '@' (a password may hold unencoded '@', '/' or '?'), and the value
// of any password= query parameter. It may mask more than the password, never less.
std::vector<Span> conservative_secret_spans(std::string_view url) {
  std::vector<Span> spans;
  const auto marker = url.find("://");
  const std::size_t start = marker == std::string_view::npos ? 0 : marker + 3;
  const auto at = url.rfind('@');
  std::size_t query_from = start;
  if (at != std::string_view::npos && at >= start) {
    const auto colon = url.find(':', start);
    if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at});
    query_from = at + 1;
  }
  const auto question = url.find('?', query_from);
  if (question == std::string_view::npos) return spans;
  std::size_t pos = question + 1;
  while (pos <= url.size()) {
    auto amp = url.find('&', pos);
    if (amp == std::string_view::npos) amp = url.size();
    const auto item = url.substr(pos, amp - pos);
    if (item.starts_with("password=")) spans.push_back({pos + 9, amp});
    pos = amp + 1;
  }
  return spans;
}

std::string apply_mask(std::string_view url, const std::vector<Span>& spans) {
  std::string out;
  std::size_t pos = 0;
  for (const auto& s : spans) {
    if (s.begin < pos) continue;
    out.append(url.substr(pos, s.begin - pos));
    out.append(kMask);
    pos = s.end;
  }
  out.append(url.substr(pos));
  return out;
}

// 1-based position of original offset `pos` in the masked text.
std::size_t masked_position(std::size_t pos, const std::vector<Span>& spans) {
  std::size_t shift = 0;
  for (const auto& s : spans) {
    if (pos < s.begin) break;
    if (pos < s.end) return s.begin - shift + 1;
    shift += (s.end - s.begin) - kMask.size();
  }
  return pos - shift + 1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~' ||
         c == '%';
}

// Parses the URL; errors carry the offset into `url` of the problem.
class Parser {
 public:
  explicit Parser(std::string_view url) : url_(url), spans_(conservative_secret_spans(url)) {}

  Result<DatabaseUrl> parse() {
    if (url_.empty()) return fail(0, "the URL is empty");
    const std::size_t scheme = scheme_length(url_);
    if (scheme == 0) return fail_scheme();
    for (std::size_t i = 0; i < url_.size(); ++i) {
      const auto c = static_cast<unsigned char>(url_[i]);
      if (c <= 0x20 || c == 0x7f)
        return fail(i, "a space or control character; percent-encode it (a space is %20)");
    }
    pos_ = scheme;
    out_.text = std::string(url_);

    // An '@' after the host cannot be the user info separator for libpq; it is nearly always
    // a password holding an unencoded '/' or '@', which libpq would misread as host and port.
    const auto path = url_.find_first_of("/?", pos_);
    if (path != std::string_view::npos) {
      const auto end = url_[path] == '/' ? url_.find('?', path) : path;
      const auto at = url_.substr(0, end).find('@', path);
      if (at != std::string_view::npos)
        return fail(at,
                    "'@' after the host; percent-encode '/', '?' and '@' in a password (%2F, %3F, %40), "
                    "and '@' in a database name (%40)");
    }

    if (auto s = parse_user_info(); !s) return std::move(s).error();
    if (auto s = parse_hosts(); !s) return std::move(s).error();
    if (pos_ < url_.size() && url_[pos_] == '/') {
      const auto end = std::min(url_.find('?', pos_), url_.size());
      auto db = decode(pos_ + 1, end, "database name");
      if (!db) return std::move(db).error();
      out_.database = std::move(db).value();
      pos_ = end;
    }
    if (pos_ < url_.size()) {
      if (url_[pos_] != '?') return fail(pos_, "unexpected character; expected '/', '?' or the end");
      out_.has_query = true;
      if (auto s = parse_params(); !s) return std::move(s).error();
    }
    if (out_.hosts.empty()) out_.hosts.push_back({});
    out_.redacted = apply_mask(url_, exact_spans_);
    return std::move(out_);
  }

 private:
  [[nodiscard]] Error fail(std::size_t offset, const std::string& problem) const {
    return make_error("InvalidDatabaseUrl",
                      "invalid database URL " + apply_mask(url_, spans_) + ": character " +
                          std::to_string(masked_position(offset, spans_)) + ": " + problem);
  }

  [[nodiscard]] Error fail_scheme() const {
    const auto marker = url_.find("://");
    if (marker != std::string_view::npos && marker > 0 && url_.find_first_of("/@?") > marker)
      return fail(0, "unsupported scheme '" + std::string(url_.substr(0, marker)) +
                         "://'; expected postgresql:// or postgres://");
    if (url_.find('=') != std::string_view::npos && marker == std::string_view::npos)
      return fail(0,
                  "not a URI (keyword=value connection strings are not accepted); expected "
                  "postgresql://user@host:port/database");
    return fail(0, "missing scheme; expected postgresql://user@host:port/database");
  }

  Result<std::string> decode(std::size_t begin, std::size_t end, std::string_view what) const {
    std::string out;
    for (std::size_t i = begin; i < end; ++i) {
      if (url_[i] != '%') {
        out.push_back(url_[i]);
        continue;
      }
      if (i + 2 >= end)
        return fail(i, "incomplete percent-escape in the " + std::string(what) + " (expected %XX)");
      const int hi = hex_value(url_[i + 1]);
      const int lo = hex_value(url_[i + 2]);
      if (hi < 0 || lo < 0)
        return fail(i,
                    "invalid percent-escape in the " + std::string(what) + " (expected %XX, two hex digits)");
      if (hi == 0 && lo == 0) return fail(i, "%00 is not allowed in the " + std::string(what));
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
    return out;
  }

  Status parse_user_info() {
    // libpq: user info runs to the first '@' before any '/'.
    std::size_t at = pos_;
    while (at < url_.size() && url_[at] != '@' && url_[at] != '/') ++at;
    if (at >= url_.size() || url_[at] != '@') return {};
    const auto colon = url_.substr(0, at).find(':', pos_);
    const std::size_t user_end = colon == std::string_view::npos ? at : colon;
    auto user = decode(pos_, user_end, "user name");
    if (!user) return std::move(user).error();
    out_.user = std::move(user).value();
    if (colon != std::string_view::npos) {
      exact_spans_.push_back({colon + 1, at});
      // Decoded only to check the escapes; the password itself stays in `text` alone.
      if (auto pw = decode(colon + 1, at, "password"); !pw) return std::move(pw).error();
      out_.has_password = true;
    }
    pos_ = at + 1;
    return {};
  }

  Status parse_hosts() {
    for (;;) {
      HostPort hp;
      if (pos_ < url_.size() && url_[pos_] == '[') {
        const auto close = url_.find(']', pos_);
        if (close == std::string_view::npos) return fail(pos_, "'[' of an IPv6 address without its ']'");
        const auto inside = url_.substr(pos_ + 1, close - pos_ - 1);
        if (inside.empty()) return fail(pos_, "empty IPv6 address '[]'");
        for (std::size_t i = 0; i < inside.size(); ++i) {
          const char c = inside[i];
          if (hex_value(c) < 0 && c != ':' && c != '.' && c != '%')
            return fail(pos_ + 1 + i, "invalid character in an IPv6 address");
        }
        hp.host = std::string(inside);
        pos_ = close + 1;
        if (pos_ < url_.size() && std::string_view(":/?,").find(url_[pos_]) == std::string_view::npos)
          return fail(pos_,
                      "unexpected character after an IPv6 address; expected ':', '/', '?', ',' or the end");
      } else {
        const std::size_t begin = pos_;
        while (pos_ < url_.size() && std::string_view(":/?,").find(url_[pos_]) == std::string_view::npos) {
          const char c = url_[pos_];
          if (c == '@') return fail(pos_, "'@' in the host; percent-encode '@' in a password as %40");
          if (!is_host_char(c)) return fail(pos_, "invalid character in the host name");
          ++pos_;
        }
        auto host = decode(begin, pos_, "host");
        if (!host) return std::move(host).error();
        hp.host = std::move(host).value();
      }
      if (pos_ < url_.size() && url_[pos_] == ':') {
        const std::size_t begin = ++pos_;
        while (pos_ < url_.size() && std::string_view("/?,").find(url_[pos_]) == std::string_view::npos)
          ++pos_;
        const auto digits = url_.substr(begin, pos_ - begin);
        if (digits.empty()) return fail(begin - 1, "':' without a port number");
        if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
          return fail(begin, "the port is not a number");
        if (digits.size() > 5 || std::stoi(std::string(digits)) > kMaxPort ||
            std::stoi(std::string(digits)) == 0)
          return fail(begin, "port " + std::string(digits) + " is out of range (1-65535)");
        hp.port = std::stoi(std::string(digits));
      }
      out_.hosts.push_back(std::move(hp));
      if (pos_ < url_.size() && url_[pos_] == ',') {
        ++pos_;
        continue;
      }
      return {};
    }
  }

  Status parse_params() {
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> defaults(PQconndefaults(), &PQconninfoFree);
    auto known = [&](const std::string& key) {
      if (key == "ssl") return true;  // libpq maps ssl=true to sslmode=require
      for (auto* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o)
        if (key == o->keyword) return true;
      return false;
    };
    std::size_t begin = pos_ + 1;
    while (begin <= url_.size()) {
      auto end = url_.find('&', begin);
      if (end == std::string_view::npos) end = url_.size();
      const auto eq = url_.substr(0, end).find('=', begin);
      if (eq == std::string_view::npos)
        return fail(begin, "query parameter without '=' (expected key=value)");
      if (eq == begin) return fail(begin, "query parameter with an empty name");
      if (url_.substr(0, end).find('=', eq + 1) != std::string_view::npos)
        return fail(url_.find('=', eq + 1), "second '=' in a query parameter; percent-encode it as %3D");
      auto key = decode(begin, eq, "parameter name");
      if (!key) return std::move(key).error();
      if (!known(key.value()))
        return fail(begin,
                    "unknown query parameter '" + key.value() + "' (not a libpq connection parameter)");
      if (key.value() == "password") exact_spans_.push_back({eq + 1, end});
      auto value = decode(eq + 1, end, "value of " + key.value());
      if (!value) return std::move(value).error();
      if (key.value() != "password")
        out_.params.emplace_back(std::move(key).value(), std::move(value).value());
      else
        out_.has_password = true;
      begin = end + 1;
    }
    return {};
  }

  std::string_view url_;
  std::vector<Span> spans_;
  std::vector<Span> exact_spans_;
  std::size_t pos_ = 0;
  DatabaseUrl out_;
};

}  // namespace

std::string DatabaseUrl::where() const {
  std::string host_list;
  std::string param_host;
  std::string param_port;
  for (const auto& [k, v] : params) {
    if (k == "host" || k == "hostaddr") param_host = v;
    if (k == "port") param_port = v;
  }
  for (const auto& hp : hosts) {
    if (!host_list.empty()) host_list += ',';
    std::string host = hp.host.empty() ? param_host : hp.host;
    if (host.empty()) host = "local socket";
    host_list += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (hp.port)
      host_list += ":" + std::to_string(*hp.port);
    else if (!param_port.empty())
      host_list += ":" + param_port;
  }
  return host_list + "/" +
         (database.empty() ? (user.empty() ? std::string("(default database)") : user) : database);
}

std::string redact_database_url(std::string_view url) {
  return apply_mask(url, conservative_secret_spans(url));
}

namespace detail {
std::string mask_secrets_in(std::string message, std::string_view url) {
  auto mask = [&](const std::string& secret) {
    if (secret.empty()) return;
    for (auto p = message.find(secret); p != std::string::npos; p = message.find(secret, p + kMask.size()))
      message.replace(p, secret.size(), kMask);
  };
  for (const auto& s : conservative_secret_spans(url)) {
    const auto raw = url.substr(s.begin, s.end - s.begin);
    mask(std::string(raw));
    // libpq quotes decoded text: mask the password as it decodes too.
    std::string decoded;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 && hex_value(raw[i + 2]) >= 0) {
        decoded.push_back(static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2])));
        i += 2;
      } else {
        decoded.push_back(raw[i]);
      }
    }
    mask(decoded);
  }
  return message;
}
}  // namespace detail

Result<DatabaseUrl> validate_database_url(std::string_view url) {
  Parser parser(url);
  auto parsed = parser.parse();
  if (!parsed) return parsed;
  // libpq has the last word. Its message may quote parts of the URL: mask the password in it.
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(url).c_str(), &err);
  if (options != nullptr) {
    PQconninfoFree(options);
    return parsed;
  }
  std::string message = err != nullptr ? err : "out of memory";
  if (err != nullptr) PQfreemem(err);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  message = detail::mask_secrets_in(std::move(message), url);
  return make_error("InvalidDatabaseUrl",
                    "invalid database URL " + parsed->redacted + ": libpq rejects it: " + message);
}

}  // namespace dwh::pg
