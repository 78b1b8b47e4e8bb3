#include "dwh/local/project_cluster.hpp"

#include "dwh/local/local_state.hpp"

namespace dwh::local {
namespace fs = std::filesystem;

namespace {
fs::path log_path(const fs::path& dir) {
  return dir / "server.log";
}
}  // namespace

Result<LocalUp> local_up(const fs::path& dir, std::optional<int> port) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error("LocalIOError", "cannot create " + dir.string() + ": " + ec.message());
  const fs::path absolute = fs::absolute(dir, ec).lexically_normal();
  if (auto running = running_cluster(local_data_dir(absolute))) {
    running->log_file = log_path(absolute);
    if (auto s = write_state(absolute, *running); !s) return std::move(s).error();
    return LocalUp{*running, true};
  }
  ClusterOptions options;
  options.data_dir = local_data_dir(absolute);
  options.log_file = log_path(absolute);
  options.lifetime = Lifetime::Detached;
  options.port = port;
  if (!options.port) {
    // The same URLs as last time, if that port is still free.
    if (auto previous = read_state(absolute); previous.ok() && previous->has_value())
      options.port = (*previous)->port;
  }
  auto cluster = Cluster::start(std::move(options));
  if (!cluster) return std::move(cluster).error();
  const ClusterInfo info = (*cluster)->info();
  if (auto s = write_state(absolute, info); !s) return std::move(s).error();
  return LocalUp{info, false};
}

Result<bool> local_down(const fs::path& dir, bool purge) {
  const fs::path data = local_data_dir(dir);
  const bool was_running = running_cluster(data).has_value();
  if (auto s = stop_cluster(data, StopMode::Fast); !s) return std::move(s).error();
  // Without purge the record stays: the next `up` takes the same port again, and commands can
  // tell "stopped" from "never started".
  if (purge) {
    if (auto s = remove_state(dir); !s) return std::move(s).error();
    std::error_code ec;
    fs::remove_all(data, ec);
    if (ec) return make_error("LocalIOError", "cannot delete " + data.string() + ": " + ec.message());
    fs::remove(log_path(dir), ec);
    fs::remove(dir, ec);  // only if nothing else lives there
  }
  return was_running;
}

}  // namespace dwh::local
