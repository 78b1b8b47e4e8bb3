#include "dwh/pg/sql_quote.hpp"

namespace dwh::pg {
namespace {

// `text` between two `quote`s, each quote inside doubled.
std::string quoted(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string sql_literal(std::string_view text) {
  return quoted(text, '\'');
}

std::string sql_identifier(std::string_view name) {
  return quoted(name, '"');
}

}  // namespace dwh::pg
