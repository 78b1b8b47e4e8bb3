#pragma once
// Where the jobs' manifests live: one per committed run, named by its run id. Ingest's are in
// the landing store, transform's in the processed store.
#include <string>
#include <string_view>

namespace dwh::ledger {

inline constexpr std::string_view kIngestManifestPrefix = "_manifests/ingest/";
inline constexpr std::string_view kTransformManifestPrefix = "_manifests/transform/";

// "_manifests/ingest/<run_id>.json".
std::string ingest_manifest_key(std::string_view run_id);
// "_manifests/transform/<run_id>.json".
std::string transform_manifest_key(std::string_view run_id);

}  // namespace dwh::ledger
