#pragma once
// The record `dwh local up` leaves in its directory (default .dwh/local.json) so that later
// commands find the cluster: port, pid, data directory, socket directory, log.
#include <filesystem>
#include <optional>

#include "dwh/core/result.hpp"
#include "dwh/local/cluster.hpp"

namespace dwh::local {

inline constexpr const char* kDefaultStateDir = ".dwh";

// <state_dir>/local.json
std::filesystem::path state_file(const std::filesystem::path& state_dir);
// <state_dir>/data
std::filesystem::path local_data_dir(const std::filesystem::path& state_dir);

Status write_state(const std::filesystem::path& state_dir, const ClusterInfo& info);
// nullopt when there is no state file; an error when it cannot be read or parsed.
Result<std::optional<ClusterInfo>> read_state(const std::filesystem::path& state_dir);
Status remove_state(const std::filesystem::path& state_dir);

// The cluster recorded in state_dir if it is running now (checked against its postmaster.pid),
// else nullopt.
Result<std::optional<ClusterInfo>> running_local_cluster(const std::filesystem::path& state_dir);

}  // namespace dwh::local
