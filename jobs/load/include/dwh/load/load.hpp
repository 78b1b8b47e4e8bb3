#pragma once
// The load job: committed transform manifests into the warehouse, each exactly once and all or
// nothing. A Lambda handler can call run_load() like the CLI does.
//
// Every manifest under <processed>/_manifests/transform/ whose run id is not in the control
// table (dwh_loaded_manifests) is loaded, oldest first, in ONE transaction:
//   lock (one loader per warehouse) -> chain check (previous_run must be the last loaded run)
//   -> download and verify each table's object (size, sha256) -> stage (COPY) -> checks on the
//   staged rows (counts, not null, unique natural keys) -> upsert dimensions -> check fact
//   foreign keys -> append facts (a version already present is skipped; a large batch with the
//   fact's foreign keys dropped and added back, validated, after it) -> control row -> commit.
// Any failure rolls the transaction back; the error names the step, table, column and keys.
//
// Error codes (dwh::Error::code). Bad input (is_load_input_error; `dwh load` exits 2):
//   InvalidArgument, UnknownStoreScheme, InvalidStoreUrl, ModelError, WarehouseNotInitialized,
//   and the database input errors of dwh/pg/database_url.hpp.
// Otherwise (exit 1): ManifestGap, ChecksumMismatch, CheckFailed (a data-quality check),
//   ManifestInvalid, StoreError, StoreUnavailable, WarehouseError, LoadFailed, CopyFailed.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "dwh/core/result.hpp"
#include "dwh/load/warehouse_schema.hpp"

namespace dwh::load {

struct LoadOptions {
  std::string processed_url;  // file:///path or s3://bucket/prefix (read; Redshift: s3:// only)
  std::string warehouse_url;  // libpq URI (never logged with its password)
  Dialect dialect = Dialect::Postgres;
  // Empty: dwh::model::default_dataset_dir(<dataset>), <dataset> as the manifests name it
  // (DWH_MODEL, else the models folder found at run time).
  std::filesystem::path model_dir;
  // Redshift: the role COPY assumes to read the processed bucket.
  std::string iam_role;
  int decode_threads = 2;  // Parquet row groups decoded and encoded in parallel
  // PostgreSQL checks a foreign key with one trigger call per row and key: about 4 us each, so a
  // fact with 9 keys appends at ~25,000 rows/s. A large append instead drops the fact's foreign
  // keys, appends, and adds them back inside the same transaction; PostgreSQL then checks each
  // key with one join over the whole table (~0.1 us a row). Deferred when a fact's batch has at
  // least this many rows and is at least 1/20 of the rows the table holds (so a validation
  // costs less than the triggers it saves). The locks it takes (ACCESS EXCLUSIVE on the fact and
  // the dimensions it references, until commit) make readers of those tables wait for the load.
  // 0: never (always the per-row triggers).
  std::uint64_t defer_foreign_keys_from_rows = 100'000;
  aws::ClientOptions s3_options;
};

struct LoadedManifest {
  std::string run_id;
  std::string manifest_key;
  std::map<std::string, std::uint64_t> staged;  // rows per table, as the manifest counts them
  // Rows written per table: facts, the new versions; dimensions, rows inserted or changed.
  std::map<std::string, std::uint64_t> written;
  // Bytes of Parquet read, and the largest single read: objects are read by row group, never
  // whole, so the largest read is about one row group's bytes however big the object.
  std::uint64_t bytes_read = 0;
  std::uint64_t largest_read = 0;
  // Facts whose foreign keys were dropped for the append and validated again after it.
  std::vector<std::string> deferred_foreign_keys;
  double seconds = 0;
};

struct LoadReport {
  std::vector<LoadedManifest> loaded;  // in run order
  // Manifests another loader recorded while this one waited for the lock.
  std::vector<std::string> already_loaded;
  std::uint64_t rows = 0;
  double seconds = 0;
};

Result<LoadReport> run_load(const LoadOptions& options);

}  // namespace dwh::load
