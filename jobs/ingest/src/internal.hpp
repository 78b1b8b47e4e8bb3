#pragma once
// Pieces of the ingest job shared between its source files.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/crash_point.hpp"
#include "dwh/ingest/config.hpp"
#include "dwh/ingest/ingest.hpp"
#include "dwh/pg/connection.hpp"
#include "dwh/pg/sql_quote.hpp"
#include "dwh/stores/compression.hpp"
#include "dwh/stores/json_lines.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::ingest {
// The source database's SQL quoting (dwh::pg).
using pg::sql_identifier;
using pg::sql_literal;
// The store's vocabulary (dwh::stores): what an ingest writes to.
using stores::column_kind_for_type;
using stores::ColumnKind;
using stores::ColumnSpec;
using stores::compress_chunk;
using stores::Compression;
using stores::compression_name;
using stores::compression_suffix;
using stores::CursorRange;
using stores::JsonLinesEncoder;
using stores::ObjectStore;
using stores::ObjectWriter;
using stores::open_store;
using stores::StoredObject;
}  // namespace dwh::ingest

namespace dwh::ingest::ingest_detail {

struct SourceColumn {
  std::string name;
  std::string type;     // format_type(): "timestamp(3) without time zone"
  std::string typname;  // pg_type name (of the base type for domains)
};

// What one table's extraction needs to know.
struct TablePlan {
  IngestTable table;
  std::vector<SourceColumn> columns;
  int cursor_index = -1;
  bool incremental = false;
  std::string select_sql;                   // SELECT ... FROM ... [WHERE ...]
  std::optional<std::string> cursor_floor;  // what the WHERE used; nullopt on a full run
  std::string previous_run;                 // run id of the manifest the state came from
};

struct ExtractSettings {
  stores::Compression compression = stores::Compression::Gzip;
  std::size_t chunk_bytes = 1u << 20;
  int chunks_in_flight = 6;
};

// Streams one table (COPY inside `session`'s open snapshot transaction) to `key`. The object is
// only created when there are rows; on failure nothing is left under the key.
Result<TableReport> extract_table(pg::Connection& session, ObjectStore& store, const TablePlan& plan,
                                  const std::string& key, const ExtractSettings& settings);

// Kills the process when DWH_TEST_CRASH_POINT names `point` (crash-safety tests).
using core::crash_point;

}  // namespace dwh::ingest::ingest_detail
