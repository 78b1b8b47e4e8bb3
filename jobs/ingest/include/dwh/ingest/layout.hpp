#pragma once
// Where the ingest job puts its objects in the landing store (its manifests: dwh/ledger/layout.hpp;
// run ids: dwh/core/run_id.hpp).
#include <string>
#include <string_view>

namespace dwh::ingest {

// "<table>/<YYYY>/<MM>/<DD>/<run_id>.jsonl<suffix>".
std::string object_key(std::string_view table, std::string_view run_id, std::string_view suffix);

}  // namespace dwh::ingest
