#include "dwh/local/local_state.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace dwh::local {
namespace fs = std::filesystem;

fs::path state_file(const fs::path& state_dir) {
  return state_dir / "local.json";
}
fs::path local_data_dir(const fs::path& state_dir) {
  return state_dir / "data";
}

Status write_state(const fs::path& state_dir, const ClusterInfo& info) {
  const nlohmann::json j = {{"port", info.port},
                            {"pid", info.pid},
                            {"data_dir", info.data_dir.string()},
                            {"socket_dir", info.socket_dir.string()},
                            {"log_file", info.log_file.string()}};
  // Written aside and renamed, so a reader never sees half a file.
  const fs::path path = state_file(state_dir);
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) return make_error("LocalIOError", "cannot write " + tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return make_error("LocalIOError", "cannot write " + path.string() + ": " + ec.message());
  return {};
}

Result<std::optional<ClusterInfo>> read_state(const fs::path& state_dir) {
  const fs::path path = state_file(state_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::optional<ClusterInfo>{};
  std::ifstream in(path);
  try {
    const auto j = nlohmann::json::parse(in);
    ClusterInfo info;
    info.port = j.at("port").get<int>();
    info.pid = j.at("pid").get<int>();
    info.data_dir = j.at("data_dir").get<std::string>();
    info.socket_dir = j.at("socket_dir").get<std::string>();
    info.log_file = j.at("log_file").get<std::string>();
    return std::optional<ClusterInfo>{std::move(info)};
  } catch (const std::exception& e) {
    return make_error("InvalidState",
                      "cannot read " + path.string() + " (delete it and run `dwh local up`): " + e.what());
  }
}

Status remove_state(const fs::path& state_dir) {
  std::error_code ec;
  fs::remove(state_file(state_dir), ec);
  if (ec)
    return make_error("LocalIOError",
                      "cannot remove " + state_file(state_dir).string() + ": " + ec.message());
  return {};
}

Result<std::optional<ClusterInfo>> running_local_cluster(const fs::path& state_dir) {
  auto state = read_state(state_dir);
  if (!state || !state->has_value()) return state;
  // The pid file is the truth (the server may have been restarted by hand); the record says where to look.
  auto running = running_cluster((*state)->data_dir);
  if (!running) return std::optional<ClusterInfo>{};
  running->log_file = (*state)->log_file;
  return std::optional<ClusterInfo>{std::move(*running)};
}

}  // namespace dwh::local
