#include "dwh/ingest/layout.hpp"

#include "dwh/core/run_id.hpp"

namespace dwh::ingest {

std::string object_key(std::string_view table, std::string_view run_id, std::string_view suffix) {
  return std::string(table) + "/" + core::run_id_date_path(run_id).value_or("0000/00/00") + "/" +
         std::string(run_id) + ".jsonl" + std::string(suffix);
}

}  // namespace dwh::ingest
