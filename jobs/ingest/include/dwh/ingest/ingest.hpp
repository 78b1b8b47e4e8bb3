#pragma once
// The ingest job: every new or changed source row into the landing zone, exactly once.
//
// One run reads every table from one exported PostgreSQL snapshot, in parallel, and writes
//   <store>/<table>/<YYYY>/<MM>/<DD>/<run_id>.jsonl.gz    one object per table with rows
//   <store>/_manifests/ingest/<run_id>.json                last; the run exists only once it is there
// A table's first run copies everything; later runs copy the row versions that are visible in
// this run's snapshot and were not visible in the snapshot of the newest manifest covering the
// table (see docs/ingest.md for why nothing is lost or landed twice, and what is assumed).
//
// Error codes (dwh::Error::code). Bad input (is_ingest_input_error; `dwh ingest` exits 2):
//   InvalidArgument, InvalidConfig, UnknownStoreScheme, InvalidStoreUrl, the dwh::pg
//   connection codes (InvalidDatabaseUrl, Unreachable, AuthFailed, NoSuchDatabase),
//   NoSuchTable, NoCursorColumn, SchemaChanged
// Otherwise: StoreUnavailable, PermissionDenied, SourceError, StoreError, ...
// No error and no log line ever holds the source password.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "dwh/core/result.hpp"
#include "dwh/stores/compression.hpp"

namespace dwh::ingest {

enum class SchemaChangePolicy { Fail, AcceptAddedColumns };

struct IngestOptions {
  std::string source_url;           // libpq URI
  std::string landing_url;          // file:///path or s3://bucket/prefix
  std::vector<std::string> tables;  // empty: every table of the configuration
  stores::Compression compression = stores::Compression::Gzip;
  SchemaChangePolicy on_schema_change = SchemaChangePolicy::Fail;
  std::filesystem::path config_path;  // empty: default_ingest_config_path()
  int max_connections = 4;            // source connections reading tables at once
  // Create a missing index on each table's cursor column before the run (CREATE INDEX
  // CONCURRENTLY); without one the job only warns, and incremental runs scan whole tables.
  bool create_cursor_indexes = false;
  std::size_t chunk_bytes = 1u << 20;  // COPY text per pipeline chunk
  int chunks_in_flight = 6;            // per table: bounds memory to about chunk_bytes × 4 × this
  std::chrono::seconds connect_timeout{10};
  aws::ClientOptions s3_options;  // endpoint and credentials for s3:// (default: the usual chain)
};

struct TableReport {
  std::string table;
  std::string mode;  // "full" or "incremental"
  std::string key;   // empty when the run found no rows
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;  // compressed object size
  std::string sha256;       // hex, of the object
  std::string cursor_min;   // ISO text; empty without rows
  std::string cursor_max;
  double seconds = 0;
};

struct IngestReport {
  std::string run_id;
  std::string manifest_key;
  std::vector<TableReport> tables;
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  std::vector<std::string> orphans_removed;
};

Result<IngestReport> run_ingest(const IngestOptions& options);

}  // namespace dwh::ingest
