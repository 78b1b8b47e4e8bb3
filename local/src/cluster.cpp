#include "dwh/local/cluster.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <thread>

#include "spawn.hpp"

namespace dwh::local {
namespace fs = std::filesystem;
using detail::ServerUser;
using detail::SpawnSpec;

namespace {

constexpr const char* kDebianBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char* kSuperuser = "postgres";
// Bump when initialise() or the settings change what a template holds.
constexpr const char* kTemplateName = "pg15-template-v3";
constexpr int kPortAttempts = 5;
constexpr std::size_t kLogTailLines = 20;
constexpr auto kPollInterval = std::chrono::milliseconds(2);
constexpr auto kStopTimeout = std::chrono::seconds(30);

// For throwaway clusters only: durability off.
constexpr const char* kThrowawaySettings =
    "\n# dwh: a throwaway cluster. Durability is off: a crash may lose or corrupt data.\n"
    "listen_addresses = '127.0.0.1'\n"
    "fsync = off\n"
    "synchronous_commit = off\n"
    "full_page_writes = off\n";

// Fields of postmaster.pid, one per line (PostgreSQL's pidfile.h).
enum PidFileLine { kPidLine = 0, kPortLine = 3, kSocketDirLine = 4, kStatusLine = 7 };

SpawnSpec command(std::vector<std::string> argv, const ServerUser& user) {
  SpawnSpec spec;
  spec.argv = std::move(argv);
  spec.user = user;
  return spec;
}

Error io_error(const std::string& what, const std::error_code& ec) {
  return make_error("LocalIOError", what + ": " + ec.message());
}

Result<int> free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error("LocalIOError", std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    close(fd);
    return make_error("LocalIOError", std::string("no free port on 127.0.0.1: ") + std::strerror(err));
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// Quoted for the shell that pg_ctl hands its -o options to.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uintmax_t file_size_or_zero(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

// What the server logged since `offset`: its last lines.
std::string log_since(const fs::path& log, std::uintmax_t offset) {
  std::string text = read_text(log);
  text = offset < text.size() ? text.substr(offset) : std::string();
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string out;
  const std::size_t from = lines.size() > kLogTailLines ? lines.size() - kLogTailLines : 0;
  for (std::size_t i = from; i < lines.size(); ++i) out += "  " + lines[i] + "\n";
  return out;
}

bool port_was_taken(const std::string& log_text) {
  return log_text.find("Address already in use") != std::string::npos ||
         log_text.find("could not create any TCP/IP sockets") != std::string::npos;
}

Status check_socket_path(const fs::path& socket_dir) {
  const std::string longest = (socket_dir / ".s.PGSQL.65535.lock").string();
  if (longest.size() < sizeof(sockaddr_un{}.sun_path)) return {};
  return make_error("PathTooLong", "the unix socket path under " + socket_dir.string() + " would exceed " +
                                       std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                       " characters; choose a shorter data directory");
}

std::vector<std::string> pid_file_lines(const fs::path& data_dir) {
  std::vector<std::string> lines;
  std::ifstream in(data_dir / "postmaster.pid");
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool process_alive(int pid) {
  return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

Result<std::string> run_checked(const SpawnSpec& spec, const std::string& what) {
  auto r = detail::run_command(spec);
  if (!r) return std::move(r).error();
  if (r->exit_code != 0)
    return make_error("ClusterStartFailed",
                      what + " failed (exit " + std::to_string(r->exit_code) + "):\n" + r->output);
  return std::move(r->output);
}

// initdb, the throwaway settings, and the databases (created in single-user mode, which
// needs no port and no running server).
enum class WalSegments { Default, Small };

Status initialise(const fs::path& dir, const fs::path& bin_dir, const std::vector<std::string>& databases,
                  const ServerUser& user, WalSegments wal = WalSegments::Default) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir.string(), ec);
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) return io_error("cannot set permissions on " + dir.string(), ec);
  if (auto s = detail::check_reachable(dir, user); !s) return s;
  if (auto s = detail::chown_to(dir, user, false); !s) return s;
  SpawnSpec initdb = command({(bin_dir / "initdb").string(), "-D", dir.string(), "-U", kSuperuser, "-A",
                              "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                             user);
  // A template is copied for every test cluster: 1 MB WAL segments instead of 16 make it a
  // third smaller, and the copy is most of a test cluster's start-up time.
  if (wal == WalSegments::Small) initdb.argv.push_back("--wal-segsize=1");
  if (auto r = run_checked(initdb, "initdb -D " + dir.string()); !r) return std::move(r).error();
  {
    std::ofstream conf(dir / "postgresql.conf", std::ios::app);
    conf << kThrowawaySettings;
    if (!conf) return make_error("LocalIOError", "cannot write " + (dir / "postgresql.conf").string());
  }
  if (databases.empty()) return {};
  std::string sql;
  // FILE_COPY copies the files and logs almost nothing; PostgreSQL 15's default (WAL_LOG)
  // would write each database into the WAL, which the template would then carry around.
  for (const auto& db : databases) sql += "CREATE DATABASE \"" + db + "\" STRATEGY = FILE_COPY;\n";
  SpawnSpec single = command({(bin_dir / "postgres").string(), "--single", "-D", dir.string(), "-c",
                              "exit_on_error=on", "-c", "fsync=off", "postgres"},
                             user);
  // Its closing checkpoint then deletes spent WAL segments instead of keeping them for reuse.
  if (wal == WalSegments::Small) single.argv.insert(single.argv.end() - 1, {"-c", "min_wal_size=2MB"});
  single.stdin_text = sql;
  auto r = run_checked(single, "creating databases in " + dir.string());
  if (!r) return std::move(r).error();
  return {};
}

Status copy_template(const fs::path& template_dir, const fs::path& data_dir) {
  std::error_code ec;
  fs::remove(data_dir, ec);  // only if empty: cp must create it, not copy into it
  fs::create_directories(data_dir.parent_path(), ec);
  // As root, cp -a keeps the files owned by postgres.
  SpawnSpec cp =
      command({"/bin/cp", "-a", "--reflink=auto", template_dir.string(), data_dir.string()}, ServerUser{});
  if (auto r = run_checked(cp, "copying the template " + template_dir.string()); !r)
    return make_error("LocalIOError", r.error().message);
  return {};
}

Status create_missing_databases(const ClusterInfo& info, const std::vector<std::string>& databases) {
  try {
    pqxx::connection conn("host=127.0.0.1 port=" + std::to_string(info.port) + " user=" + kSuperuser +
                          " dbname=postgres connect_timeout=10");
    pqxx::nontransaction tx(conn);
    for (const auto& db : databases) {
      const auto found = tx.exec("SELECT 1 FROM pg_database WHERE datname = " + tx.quote(db));
      if (found.empty()) tx.exec("CREATE DATABASE " + tx.quote_name(db));
    }
  } catch (const std::exception& e) {
    return make_error("ClusterStartFailed",
                      "cannot create the databases on port " + std::to_string(info.port) + ": " + e.what());
  }
  return {};
}

struct Attempt {
  bool started = false;
  bool port_taken = false;
  int pid = 0;
  std::string log;
};

// The postmaster as our child: started directly (not through pg_ctl, which would detach it)
// so that it can die with us. Ready when postmaster.pid says so, as pg_ctl -w checks.
Result<Attempt> start_child(const ClusterOptions& o, const ServerUser& user, int port) {
  const auto log_offset = file_size_or_zero(o.log_file);
  const int log_fd = open(o.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0)
    return make_error("LocalIOError", "cannot open " + o.log_file.string() + ": " + std::strerror(errno));
  SpawnSpec spec =
      command({(o.bin_dir / "postgres").string(), "-D", o.data_dir.string(), "-p", std::to_string(port), "-k",
               o.data_dir.string(), "-c", "listen_addresses=127.0.0.1"},
              user);
  spec.die_with_parent = true;
  spec.output_fd = log_fd;
  auto pid = detail::spawn_background(spec);
  close(log_fd);
  if (!pid) return std::move(pid).error();
  Attempt a;
  a.pid = *pid;
  const auto deadline = std::chrono::steady_clock::now() + o.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(a.pid, &status, WNOHANG) == a.pid) {
      a.log = log_since(o.log_file, log_offset);
      a.port_taken = port_was_taken(a.log);
      return a;
    }
    const auto lines = pid_file_lines(o.data_dir);
    if (lines.size() > kStatusLine && lines[kPidLine] == std::to_string(a.pid) &&
        lines[kStatusLine].starts_with("ready")) {
      a.started = true;
      return a;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  kill(a.pid, SIGQUIT);
  waitpid(a.pid, nullptr, 0);
  a.log = "  (not ready after " + std::to_string(o.start_timeout.count()) + " s)\n" +
          log_since(o.log_file, log_offset);
  return a;
}

Result<Attempt> start_detached(const ClusterOptions& o, const ServerUser& user, int port) {
  const auto log_offset = file_size_or_zero(o.log_file);
  {
    std::ofstream touch(o.log_file, std::ios::app);  // pg_ctl opens it as the server user
  }
  if (auto s = detail::chown_to(o.log_file, user, false); !s) return std::move(s).error();
  const std::string server_options = "-p " + std::to_string(port) + " -k " +
                                     shell_quote(o.data_dir.string()) + " -c listen_addresses=127.0.0.1";
  SpawnSpec spec =
      command({(o.bin_dir / "pg_ctl").string(), "-D", o.data_dir.string(), "-l", o.log_file.string(), "-w",
               "-t", std::to_string(o.start_timeout.count()), "-s", "-o", server_options, "start"},
              user);
  auto r = detail::run_command(spec);
  if (!r) return std::move(r).error();
  Attempt a;
  a.log = log_since(o.log_file, log_offset);
  if (r->exit_code != 0) {
    a.port_taken = port_was_taken(a.log);
    if (!r->output.empty()) a.log = "  " + r->output + a.log;
    return a;
  }
  const auto lines = pid_file_lines(o.data_dir);
  if (lines.size() > kPidLine) a.pid = std::atoi(lines[kPidLine].c_str());
  a.started = true;
  return a;
}

}  // namespace

fs::path default_bin_dir() {
  const char* env = std::getenv("DWH_PG_BIN_DIR");
  return env != nullptr && *env != '\0' ? fs::path(env) : fs::path(kDebianBinDir);
}

std::string ClusterInfo::url(std::string_view database) const {
  return "postgresql://" + std::string(kSuperuser) + "@127.0.0.1:" + std::to_string(port) + "/" +
         std::string(database);
}

std::string ClusterInfo::socket_url(std::string_view database) const {
  std::string host;
  for (char c : socket_dir.string()) host += c == '/' ? std::string("%2F") : std::string(1, c);
  return "postgresql://" + std::string(kSuperuser) + "@" + host + ":" + std::to_string(port) + "/" +
         std::string(database);
}

fs::path template_dir_under(const fs::path& base) {
  return base / kTemplateName;
}

Status ensure_template(const fs::path& template_dir, const fs::path& bin_dir,
                       const std::vector<std::string>& databases) {
  std::error_code ec;
  if (fs::exists(template_dir / "PG_VERSION", ec)) return {};
  auto user = detail::server_user();
  if (!user) return std::move(user).error();
  fs::create_directories(template_dir.parent_path(), ec);
  if (ec) return io_error("cannot create " + template_dir.parent_path().string(), ec);
  std::random_device rd;
  const fs::path building =
      template_dir.string() + ".building-" + std::to_string(getpid()) + "-" + std::to_string(rd());
  if (auto s = initialise(building, bin_dir, databases, *user, WalSegments::Small); !s) {
    fs::remove_all(building, ec);
    return s;
  }
  fs::rename(building, template_dir, ec);
  if (ec) {
    fs::remove_all(building, ec);
    if (!fs::exists(template_dir / "PG_VERSION", ec))
      return make_error("LocalIOError", "cannot move the new template into " + template_dir.string());
  }
  return {};
}

Result<std::unique_ptr<Cluster>> Cluster::start(ClusterOptions o) {
  auto user = detail::server_user();
  if (!user) return std::move(user).error();
  o.data_dir = fs::absolute(o.data_dir).lexically_normal();
  if (o.log_file.empty()) o.log_file = o.data_dir.parent_path() / "server.log";
  o.log_file = fs::absolute(o.log_file);
  if (auto s = check_socket_path(o.data_dir); !s) return std::move(s).error();
  std::error_code ec;
  if (!fs::exists(o.data_dir / "PG_VERSION", ec)) {
    if (o.template_dir) {
      if (auto s = ensure_template(*o.template_dir, o.bin_dir, o.databases); !s) return std::move(s).error();
      if (auto s = detail::check_reachable(o.data_dir, *user); !s) return std::move(s).error();
      if (auto s = copy_template(*o.template_dir, o.data_dir); !s) return std::move(s).error();
    } else if (auto s = initialise(o.data_dir, o.bin_dir, o.databases, *user); !s) {
      return std::move(s).error();
    }
  } else if (auto s = detail::check_reachable(o.data_dir, *user); !s) {
    return std::move(s).error();
  }
  if (auto running = running_cluster(o.data_dir))
    return make_error("ClusterStartFailed", "a server already runs on " + o.data_dir.string() + " (pid " +
                                                std::to_string(running->pid) + ", port " +
                                                std::to_string(running->port) + ")");
  std::string last_log;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    int port = 0;
    if (attempt == 0 && o.port) {
      port = *o.port;
    } else {
      auto p = free_port();
      if (!p) return std::move(p).error();
      port = *p;
    }
    auto a = o.lifetime == Lifetime::Child ? start_child(o, *user, port) : start_detached(o, *user, port);
    if (!a) return std::move(a).error();
    if (!a->started) {
      last_log = a->log;
      if (a->port_taken) continue;
      break;
    }
    ClusterInfo info{port, a->pid, o.data_dir, o.data_dir, o.log_file};
    std::unique_ptr<Cluster> cluster(new Cluster(o, info));
    if (auto s = create_missing_databases(info, o.databases); !s) {
      (void)cluster->stop(StopMode::Immediate);  // a Detached one would otherwise be left running
      return std::move(s).error();
    }
    return cluster;
  }
  return make_error("ClusterStartFailed", "PostgreSQL did not start on " + o.data_dir.string() +
                                              "; the end of its log (" + o.log_file.string() + "):\n" +
                                              last_log);
}

Cluster::~Cluster() {
  if (running_ && options_.lifetime == Lifetime::Child) (void)stop(StopMode::Immediate);
}

Status Cluster::stop(StopMode mode) {
  if (!running_) return {};
  running_ = false;
  if (options_.lifetime == Lifetime::Detached) return stop_cluster(info_.data_dir, mode, options_.bin_dir);
  kill(info_.pid, mode == StopMode::Fast ? SIGINT : SIGQUIT);
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(info_.pid, nullptr, WNOHANG) == info_.pid) return {};
    std::this_thread::sleep_for(kPollInterval);
  }
  kill(info_.pid, SIGKILL);
  waitpid(info_.pid, nullptr, 0);
  return make_error("ClusterStopFailed", "PostgreSQL (pid " + std::to_string(info_.pid) +
                                             ") did not stop within " + std::to_string(kStopTimeout.count()) +
                                             " s and was killed");
}

Status check_server_can_reach(const fs::path& path) {
  auto user = detail::server_user();
  if (!user) return std::move(user).error();
  return detail::check_reachable(path, *user);
}

std::optional<ClusterInfo> running_cluster(const fs::path& data_dir) {
  const auto lines = pid_file_lines(data_dir);
  if (lines.size() <= kStatusLine) return std::nullopt;
  ClusterInfo info;
  info.pid = std::atoi(lines[kPidLine].c_str());
  info.port = std::atoi(lines[kPortLine].c_str());
  if (!process_alive(info.pid) || !lines[kStatusLine].starts_with("ready")) return std::nullopt;
  info.data_dir = fs::absolute(data_dir).lexically_normal();
  info.socket_dir = lines[kSocketDirLine];
  info.log_file = info.data_dir.parent_path() / "server.log";
  return info;
}

Status stop_cluster(const fs::path& data_dir, StopMode mode, const fs::path& bin_dir) {
  if (!running_cluster(data_dir)) return {};
  auto user = detail::server_user();
  if (!user) return std::move(user).error();
  SpawnSpec spec = command({(bin_dir / "pg_ctl").string(), "-D", fs::absolute(data_dir).string(), "-m",
                            mode == StopMode::Fast ? "fast" : "immediate", "-w", "-s", "stop"},
                           *user);
  auto r = detail::run_command(spec);
  if (!r) return std::move(r).error();
  if (r->exit_code != 0 && running_cluster(data_dir))
    return make_error("ClusterStopFailed", "pg_ctl stop failed on " + data_dir.string() + ": " + r->output);
  return {};
}

}  // namespace dwh::local
