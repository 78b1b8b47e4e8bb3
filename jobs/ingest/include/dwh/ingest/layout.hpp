#pragma once
// Where the ingest job puts things in the landing store, and its run ids.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dwh::ingest {

inline constexpr std::string_view kIngestManifestPrefix = "_manifests/ingest/";

// "20261121T102233123Z-1a2b3c4d": UTC time to the millisecond, then 32 random bits, so ids sort
// by time and two runs in the same millisecond still differ.
std::string make_run_id(std::chrono::system_clock::time_point now);
// Now in UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ": the times every job writes into its manifest.
std::string utc_now_iso();
// The run id's date as "YYYY/MM/DD", or nullopt if `run_id` is not one of ours.
std::optional<std::string> run_id_date_path(std::string_view run_id);
std::string manifest_key(std::string_view run_id);
// "<table>/<YYYY>/<MM>/<DD>/<run_id>.jsonl<suffix>".
std::string object_key(std::string_view table, std::string_view run_id, std::string_view suffix);
// The run id in an object or manifest key ("…/<run_id>.jsonl.gz", "…/<run_id>.json"), or "".
std::string run_id_of_key(std::string_view key);

}  // namespace dwh::ingest
