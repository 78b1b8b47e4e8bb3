#pragma once
// Environment isolation for tests of configuration that comes from the environment.
// ScopedAwsEnv removes every AWS_* variable and points HOME at a fresh empty directory, so the
// developer's own ~/.aws and credentials never leak into a test; the destructor puts everything
// back. gtest runs a binary's tests in one process (ctest runs each in its own), so a test must
// not leave the environment changed. Not thread-safe: set variables before starting threads.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "process.hpp"

extern char** environ;

namespace dwh::test {

class ScopedAwsEnv {
 public:
  ScopedAwsEnv() {
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string entry(*e);
      auto eq = entry.find('=');
      if (eq == std::string::npos) continue;
      std::string name = entry.substr(0, eq);
      if (name.starts_with("AWS_")) saved_.emplace(name, entry.substr(eq + 1));
    }
    for (const auto& [name, value] : saved_) ::unsetenv(name.c_str());
    remember("HOME");
    home_ = make_temp_dir("aws-env");
    ::setenv("HOME", home_.c_str(), 1);
  }
  ~ScopedAwsEnv() {
    for (char** e = environ; e != nullptr && *e != nullptr;) {
      std::string entry(*e);
      std::string name = entry.substr(0, entry.find('='));
      if (name.starts_with("AWS_") && !saved_.contains(name)) {
        ::unsetenv(name.c_str());  // shifts environ: look at the same slot again
        continue;
      }
      ++e;
    }
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }
  ScopedAwsEnv(const ScopedAwsEnv&) = delete;
  ScopedAwsEnv& operator=(const ScopedAwsEnv&) = delete;

  void set(const std::string& name, const std::string& value) {
    remember(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name) {
    remember(name);
    ::unsetenv(name.c_str());
  }

  // The temporary HOME; ~/.aws/config and ~/.aws/credentials resolve inside it.
  const std::string& home() const { return home_; }

  // Writes `text` to `relative` under HOME (creating directories) and returns the full path.
  std::string write_file(const std::string& relative, const std::string& text) const {
    std::filesystem::path path = std::filesystem::path(home_) / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

 private:
  void remember(const std::string& name) {
    if (saved_.contains(name)) return;
    const char* v = std::getenv(name.c_str());
    saved_.emplace(name, v == nullptr ? std::nullopt : std::optional<std::string>(v));
  }

  std::map<std::string, std::optional<std::string>> saved_;  // value before the test; nullopt: unset
  std::string home_;
};

}  // namespace dwh::test
