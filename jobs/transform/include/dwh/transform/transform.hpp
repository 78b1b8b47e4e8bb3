#pragma once
// The transform job: landed JSON Lines into the processed zone's star schemas, as Parquet,
// driven by a dataset's model files (dwh/transform/model.hpp). A Lambda handler can call
// run_transform() like the CLI does.
//
// One run consumes, in run order, the committed ingest manifests that no transform manifest has
// consumed yet, and writes
//   <processed>/<table>/<YYYY>/<MM>/<DD>/<run_id>.parquet     one object per table with rows
//   <processed>/_state/transform/<table>/<run_id>.jsonl.gz    current versions a lookup needs
//                                                            (only when they changed)
//   <processed>/_rejected/<run_id>/<table>.jsonl             with quarantine, bad records
//   <processed>/_manifests/transform/<run_id>.json            last; the run exists only then
// The newest transform manifest is the whole state (docs/transform.md).
//
// Error codes (dwh::Error::code). Bad input (is_transform_input_error; `dwh transform` exits 2):
//   InvalidArgument, UnknownStoreScheme, InvalidStoreUrl, ModelError, BadRecord (a landed record
//   the model cannot take, without quarantine), ExpectationFailed (not null, unique key),
//   SchemaDrift (an ingest manifest's columns differ from sources.toml)
// Otherwise: StoreUnavailable, StoreError, LandingCorrupt (size or checksum differs from the
//   ingest manifest), TransformFailed, ...
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "dwh/core/result.hpp"
#include "dwh/parquet/writer.hpp"

namespace dwh::transform {

struct TransformOptions {
  std::string landing_url;          // file:///path or s3://bucket/prefix (read)
  std::string processed_url;        // file:///path or s3://bucket/prefix (written)
  std::filesystem::path model_dir;  // models/<dataset>
  bool quarantine = false;          // bad records to _rejected/ instead of failing the run
  parquet::Compression compression = parquet::Compression::Snappy;
  std::size_t chunk_bytes = 4u << 20;  // decompressed JSON per pipeline chunk
  int chunks_in_flight = 4;            // per table: memory is about chunk_bytes × 3 × this
  int tables_in_parallel = 2;
  std::size_t row_group_rows = 1'000'000;
  std::size_t row_group_bytes = 32u << 20;
  aws::ClientOptions s3_options;  // for s3:// stores (both)
};

struct TableResult {
  std::string table;
  std::string key;  // empty when the run produced no rows for the table
  std::uint64_t rows = 0;
  std::uint64_t rows_in = 0;   // landed (or current) source rows read for it
  std::uint64_t rejected = 0;  // quarantined records
  std::uint64_t bytes = 0;
  std::string sha256;  // hex, of the Parquet object
  double seconds = 0;
};

struct TransformReport {
  std::string run_id;
  std::string manifest_key;  // empty when there was nothing new
  bool nothing_new = false;
  std::vector<std::string> consumed;  // ingest run ids, oldest first
  std::vector<TableResult> tables;    // in model order
  std::uint64_t rows = 0;
  std::uint64_t rejected = 0;
  std::vector<std::string> rejected_keys;
  std::string calendar_min;  // covered date range after the run ("" when none yet)
  std::string calendar_max;
  std::vector<std::string> orphans_removed;
  double seconds = 0;
};

Result<TransformReport> run_transform(const TransformOptions& options);

}  // namespace dwh::transform
