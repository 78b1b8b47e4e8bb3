#pragma once
// Helpers of the transform integration tests: landings made by the real ingest from a real
// PostgreSQL, transform runs (library and CLI), and the processed store read back through the
// manifests and DuckDB.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "duckdb_oracle.hpp"
#include "dwh/ingest/ingest.hpp"
#include "dwh/ingest/layout.hpp"
#include "dwh/stores/compression.hpp"
#include "dwh/stores/object_store.hpp"
#include "dwh/transform/transform.hpp"
#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test::transform_support {

inline std::string model_dir() {
  return std::string(DWH_SOURCE_DIR) + "/models/totesys";
}

inline ingest::IngestReport ingest(const std::string& source, const std::string& landing,
                                   const aws::ClientOptions& s3 = {}) {
  ingest::IngestOptions o;
  o.source_url = source;
  o.landing_url = landing;
  o.s3_options = s3;
  o.chunk_bytes = 64 << 10;  // several gzip members per object even at small scales
  auto r = ingest::run_ingest(o);
  if (!r) throw std::runtime_error("ingest failed: " + r.error().message);
  return std::move(r).value();
}

inline Result<transform::TransformReport> transform(const std::string& landing, const std::string& processed,
                                                    bool quarantine = false,
                                                    const aws::ClientOptions& s3 = {}) {
  transform::TransformOptions o;
  o.landing_url = landing;
  o.processed_url = processed;
  o.model_dir = model_dir();
  o.quarantine = quarantine;
  o.s3_options = s3;
  o.chunk_bytes = 64 << 10;  // several chunks per table, so the pipelines really run in parallel
  return transform::run_transform(o);
}

inline const transform::TableResult& table_of(const transform::TransformReport& r, const std::string& table) {
  for (const auto& t : r.tables) {
    if (t.table == table) return t;
  }
  throw std::runtime_error("no table " + table + " in the report");
}

// "file:///x/y" -> "/x/y"
inline std::string dir_of(const std::string& file_url) {
  return file_url.substr(std::string("file://").size());
}

// The rows of one Parquet object, every column cast to text, ordered: a comparable JSON array.
inline nlohmann::json parquet_rows(const std::string& path, const std::string& order_by = "ALL") {
  return duckdb_query("SELECT * FROM read_parquet(" + sql_quote(path) + ") ORDER BY " + order_by);
}

inline std::string sql_literal(const std::string& s) {
  return sql_quote(s);
}

// Every transform manifest of a processed store (oldest first).
inline std::vector<nlohmann::json> manifests(stores::ObjectStore& store) {
  std::vector<nlohmann::json> out;
  auto listed = store.list("_manifests/transform/");
  if (!listed) throw std::runtime_error(listed.error().message);
  for (const auto& o : *listed) {
    auto text = store.get(o.key);
    if (!text) throw std::runtime_error(text.error().message);
    out.push_back(nlohmann::json::parse(*text));
  }
  return out;
}

// Every row a file:// processed store holds for `table` over its committed runs, as DuckDB
// sees them (sorted); also checks each object's size and checksum against its manifest.
inline nlohmann::json committed_rows(const std::string& processed_url, const std::string& table) {
  auto store = stores::open_store(processed_url);
  if (!store) throw std::runtime_error(store.error().message);
  std::string list;
  for (const auto& m : manifests(**store)) {
    const auto& t = m.at("tables").at(table);
    if (t.at("key").is_null()) continue;
    const std::string key = t.at("key").get<std::string>();
    auto bytes = (*store)->get(key);
    EXPECT_TRUE(bytes) << key;
    if (!bytes) continue;
    EXPECT_EQ(bytes->size(), t.at("bytes").get<std::uint64_t>()) << key;
    list += (list.empty() ? "" : ", ") + sql_quote(dir_of(processed_url) + "/" + key);
  }
  if (list.empty()) return nlohmann::json::array();
  return duckdb_query("SELECT * FROM read_parquet([" + list + "]) ORDER BY ALL");
}

inline const std::vector<std::string>& warehouse_tables() {
  static const std::vector<std::string> kTables = {
      "dim_date",         "dim_staff",           "dim_location",     "dim_design",
      "dim_currency",     "dim_counterparty",    "dim_payment_type", "dim_transaction",
      "fact_sales_order", "fact_purchase_order", "fact_payment"};
  return kTables;
}

// Every object key under the table folders, _state/ and _rejected/ of a store.
inline std::set<std::string> data_objects(stores::ObjectStore& store) {
  std::set<std::string> out;
  auto listed = store.list("");
  if (!listed) throw std::runtime_error(listed.error().message);
  for (const auto& o : *listed) {
    if (o.key.rfind("_manifests/", 0) != 0) out.insert(o.key);
  }
  return out;
}

// Every object the transform manifests of a store name (tables, state, rejects).
inline std::set<std::string> referenced_objects(stores::ObjectStore& store) {
  std::set<std::string> out;
  for (const auto& m : manifests(store)) {
    for (const auto& [name, t] : m.at("tables").items()) {
      if (!t.at("key").is_null()) out.insert(t.at("key").get<std::string>());
    }
    for (const auto& [name, s] : m.at("state").at("current").items())
      out.insert(s.at("key").get<std::string>());
    for (const auto& [name, r] : m.at("rejected").items()) out.insert(r.at("key").get<std::string>());
  }
  return out;
}

}  // namespace dwh::test::transform_support
