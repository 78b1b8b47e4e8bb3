#pragma once
// Staging one table's Parquet object: read by byte ranges (footer first, then row group by row
// group in file order), every byte hashed once on the way, slices of rows encoded as COPY text in
// parallel (TBB) and sent in file order through one COPY ... FROM STDIN. Memory holds about two
// decoded row groups and a bounded number of encoded slices, however large the object.
#include <cstdint>
#include <string>

#include "dwh/core/result.hpp"
#include "dwh/model/model.hpp"
#include "dwh/pg/connection.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::load::detail {

// What the transform manifest says of the object.
struct ExpectedObject {
  std::string key;
  std::uint64_t bytes = 0;
  std::string sha256;  // hex
};

struct StageReport {
  std::uint64_t rows = 0;          // rows the COPY took
  std::uint64_t bytes_read = 0;    // of the object, every byte once
  std::uint64_t largest_read = 0;  // the largest single range read
};

// The Parquet schema must be the model's (names, types, decimal scale); the staging table must
// exist. An object whose size or SHA-256 differs from the
// manifest's fails with "ChecksumMismatch" before the COPY ends; the caller rolls back.
Result<StageReport> stage_postgres(pg::Connection& conn, const model::Model& model,
                                   stores::ObjectStore& store, const ExpectedObject& object, int threads);

// Reads the object by ranges and checks its size and SHA-256 (for Redshift, which reads the
// object itself).
Result<StageReport> verify_object(stores::ObjectStore& store, const ExpectedObject& object);

}  // namespace dwh::load::detail
