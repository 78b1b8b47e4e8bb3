#pragma once
// A throwaway PostgreSQL 15 cluster: `dwh local up`, the demo and the test fixtures.
//
// Throwaway means fast, not safe: fsync, synchronous_commit and full_page_writes are off, so a
// machine crash may lose or corrupt the data. It listens on 127.0.0.1 (a free port unless one
// is asked for) and on a unix socket in its data directory, trusts every local connection as
// user `postgres`, and holds the databases named in the options (totesys and warehouse).
// As root, initdb and the server run as the OS user `postgres` (PostgreSQL refuses root), so
// the data directory is given to that user and its parents must be enterable by it.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::local {

// Where initdb, pg_ctl and postgres live: $DWH_PG_BIN_DIR, else Debian's PostgreSQL 15.
std::filesystem::path default_bin_dir();

// Detached: started by `pg_ctl -w start`, it outlives this process (`dwh local up`).
// Child: the postmaster is our child and gets SIGQUIT (immediate shutdown) when the thread
// that started it dies, crash included (test fixtures; start it from the main thread).
enum class Lifetime { Detached, Child };

// Fast: sessions are ended and the server shuts down cleanly. Immediate: no checkpoint, for
// clusters about to be deleted.
enum class StopMode { Fast, Immediate };

struct ClusterOptions {
  std::filesystem::path data_dir;  // created when missing; an initialised one is reused as it is
  // When set, a new data directory is a copy of this template, which is initialised (once per
  // machine, safely under concurrency) on first use. Much faster than initdb per cluster.
  std::optional<std::filesystem::path> template_dir;
  std::filesystem::path bin_dir = default_bin_dir();
  std::optional<int> port;  // tried first; otherwise (or if taken) a free port
  std::vector<std::string> databases = {"totesys", "warehouse"};
  Lifetime lifetime = Lifetime::Detached;
  std::chrono::seconds start_timeout{60};
  std::filesystem::path log_file;  // default: server.log next to data_dir
};

// A running cluster, as recorded by `dwh local up`.
struct ClusterInfo {
  int port = 0;
  int pid = 0;  // the postmaster
  std::filesystem::path data_dir;
  std::filesystem::path socket_dir;
  std::filesystem::path log_file;

  // postgresql://postgres@127.0.0.1:<port>/<database>
  [[nodiscard]] std::string url(std::string_view database) const;
  // The same through the unix socket: postgresql://postgres@%2F...socket_dir.../<database>
  [[nodiscard]] std::string socket_url(std::string_view database) const;
};

class Cluster {
 public:
  // Initialises the data directory if needed, starts the server, waits until it accepts
  // connections and creates any missing databases. Retries on other ports if the port is
  // taken. Errors: "PostgresNotInstalled" (names the package), "PermissionDenied",
  // "ClusterStartFailed" (with the tail of the server log), "LocalIOError".
  static Result<std::unique_ptr<Cluster>> start(ClusterOptions options);

  // A Child cluster is stopped (immediately) if still running; a Detached one is left running.
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  [[nodiscard]] const ClusterInfo& info() const { return info_; }
  [[nodiscard]] std::string url(std::string_view database) const { return info_.url(database); }

  Status stop(StopMode mode = StopMode::Fast);

 private:
  Cluster(ClusterOptions options, ClusterInfo info) : options_(std::move(options)), info_(std::move(info)) {}
  ClusterOptions options_;
  ClusterInfo info_;
  bool running_ = true;
};

// The template directory to use under `base` (e.g. a build tree's tmp/). Its name carries the
// version of how templates are made, so a changed recipe never reuses an old template.
std::filesystem::path template_dir_under(const std::filesystem::path& base);

// Makes `template_dir` an initialised data directory holding `databases` unless it already
// is one. Concurrent callers (parallel test processes) are safe: each builds in a private
// directory and renames it into place; the first wins.
Status ensure_template(const std::filesystem::path& template_dir, const std::filesystem::path& bin_dir,
                       const std::vector<std::string>& databases);

// An error ("PermissionDenied") naming the first directory above `path` that the server's OS
// user cannot enter, if any. Always fine when not root (the server runs as us).
Status check_server_can_reach(const std::filesystem::path& path);

// The server running on `data_dir`, read from its postmaster.pid; nullopt if none is running.
std::optional<ClusterInfo> running_cluster(const std::filesystem::path& data_dir);

// Stops the server on `data_dir` (pg_ctl stop), whoever started it. Not running is no error.
Status stop_cluster(const std::filesystem::path& data_dir, StopMode mode = StopMode::Fast,
                    const std::filesystem::path& bin_dir = default_bin_dir());

}  // namespace dwh::local
