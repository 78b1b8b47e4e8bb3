#include "dwh/model/toml_file.hpp"

#include <algorithm>
#include <set>
#include <sstream>

namespace dwh::model::detail {
namespace {

std::string_view kind_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string key_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

bool is_identifier(std::string_view name) {
  if (name.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

TomlFile::TomlFile(const std::filesystem::path& path, std::string display_name)
    : name_(std::move(display_name)) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ModelFileError(name_ + ": no such file");
  try {
    root_ = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << name_ << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    throw ModelFileError(msg.str());
  }
}

void TomlFile::fail(std::string_view key, std::string_view message, const toml::node* at) const {
  std::string msg = name_;
  msg += ": ";
  if (!key.empty()) {
    msg += key;
    msg += ": ";
  }
  msg += message;
  if (at && at->source().begin.line > 0) msg += " (line " + std::to_string(at->source().begin.line) + ")";
  throw ModelFileError(msg);
}

void TomlFile::check_keys(const toml::table& t, std::string_view path,
                          std::initializer_list<std::string_view> allowed) const {
  for (auto&& [k, v] : t) {
    const std::string_view key = k.str();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string msg = "unknown key '" + std::string(key) + "'";
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only near misses
    for (std::string_view a : allowed) {
      const std::size_t d = edit_distance(key, a);
      if (d < best_distance) best_distance = d, best = a;
    }
    if (!best.empty()) msg += " (did you mean '" + std::string(best) + "'?)";
    fail(key_path(path, key), msg, &v);
  }
}

std::optional<std::string> TomlFile::string(const toml::table& t, std::string_view path, std::string_view key,
                                            bool required) const {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(key_path(path, key), "missing (required)", &t);
    return std::nullopt;
  }
  if (!n->is_string()) fail(key_path(path, key), "must be a string, not " + std::string(kind_name(*n)), n);
  return n->as_string()->get();
}

bool TomlFile::boolean(const toml::table& t, std::string_view path, std::string_view key,
                       bool fallback) const {
  const toml::node* n = t.get(key);
  if (!n) return fallback;
  if (!n->is_boolean())
    fail(key_path(path, key), "must be true or false, not " + std::string(kind_name(*n)), n);
  return n->as_boolean()->get();
}

std::vector<std::string> TomlFile::string_list(const toml::table& t, std::string_view path,
                                               std::string_view key, bool required) const {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(key_path(path, key), "missing (required)", &t);
    return out;
  }
  const toml::array* a = n->as_array();
  if (!a) fail(key_path(path, key), "must be a list of strings, not " + std::string(kind_name(*n)), n);
  for (const toml::node& e : *a) {
    if (!e.is_string())
      fail(key_path(path, key), "must be a list of strings; found " + std::string(kind_name(e)), &e);
    std::string s = e.as_string()->get();
    if (std::find(out.begin(), out.end(), s) != out.end())
      fail(key_path(path, key), "'" + s + "' listed twice", &e);
    out.push_back(std::move(s));
  }
  if (out.empty() && required) fail(key_path(path, key), "must not be empty", n);
  return out;
}

const toml::table* TomlFile::table(const toml::table& t, std::string_view path, std::string_view key,
                                   bool required) const {
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(key_path(path, key), "missing (required)", &t);
    return nullptr;
  }
  if (!n->is_table()) fail(key_path(path, key), "must be a table, not " + std::string(kind_name(*n)), n);
  return n->as_table();
}

std::vector<const toml::table*> TomlFile::table_array(const toml::table& t, std::string_view path,
                                                      std::string_view key, bool required) const {
  std::vector<const toml::table*> out;
  const toml::node* n = t.get(key);
  if (!n) {
    if (required) fail(key_path(path, key), "missing (required)", &t);
    return out;
  }
  const toml::array* a = n->as_array();
  if (!a) fail(key_path(path, key), "must be an array of tables, not " + std::string(kind_name(*n)), n);
  for (const toml::node& e : *a) {
    if (!e.is_table())
      fail(key_path(path, key), "must be an array of tables; found " + std::string(kind_name(e)), &e);
    out.push_back(e.as_table());
  }
  if (out.empty() && required) fail(key_path(path, key), "must not be empty", n);
  return out;
}

std::vector<std::pair<std::string, const toml::node*>> keys_in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& sa = a.second->source().begin;
    const auto& sb = b.second->source().begin;
    return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
  });
  return out;
}

}  // namespace dwh::model::detail
