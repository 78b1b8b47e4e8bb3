#pragma once
// Staging one table's Parquet object into PostgreSQL: row groups decoded and encoded as COPY
// text in parallel (TBB), sent in file order through one COPY ... FROM STDIN.
#include <cstdint>
#include <string>

#include "dwh/result.hpp"
#include "dwh/transform/model.hpp"
#include "load_connection.hpp"

namespace dwh::load::detail {

// The Parquet schema must be the model's (names, types, decimal scale); the staging table must
// exist. Returns the rows the COPY took.
Result<std::uint64_t> stage_postgres(Connection& conn, const transform::Model& model, std::string bytes,
                                     const std::string& key, int threads);

}  // namespace dwh::load::detail
