#pragma once
// The transform manifests as the load job reads them (jobs/src/transform.cpp writes them).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::load::detail {

inline constexpr std::string_view kTransformManifestPrefix = "_manifests/transform/";

struct ManifestTable {
  std::optional<std::string> key;  // none when the run wrote no rows for the table
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  std::string sha256;
};

struct TransformManifest {
  std::string run_id;
  std::string key;     // _manifests/transform/<run_id>.json
  std::string sha256;  // of the manifest's bytes
  std::string dataset;
  std::optional<std::string> previous_run;
  std::map<std::string, ManifestTable> tables;
};

// Run ids of every committed transform manifest, oldest first.
Result<std::vector<std::string>> list_transform_runs(stores::ObjectStore& store);
// Reads and parses one ("ManifestInvalid" names the key and the field).
Result<TransformManifest> read_transform_manifest(stores::ObjectStore& store, const std::string& run_id);

}  // namespace dwh::load::detail
