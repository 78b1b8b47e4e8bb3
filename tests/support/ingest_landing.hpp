#pragma once
// Test helpers for the ingest job: a generated totesys source, and what a landing store holds,
// read back independently of the job (manifests, objects, decompression) and compared with the
// source by PostgreSQL itself (jsonb_populate_record parses the landed values as the column types).
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "dwh/aws/client_options.hpp"
#include "postgres_fixture.hpp"

namespace dwh::test {

// A fresh database with the totesys schema and generated data at `scale`.
TestDatabase make_totesys_source(std::string_view prefix, double scale, std::uint64_t seed = 1);

struct LandedRow {
  std::string run_id;
  std::string table;
  nlohmann::json row;
};

struct Landing {
  std::vector<std::string> manifests;  // run ids, oldest first
  std::vector<LandedRow> rows;         // in manifest order
  std::set<std::string> objects;       // every object key outside _manifests/
  std::set<std::string> referenced;    // object keys the manifests name
};

// Reads the whole store; ADD_FAILURE on a manifest checksum or size mismatch.
Landing read_landing(const std::string& store_url, const aws::ClientOptions& s3 = {});

// Rows landed more than once (same table, key and last_updated), as "table key last_updated".
std::vector<std::string> duplicate_versions(const Landing& landing);

// Per table, the differences between the source table and the newest landed version of every
// key, computed by PostgreSQL: "sales_order: 3 source rows missing or different, 0 landed rows
// not in the source". Empty when they are equal.
std::vector<std::string> compare_with_source(const std::string& source_url, const Landing& landing);

// The newest landed version of every key, as sorted JSON lines per table (content comparisons).
std::map<std::string, std::vector<std::string>> newest_rows(const Landing& landing);

}  // namespace dwh::test
