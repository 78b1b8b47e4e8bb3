#include "spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <string_view>

extern char** environ;

namespace dwh::local::detail {
namespace fs = std::filesystem;
namespace {

constexpr const char* kServerUserName = "postgres";
constexpr int kExecFailed = 127;
constexpr int kSetupFailed = 126;

std::string errno_text(int err) {
  return std::strerror(err);
}

// The child's environment: ours, but with messages in English, so that the server's log reads
// the same everywhere (we look for phrases in it).
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("LC_") || entry.starts_with("LANG=") || entry.starts_with("LANGUAGE=")) continue;
    env.emplace_back(entry);
  }
  env.emplace_back("LC_ALL=C");
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// After fork(): only async-signal-safe calls (other threads may hold the malloc lock).
[[noreturn]] void exec_child(const SpawnSpec& spec, char* const* argv, char* const* envp, pid_t parent,
                             int in_fd, int out_fd) {
  if (spec.user.switch_user) {
    const gid_t gid = spec.user.gid;
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(spec.user.uid) != 0) _exit(kSetupFailed);
  }
  // Set after the user switch, which would clear it.
  if (spec.die_with_parent) {
    prctl(PR_SET_PDEATHSIG, SIGQUIT);
    if (getppid() != parent) _exit(0);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  if (in_fd >= 0) dup2(in_fd, 0);
  if (out_fd >= 0) {
    dup2(out_fd, 1);
    dup2(out_fd, 2);
  }
  // Nothing else leaks into the server: an inherited pipe would keep a caller waiting for EOF.
  close_range(3, ~0U, 0);
  if (chdir("/") != 0) _exit(kSetupFailed);
  execve(argv[0], argv, envp);
  _exit(kExecFailed);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

Status check_executable(const std::string& path) {
  if (access(path.c_str(), X_OK) == 0) return {};
  return make_error("PostgresNotInstalled",
                    path +
                        " not found: install the Debian package `postgresql` (PostgreSQL 15 server), "
                        "or set DWH_PG_BIN_DIR to the directory holding initdb, pg_ctl and postgres");
}

}  // namespace

Result<ServerUser> server_user() {
  ServerUser user;
  if (geteuid() != 0) {
    user.uid = geteuid();
    user.gid = getegid();
    const passwd* pw = getpwuid(user.uid);
    user.name = pw != nullptr ? pw->pw_name : std::to_string(user.uid);
    return user;
  }
  const passwd* pw = getpwnam(kServerUserName);
  if (pw == nullptr)
    return make_error("PostgresNotInstalled",
                      "running as root needs the OS user `postgres` to run PostgreSQL (root may not); "
                      "installing the Debian package `postgresql` creates it");
  user.switch_user = true;
  user.uid = pw->pw_uid;
  user.gid = pw->pw_gid;
  user.name = kServerUserName;
  return user;
}

Result<CommandResult> run_command(const SpawnSpec& spec) {
  if (auto s = check_executable(spec.argv.at(0)); !s) return std::move(s).error();
  auto args = spec.argv;
  auto env = child_environment();
  auto argv = pointers(args);
  auto envp = pointers(env);
  // stdin is a socket, not a pipe: send(MSG_NOSIGNAL) to a child that exited early fails with
  // EPIPE instead of raising SIGPIPE, which would kill us.
  int in_pipe[2];
  int out_pipe[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_pipe) != 0)
    return make_error("LocalIOError", "socketpair: " + errno_text(errno));
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    return make_error("LocalIOError", "pipe: " + errno_text(errno));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) close(fd);
    return make_error("LocalIOError", "fork: " + errno_text(errno));
  }
  if (pid == 0) exec_child(spec, argv.data(), envp.data(), parent, in_pipe[0], out_pipe[1]);
  close(in_pipe[0]);
  close(out_pipe[1]);
  int in_fd = in_pipe[1];
  // Non-blocking writes so a child that talks before it reads cannot deadlock us.
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (spec.stdin_text.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  CommandResult result;
  char buf[16384];
  for (;;) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
    if (poll(fds, in_fd >= 0 ? 2 : 1, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      const ssize_t n =
          send(in_fd, spec.stdin_text.data() + written, spec.stdin_text.size() - written, MSG_NOSIGNAL);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = spec.stdin_text.size();  // child closed stdin
      if (written == spec.stdin_text.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = read(out_pipe[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      result.output.append(buf, static_cast<std::size_t>(n));
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = decode_status(status);
  if (result.exit_code == kSetupFailed && result.output.empty())
    return make_error("LocalIOError",
                      "could not switch to user " + spec.user.name + " to run " + spec.argv[0]);
  return result;
}

Result<pid_t> spawn_background(const SpawnSpec& spec) {
  if (auto s = check_executable(spec.argv.at(0)); !s) return std::move(s).error();
  auto args = spec.argv;
  auto env = child_environment();
  auto argv = pointers(args);
  auto envp = pointers(env);
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    if (null_fd >= 0) close(null_fd);
    return make_error("LocalIOError", "fork: " + errno_text(errno));
  }
  if (pid == 0) exec_child(spec, argv.data(), envp.data(), parent, null_fd, spec.output_fd);
  if (null_fd >= 0) close(null_fd);
  return pid;
}

Status chown_to(const fs::path& path, const ServerUser& user, bool recursive) {
  if (!user.switch_user) return {};
  auto one = [&](const fs::path& p) -> Status {
    if (lchown(p.c_str(), user.uid, user.gid) != 0)
      return make_error("LocalIOError",
                        "cannot give " + p.string() + " to user " + user.name + ": " + errno_text(errno));
    return {};
  };
  if (auto s = one(path); !s) return s;
  if (!recursive) return {};
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (auto s = one(it->path()); !s) return s;
  if (ec) return make_error("LocalIOError", "cannot list " + path.string() + ": " + ec.message());
  return {};
}

Status check_reachable(const fs::path& path, const ServerUser& user) {
  if (!user.switch_user) return {};
  // Walk from the root: each directory above `path` needs search permission for the user.
  fs::path walked;
  for (const auto& part : fs::absolute(path).parent_path()) {
    walked /= part;
    struct stat st {};
    if (stat(walked.c_str(), &st) != 0) continue;
    mode_t bit = S_IXOTH;
    if (st.st_uid == user.uid)
      bit = S_IXUSR;
    else if (st.st_gid == user.gid)
      bit = S_IXGRP;
    if ((st.st_mode & bit) == 0)
      return make_error("PermissionDenied", "PostgreSQL runs as user " + user.name + ", who cannot enter " +
                                                walked.string() + " on the way to " + path.string() +
                                                "; allow it (chmod o+x " + walked.string() +
                                                ") or choose a directory elsewhere");
  }
  return {};
}

std::string file_tail(const fs::path& path, std::size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> tail;
  for (std::string line; std::getline(in, line);) {
    tail.push_back(std::move(line));
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

}  // namespace dwh::local::detail
