#pragma once
// Test helpers for running child processes and finding free loopback ports.
#include <map>
#include <string>
#include <vector>

namespace dwh::test {

struct ProcessResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv[0] with arguments, extra environment entries set (value "\x01unset" removes one),
// optional stdin text. Blocks until the child exits.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          const std::string& stdin_text = {});

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

// A fresh directory under the build tree's tmp, removed by the caller if wanted.
std::string make_temp_dir(const std::string& prefix);

inline constexpr const char* kUnsetEnv = "\x01unset";

}  // namespace dwh::test
