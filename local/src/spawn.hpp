#pragma once
// Running PostgreSQL's programs (initdb, pg_ctl, postgres) from a possibly multi-threaded
// process. Internal to dwh::local.
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::local::detail {

// The OS user the server runs as. PostgreSQL refuses to run as root, so as root it is `postgres`;
// otherwise it is whoever we are.
struct ServerUser {
  bool switch_user = false;  // true when we are root and must drop to `postgres`
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
Result<ServerUser> server_user();

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  ServerUser user;
  std::string stdin_text;        // fed to the child's stdin (run_command only)
  bool die_with_parent = false;  // SIGQUIT (PostgreSQL's immediate shutdown) when this thread dies
  int output_fd = -1;            // spawn_background: where stdout and stderr go
};

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // stdout and stderr, interleaved
};

// Runs to completion and captures the output. Errors only when the program cannot be started.
Result<CommandResult> run_command(const SpawnSpec& spec);

// Starts the child and returns its pid without waiting.
Result<pid_t> spawn_background(const SpawnSpec& spec);

// Gives `path` (and, with recursive, everything under it) to the server user.
Status chown_to(const std::filesystem::path& path, const ServerUser& user, bool recursive);

// An error naming the first directory on the way to `path` that `user` cannot enter, if any.
Status check_reachable(const std::filesystem::path& path, const ServerUser& user);

// The last `lines` lines of a text file ("" when unreadable).
std::string file_tail(const std::filesystem::path& path, std::size_t lines);

}  // namespace dwh::local::detail
