#pragma once
// Where the model files are, found at run time, so that a build-tree binary, an installed `dwh`
// (`cmake --install`) and a Lambda package each find their own. A dataset's folder, first match
// wins (a command's --model flag, where it has one, comes before all of them):
//   1. DWH_MODEL: the dataset folder itself;
//   2. models/<dataset> next to the executable (/proc/self/exe): a Lambda package, an archive;
//   3. <prefix>/share/dwhkit/models/<dataset> for an executable in <prefix>/bin: an install;
//   4. the source tree's models/<dataset>, only for an executable inside the build tree it was
//      built in (an installed copy never reads the source tree, even when it is still there).
#include <filesystem>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::model {

inline constexpr const char* kModelEnv = "DWH_MODEL";
inline constexpr std::string_view kDefaultDataset = "totesys";
// Below an install prefix; `cmake --install` puts the models there (cli/CMakeLists.txt).
inline constexpr std::string_view kInstalledModelsDir = "share/dwhkit/models";

// The folder holding the datasets (steps 2 to 4). Error "ModelError" naming every place looked
// in when none exists.
Result<std::filesystem::path> models_dir();

// `dataset`'s folder: DWH_MODEL when set, else models_dir() / dataset. Errors as models_dir().
Result<std::filesystem::path> default_dataset_dir(std::string_view dataset = kDefaultDataset);

}  // namespace dwh::model
