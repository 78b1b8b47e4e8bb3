// dwh transform on a landing made by the real ingest from a real PostgreSQL: the same input on
// file:// and on s3:// (s3rver) gives byte-identical Parquet; the CLI's report and logs; the
// processed store holds exactly what the manifest names.
#include <gtest/gtest.h>

#include "dwh/aws/s3.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ledger/layout.hpp"
#include "s3rver.hpp"
#include "transform_test_support.hpp"

namespace dwh::test {
namespace {

using namespace transform_support;
using nlohmann::json;

// Copies every object of one store into another under the same keys.
void copy_store(stores::ObjectStore& from, stores::ObjectStore& to) {
  auto listed = from.list("");
  ASSERT_TRUE(listed) << listed.error().message;
  for (const auto& o : *listed) {
    auto bytes = from.get(o.key);
    ASSERT_TRUE(bytes) << o.key;
    ASSERT_TRUE(to.put(o.key, *bytes)) << o.key;
  }
}

TEST(TransformRun, FileAndS3GiveByteIdenticalParquet) {
  auto& s3 = S3rver::instance();
  const auto db = make_totesys_source("tr_s3", 0.1);
  const std::string bucket = unique_bucket("transform");
  {
    auto client = aws::s3::Client::create(s3.client_options());
    ASSERT_TRUE(client) << client.error().message;
    ASSERT_TRUE((*client)->create_bucket(bucket));
  }
  const std::string file_landing = "file://" + make_temp_dir("tr-s3-landing");
  const std::string file_processed = "file://" + make_temp_dir("tr-s3-processed");
  const std::string s3_landing = "s3://" + bucket + "/landing";
  const std::string s3_processed = "s3://" + bucket + "/processed/zone";
  ingest(db.url, file_landing);
  PostgresFixture::run_sql(
      db.url,
      "UPDATE address SET city = 'Zürich', last_updated = now() AT TIME ZONE 'UTC' WHERE address_id = 1");
  ingest(db.url, file_landing);
  {
    auto from = stores::open_store(file_landing);
    auto to = stores::open_store(s3_landing, s3.client_options());
    ASSERT_TRUE(from && to);
    copy_store(**from, **to);
  }

  auto on_file = transform(file_landing, file_processed);
  ASSERT_TRUE(on_file) << on_file.error().message;
  auto on_s3 = transform(s3_landing, s3_processed, false, s3.client_options());
  ASSERT_TRUE(on_s3) << on_s3.error().message;

  auto file_store = stores::open_store(file_processed);
  auto s3_store = stores::open_store(s3_processed, s3.client_options());
  ASSERT_TRUE(file_store && s3_store);
  ASSERT_EQ(on_file->tables.size(), 11u);
  ASSERT_EQ(on_s3->tables.size(), 11u);
  for (std::size_t i = 0; i < on_file->tables.size(); ++i) {
    const auto& f = on_file->tables[i];
    const auto& s = on_s3->tables[i];
    ASSERT_EQ(f.table, s.table);
    ASSERT_FALSE(f.key.empty()) << f.table;
    auto fb = (*file_store)->get(f.key);
    auto sb = (*s3_store)->get(s.key);
    ASSERT_TRUE(fb && sb) << f.table;
    EXPECT_GT(fb->size(), 8u);
    EXPECT_TRUE(*fb == *sb) << f.table << ": the Parquet bytes differ between file:// and s3://";
    EXPECT_EQ(f.sha256, s.sha256) << f.table;
    EXPECT_EQ(f.rows, s.rows) << f.table;
  }
  // Both stores hold exactly what their manifests name (Parquet, state).
  EXPECT_EQ(data_objects(**file_store), referenced_objects(**file_store));
  EXPECT_EQ(data_objects(**s3_store), referenced_objects(**s3_store));
}

// The CLI: one JSON report on stdout, JSON log lines (one per table, one summary) on stderr; the
// manifest names the consumed ingest run (with its manifest's checksum) and per table the object,
// rows, bytes and SHA-256 of what is stored; other compressions read back the same rows.
TEST(TransformRun, CliReportManifestAndCompressions) {
  const auto db = make_totesys_source("tr_cli", 0.05);
  const std::string landing = "file://" + make_temp_dir("tr-cli-landing");
  const auto ingested = ingest(db.url, landing);
  std::map<std::string, json> by_compression;
  for (const std::string compression : {"snappy", "zstd", "none"}) {
    const std::string processed = "file://" + make_temp_dir("tr-cli-" + compression);
    const auto r = run_process({DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed,
                                "--model", model_dir(), "--compression", compression});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("status"), "committed");
    EXPECT_EQ(report.at("consumed"), json::array({ingested.run_id}));
    EXPECT_EQ(report.at("tables").size(), 11u);
    int table_lines = 0, summary_lines = 0;
    std::size_t pos = 0;
    while (pos < r.err.size()) {
      const auto end = r.err.find('\n', pos);
      const json line = json::parse(r.err.substr(pos, end - pos));
      pos = end == std::string::npos ? r.err.size() : end + 1;
      EXPECT_EQ(line.at("job"), "transform");
      if (line.at("message") == "table transformed") {
        ++table_lines;
        EXPECT_TRUE(line.at("figures").contains("rows_in"));
        EXPECT_TRUE(line.at("figures").contains("seconds"));
      }
      if (line.at("message") == "transform committed") ++summary_lines;
    }
    EXPECT_EQ(table_lines, 11);
    EXPECT_EQ(summary_lines, 1);

    auto store = stores::open_store(processed);
    ASSERT_TRUE(store);
    const auto ms = manifests(**store);
    ASSERT_EQ(ms.size(), 1u);
    const json& m = ms[0];
    EXPECT_EQ(m.at("run_id"), report.at("run_id"));
    EXPECT_EQ(m.at("dataset"), "totesys");
    EXPECT_EQ(m.at("last_ingest_run"), ingested.run_id);
    auto ingest_manifest =
        stores::open_store(landing).value()->get(ledger::ingest_manifest_key(ingested.run_id));
    ASSERT_TRUE(ingest_manifest);
    EXPECT_EQ(m.at("consumed").at(0).at("run_id"), ingested.run_id);
    EXPECT_EQ(m.at("consumed").at(0).at("sha256").get<std::string>().size(), 64u);
    for (const auto& table : warehouse_tables()) {
      const json& t = m.at("tables").at(table);
      ASSERT_FALSE(t.at("key").is_null()) << table;
      const std::string key = t.at("key").get<std::string>();
      EXPECT_EQ(key, table + "/" + core::run_id_date_path(report.at("run_id").get<std::string>()).value() +
                         "/" + report.at("run_id").get<std::string>() + ".parquet");
      auto bytes = (*store)->get(key);
      ASSERT_TRUE(bytes) << key;
      EXPECT_EQ(bytes->size(), t.at("bytes").get<std::uint64_t>());
      const json rows = parquet_rows(dir_of(processed) + "/" + key);
      EXPECT_EQ(rows.size(), t.at("rows").get<std::uint64_t>()) << table;
      by_compression[table + "/" + compression] = rows;
    }
    EXPECT_FALSE(m.at("state").at("calendars").at("dim_date").at("min").get<std::string>().empty());
    EXPECT_TRUE(m.at("state").at("current").contains("department"));
    EXPECT_EQ(data_objects(**store), referenced_objects(**store));
  }
  for (const auto& table : warehouse_tables()) {
    EXPECT_EQ(by_compression[table + "/snappy"], by_compression[table + "/zstd"]) << table;
    EXPECT_EQ(by_compression[table + "/snappy"], by_compression[table + "/none"]) << table;
  }
}

}  // namespace
}  // namespace dwh::test
