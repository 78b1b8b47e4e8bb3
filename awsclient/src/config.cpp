// The shared config and credentials files: locating, reading and parsing them.
//
// Hand-written because no Debian package parses this dialect: it is INI as Python's
// configparser reads it (botocore's parser), plus the SDKs' nested "key =" blocks.
// Rules, following botocore 1.29 unless noted:
//   - full-line comments start with '#' or ';'; values keep any '#' or ';' they contain;
//   - "key = value" or "key: value" (the first delimiter wins); keys are lower-cased,
//     keys and values trimmed;
//   - a line indented deeper than the key before it continues that key: when the key's
//     value is empty the block holds "sub = value" pairs (kept as "key.sub"), otherwise
//     the line is appended to the value after a newline;
//   - "[name]" section headers, optionally followed by a comment; the name is trimmed
//     (botocore keeps the spaces, so its "[ default ]" is no profile at all);
//   - a repeated section or key merges, the later value winning (botocore refuses
//     duplicates; the SDKs' shared-file spec merges them, which is kinder);
//   - of [default] and [profile default], the one appearing first in the file is replaced
//     by the other, as botocore's profile map does.
// Errors name the file and line but never quote the line: it may hold a secret.
#include "dwh/aws/config.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "dwh/core/strings.hpp"

namespace dwh::aws {
namespace {

constexpr std::string_view kWhitespace = " \t\r\f\v";
constexpr std::string_view kParseErrorCode = "ConfigParseError";

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

std::size_t indent_of(std::string_view line) {
  auto n = line.find_first_not_of(" \t");
  return n == std::string_view::npos ? line.size() : n;
}

Error parse_error(std::string_view source, std::size_t line_no, std::string_view reason) {
  return make_error(std::string(kParseErrorCode),
                    std::string(source) + ":" + std::to_string(line_no) + ": " + std::string(reason));
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  while (true) {
    auto b = s.find_first_not_of(kWhitespace);
    if (b == std::string_view::npos) break;
    s = s.substr(b);
    auto e = s.find_first_of(kWhitespace);
    words.push_back(s.substr(0, e));
    if (e == std::string_view::npos) break;
    s = s.substr(e);
  }
  return words;
}

// "[profile x]" -> "x" when the section is `prefix` followed by exactly one name.
std::optional<std::string> prefixed_name(std::string_view section, std::string_view prefix) {
  auto words = split_words(section);
  if (words.size() != 2 || words[0] != prefix) return std::nullopt;
  return std::string(words[1]);
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string home_dir() {
  if (auto home = env_or_empty("HOME"); !home.empty()) return home;
  if (const passwd* pw = getpwuid(getuid()); pw != nullptr && pw->pw_dir != nullptr) return pw->pw_dir;
  return ".";
}

std::string expand_home(std::string path) {
  if (path == "~" || path.starts_with("~/")) return home_dir() + path.substr(1);
  return path;
}

struct FileText {
  bool exists = false;
  std::string text;
};

Result<FileText> read_optional_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return FileText{};
    return make_error("ConfigReadError", "cannot read " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    return make_error("ConfigReadError", "cannot read " + path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("ConfigReadError", "cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  return FileText{true, buf.str()};
}

// botocore's build_profile_map: [default] and [profile x]; when two sections name the same
// profile ([default] and [profile default]), the one appearing later replaces the other.
std::map<std::string, Profile> config_profiles_of(
    const std::vector<std::pair<std::string, Profile>>& sections) {
  std::map<std::string, Profile> profiles;
  for (const auto& [name, values] : sections) {
    if (name == "default") {
      profiles["default"] = values;
    } else if (auto profile = prefixed_name(name, "profile")) {
      profiles[*profile] = values;
    }
  }
  return profiles;
}

}  // namespace

std::string active_profile_name() {
  auto name = env_or_empty("AWS_PROFILE");
  return name.empty() ? "default" : name;
}

std::string config_file_path() {
  auto path = env_or_empty("AWS_CONFIG_FILE");
  return expand_home(path.empty() ? "~/.aws/config" : path);
}

std::string credentials_file_path() {
  auto path = env_or_empty("AWS_SHARED_CREDENTIALS_FILE");
  return expand_home(path.empty() ? "~/.aws/credentials" : path);
}

namespace {

// Sections in the order they first appear: which of [default] and [profile default] wins
// depends on it, as in botocore.
using OrderedSections = std::vector<std::pair<std::string, Profile>>;

Result<OrderedSections> parse_sections_in_order(std::string_view text, std::string_view source_name) {
  OrderedSections sections;
  Profile* section = nullptr;
  std::string key;  // the last key seen in this section, for continuation lines
  std::size_t key_indent = 0;
  bool nested = false;  // the last key's value was empty: its block holds sub-keys

  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line_no == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);  // UTF-8 BOM
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    std::size_t indent = indent_of(raw);

    if (section != nullptr && !key.empty() && indent > key_indent) {
      if (nested) {
        auto eq = line.find('=');
        if (eq == std::string_view::npos)
          return parse_error(source_name, line_no,
                             "expected 'name = value' in the block under '" + key + "'");
        auto sub = core::lower(trim(line.substr(0, eq)));
        if (sub.empty())
          return parse_error(source_name, line_no, "empty name in the block under '" + key + "'");
        (*section)[std::string(key).append(".").append(sub)] = std::string(trim(line.substr(eq + 1)));
      } else {
        (*section)[key] += "\n" + std::string(line);
      }
      continue;
    }

    if (line.front() == '[') {
      auto close = line.find(']');
      if (close == std::string_view::npos)
        return parse_error(source_name, line_no, "section header lacks ']'");
      std::string_view after = trim(line.substr(close + 1));
      if (!after.empty() && after.front() != '#' && after.front() != ';') {
        return parse_error(source_name, line_no, "unexpected text after the section header");
      }
      std::string name(trim(line.substr(1, close - 1)));
      if (name.empty()) return parse_error(source_name, line_no, "empty section name");
      auto existing =
          std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.first == name; });
      section =
          existing != sections.end() ? &existing->second : &sections.emplace_back(name, Profile{}).second;
      key.clear();
      nested = false;
      continue;
    }

    auto delim = line.find_first_of("=:");
    if (delim == std::string_view::npos) {
      return parse_error(source_name, line_no, "expected '[section]', 'name = value' or a comment");
    }
    if (section == nullptr) return parse_error(source_name, line_no, "setting before any [section] header");
    key = core::lower(trim(line.substr(0, delim)));
    if (key.empty()) return parse_error(source_name, line_no, "setting with an empty name");
    std::string value(trim(line.substr(delim + 1)));
    nested = value.empty();
    key_indent = indent;
    // A repeated key replaces the old value and any sub-keys it had.
    for (auto it = section->lower_bound(key + ".");
         it != section->end() && it->first.starts_with(key + ".");) {
      it = section->erase(it);
    }
    (*section)[key] = std::move(value);
  }
  return sections;
}

}  // namespace

Result<std::map<std::string, Profile>> parse_ini_sections(std::string_view text,
                                                          std::string_view source_name) {
  auto ordered = parse_sections_in_order(text, source_name);
  if (!ordered) return std::move(ordered).error();
  return std::map<std::string, Profile>(ordered->begin(), ordered->end());
}

Result<std::map<std::string, Profile>> parse_ini_profiles(std::string_view text, bool config_file,
                                                          std::string_view source_name) {
  auto sections = parse_sections_in_order(text, source_name);
  if (!sections) return std::move(sections).error();
  if (!config_file) return std::map<std::string, Profile>(sections->begin(), sections->end());
  return config_profiles_of(sections.value());
}

std::optional<Profile> SharedConfig::merged_profile(const std::string& name) const {
  auto cfg = config_profiles.find(name);
  auto creds = credentials_profiles.find(name);
  if (cfg == config_profiles.end() && creds == credentials_profiles.end()) return std::nullopt;
  Profile merged;
  if (cfg != config_profiles.end()) merged = cfg->second;
  if (creds != credentials_profiles.end()) {
    for (const auto& [k, v] : creds->second) merged[k] = v;
  }
  return merged;
}

Result<SharedConfig> load_shared_config() {
  SharedConfig out;
  out.config_path = config_file_path();
  out.credentials_path = credentials_file_path();

  auto config_text = read_optional_file(out.config_path);
  if (!config_text) return std::move(config_text).error();
  out.config_exists = config_text->exists;
  if (out.config_exists) {
    auto sections = parse_sections_in_order(config_text->text, out.config_path);
    if (!sections) return std::move(sections).error();
    for (const auto& [name, values] : *sections) {
      if (auto services = prefixed_name(name, "services")) out.services[*services] = values;
    }
    out.config_profiles = config_profiles_of(*sections);
  }

  auto creds_text = read_optional_file(out.credentials_path);
  if (!creds_text) return std::move(creds_text).error();
  out.credentials_exists = creds_text->exists;
  if (out.credentials_exists) {
    auto profiles = parse_ini_profiles(creds_text->text, false, out.credentials_path);
    if (!profiles) return std::move(profiles).error();
    out.credentials_profiles = std::move(profiles).value();
  }
  return out;
}

std::optional<Profile> load_config_profile(const std::string& name) {
  auto shared = load_shared_config();
  if (!shared) return std::nullopt;
  auto it = shared->config_profiles.find(name);
  if (it == shared->config_profiles.end()) return std::nullopt;
  return it->second;
}

std::optional<Profile> load_credentials_profile(const std::string& name) {
  auto shared = load_shared_config();
  if (!shared) return std::nullopt;
  auto it = shared->credentials_profiles.find(name);
  if (it == shared->credentials_profiles.end()) return std::nullopt;
  return it->second;
}

}  // namespace dwh::aws
