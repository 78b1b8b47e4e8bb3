#pragma once
// Reading model files (TOML) strictly: every key known, every value of the expected kind, and
// every error naming the file, the key path and the line. Private to the loader.
//
// A model error stops the whole job before any data is read, so the readers throw
// ModelFileError and load_dataset() turns it into one Result error ("ModelError").
#include <toml++/toml.h>

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dwh::model::detail {

class ModelFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string key_path(std::string_view parent, std::string_view key);

// [A-Za-z_][A-Za-z0-9_]*: table and column names as SQL and Parquet readers take them unquoted.
bool is_identifier(std::string_view name);

class TomlFile {
 public:
  // Parses the file; a syntax error or a missing file throws ModelFileError.
  TomlFile(const std::filesystem::path& path, std::string display_name);

  [[nodiscard]] const toml::table& root() const { return root_; }
  [[nodiscard]] const std::string& name() const { return name_; }

  // "<file>: <key>: <message> (line N)". Throws.
  [[noreturn]] void fail(std::string_view key, std::string_view message,
                         const toml::node* at = nullptr) const;

  // Rejects any key of `t` not in `allowed` (typos), suggesting the closest allowed key.
  void check_keys(const toml::table& t, std::string_view path,
                  std::initializer_list<std::string_view> allowed) const;

  // Typed getters: `path` is the key path of `t`. A present key of the wrong kind always fails;
  // a missing required key fails; a missing optional one gives nullopt / the default.
  [[nodiscard]] std::optional<std::string> string(const toml::table& t, std::string_view path,
                                                  std::string_view key, bool required) const;
  [[nodiscard]] bool boolean(const toml::table& t, std::string_view path, std::string_view key,
                             bool fallback) const;
  // A list of strings, no duplicates; a required list must not be empty.
  [[nodiscard]] std::vector<std::string> string_list(const toml::table& t, std::string_view path,
                                                     std::string_view key, bool required) const;
  [[nodiscard]] const toml::table* table(const toml::table& t, std::string_view path, std::string_view key,
                                         bool required) const;
  // An array whose every element is a table (`[[key]]` or `key = [ {..}, {..} ]`).
  [[nodiscard]] std::vector<const toml::table*> table_array(const toml::table& t, std::string_view path,
                                                            std::string_view key, bool required) const;

 private:
  std::string name_;
  toml::table root_;
};

// toml++ keeps a table's keys sorted; this gives them in the order the file wrote them.
std::vector<std::pair<std::string, const toml::node*>> keys_in_file_order(const toml::table& t);

}  // namespace dwh::model::detail
