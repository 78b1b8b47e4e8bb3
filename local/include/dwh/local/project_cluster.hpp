#pragma once
// The project's own cluster behind `dwh local up` / `dwh local down`: data in <dir>/data, server
// log in <dir>/server.log, and the record <dir>/local.json that later commands read (dir is
// .dwh by default, which git ignores). It outlives the command that started it.
#include <filesystem>
#include <optional>

#include "dwh/core/result.hpp"
#include "dwh/local/cluster.hpp"

namespace dwh::local {

struct LocalUp {
  ClusterInfo info;
  bool already_running = false;
};

// Starts the cluster unless it already runs (then it only refreshes the record). A data
// directory from an earlier run is reused, and so is its port when still free.
Result<LocalUp> local_up(const std::filesystem::path& dir, std::optional<int> port = std::nullopt);

// Stops the cluster (fast shutdown) if it runs. With purge, also deletes the data directory,
// the log and the record. Returns whether a server was running.
Result<bool> local_down(const std::filesystem::path& dir, bool purge);

}  // namespace dwh::local
