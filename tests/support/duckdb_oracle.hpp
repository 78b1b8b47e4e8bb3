#pragma once
// Independent Parquet readers for tests: DuckDB (npm @duckdb/node-api) and hyparquet (pure JS),
// both run through Node (tests/tools/*.mjs) with NODE_PATH=<source>/.node/node_modules.
// Each call starts one Node process. A missing node or package throws std::runtime_error with
// the tool's message, which fails the calling test.
#include <nlohmann/json.hpp>
#include <string>

namespace dwh::test {

// Runs `sql` (one or more statements) in a fresh in-memory DuckDB and returns the last
// statement's rows: a JSON array of row objects, values in DuckDB's JSON text form
// (getRowObjectsJson: INTEGER/DOUBLE/BOOLEAN as JSON numbers/booleans, BIGINT, DECIMAL, DATE,
// TIME, TIMESTAMP as strings such as "12.34", "2024-01-02", "2024-01-02 03:04:05.123456").
// Example: duckdb_query("SELECT * FROM read_parquet('/tmp/x.parquet')").
nlohmann::json duckdb_query(const std::string& sql);

// Reads the Parquet file at `path` with hyparquet. Returns
//   {"num_rows", "created_by", "row_groups": [rows per group],
//    "schema": [{"name","type","repetition_type","converted_type","logical_type","precision","scale"}],
//    "rows": [{column: value}...]}
// with values as tests/tools/hyparquet_read.mjs documents (INT64 as decimal strings, DATE as
// "YYYY-MM-DD", TIMESTAMP as "YYYY-MM-DDTHH:MM:SS.ffffff", DECIMAL as a JSON number).
nlohmann::json hyparquet_read(const std::string& path);

// A SQL string literal ('...' with quotes doubled), for paths and values put into SQL text.
std::string sql_quote(const std::string& text);

}  // namespace dwh::test
