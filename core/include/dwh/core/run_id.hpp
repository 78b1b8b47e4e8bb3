#pragma once
// Run ids and the UTC times every job writes into its manifests.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dwh::core {

// "20261121T102233123Z-1a2b3c4d": UTC time to the millisecond, then 32 random bits, so ids sort
// by time and two runs in the same millisecond still differ.
std::string make_run_id(std::chrono::system_clock::time_point now);
// Now in UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string utc_now_iso();
// The run id's date as "YYYY/MM/DD", or nullopt if `run_id` is not one of ours.
std::optional<std::string> run_id_date_path(std::string_view run_id);
// The run id in an object or manifest key ("…/<run_id>.jsonl.gz", "…/<run_id>.json"), or "".
std::string run_id_of_key(std::string_view key);

}  // namespace dwh::core
