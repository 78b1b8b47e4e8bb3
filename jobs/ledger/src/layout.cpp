#include "dwh/ledger/layout.hpp"

namespace dwh::ledger {

std::string ingest_manifest_key(std::string_view run_id) {
  return std::string(kIngestManifestPrefix) + std::string(run_id) + ".json";
}

std::string transform_manifest_key(std::string_view run_id) {
  return std::string(kTransformManifestPrefix) + std::string(run_id) + ".json";
}

}  // namespace dwh::ledger
