#include "dwh/model/models_dir.hpp"

#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

namespace dwh::model {
namespace {

namespace fs = std::filesystem;

fs::path executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(folder, ec);
  if (ec) return false;
  const fs::path relative = path.lexically_relative(base);
  return !relative.empty() && *relative.begin() != "..";
}

// Steps 2 to 4 of the header, in order.
std::vector<fs::path> candidates() {
  std::vector<fs::path> places;
  const fs::path exe = executable();
  if (exe.empty()) return places;
  const fs::path bin = exe.parent_path();
  places.push_back(bin / "models");
  places.push_back((bin.parent_path() / kInstalledModelsDir).lexically_normal());
  // Compiled in (this file only, jobs/model/CMakeLists.txt) for binaries run where they were built.
  if (is_inside(exe, DWH_BUILD_TREE)) places.emplace_back(DWH_SOURCE_MODELS_DIR);
  return places;
}

}  // namespace

Result<fs::path> models_dir() {
  std::string looked;
  for (const fs::path& place : candidates()) {
    std::error_code ec;
    if (fs::is_directory(place, ec)) return place;
    looked += (looked.empty() ? "" : ", ") + place.string();
  }
  return make_error("ModelError", "no models folder (looked in " + (looked.empty() ? "nothing" : looked) +
                                      "): pass --model or set " + kModelEnv + " to a dataset folder");
}

Result<fs::path> default_dataset_dir(std::string_view dataset) {
  if (const char* dir = std::getenv(kModelEnv); dir != nullptr && *dir != '\0') return fs::path(dir);
  auto root = models_dir();
  if (!root) return std::move(root).error();
  return *root / dataset;
}

}  // namespace dwh::model
