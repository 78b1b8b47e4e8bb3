#pragma once
// Where the ingest job puts things in the landing store (run ids: dwh/core/run_id.hpp).
#include <string>
#include <string_view>

namespace dwh::ingest {

inline constexpr std::string_view kIngestManifestPrefix = "_manifests/ingest/";

std::string manifest_key(std::string_view run_id);
// "<table>/<YYYY>/<MM>/<DD>/<run_id>.jsonl<suffix>".
std::string object_key(std::string_view table, std::string_view run_id, std::string_view suffix);

}  // namespace dwh::ingest
