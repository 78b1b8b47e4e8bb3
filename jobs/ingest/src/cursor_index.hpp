#pragma once
// Incremental runs select `cursor >= floor`; without an index whose first column is the cursor,
// PostgreSQL answers that with a scan of the whole table, so a run that lands 1,000 rows still
// reads every tuple (1.5-2.2 s at 10 M sales orders). The source schema is the user's, so we
// never add an index silently: the job warns, and `--create-cursor-indexes` creates them.
#include <string>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/ingest/config.hpp"
#include "dwh/pg/connection.hpp"

namespace dwh::ingest {

// The tables (of `tables`) with no valid index whose leading column is their cursor column.
Result<std::vector<std::string>> tables_without_cursor_index(pg::Connection& session,
                                                             const IngestConfig& config,
                                                             const std::vector<IngestTable>& tables);

// `CREATE INDEX CONCURRENTLY` on each table's cursor column, named dwh_<table>_<cursor>_idx.
// CONCURRENTLY does not block the application's writes; it cannot run inside a transaction, so
// this runs before the run's snapshot is taken. Failures name the table ("PermissionDenied" when
// the role does not own it).
Status create_cursor_indexes(pg::Connection& session, const IngestConfig& config,
                             const std::vector<std::string>& tables);

}  // namespace dwh::ingest
