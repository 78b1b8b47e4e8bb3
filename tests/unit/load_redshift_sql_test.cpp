// The exact SQL the load job sends to Redshift, pinned by golden files: Redshift cannot run
// here, so these files are what docs/load.md checks against Redshift's documented syntax, and
// any change to a statement shows up in review as a change to a golden file.
// To regenerate after an intended change: DWH_UPDATE_GOLDEN=1 build/tests/dwh_unit_tests
// --gtest_filter='LoadRedshiftSql*', then review the diff of tests/golden/load/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../jobs/load/src/sql.hpp"
#include "dwh/model/model.hpp"

namespace dwh::load {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(DWH_SOURCE_DIR) / "tests/golden/load/redshift";
constexpr const char* kRole = "arn:aws:iam::123456789012:role/dwh-load";
constexpr const char* kProcessed = "s3://dwh-processed/totesys";
constexpr const char* kRun = "20261121T102233123Z-1a2b3c4d";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  const fs::path path = kGolden / name;
  if (std::getenv("DWH_UPDATE_GOLDEN")) {
    fs::create_directories(kGolden);
    std::ofstream(path, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing (DWH_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(read(path), actual) << "the Redshift SQL for " << name << " changed";
}

// The statements of one table's part of a load, in the order the job sends them (the
// null_examples queries only when count_nulls found a NULL in that column).
std::string table_statements(const model::Model& m) {
  const std::string manifest =
      std::string(kProcessed) + "/_load/redshift/" + kRun + "/" + m.table + ".manifest";
  std::vector<std::string> s = {sql::drop_stage(m), sql::create_stage(m, Dialect::Redshift),
                                sql::copy_from_s3(m, manifest, kRole)};
  if (!sql::count_nulls(m).empty()) s.push_back(sql::count_nulls(m));
  for (const auto& c : sql::not_null_columns(m)) s.push_back(sql::null_examples(m, c));
  if (!sql::duplicate_keys(m).empty()) s.push_back(sql::duplicate_keys(m));
  if (m.kind == model::ModelKind::Fact) {
    for (const auto& c : m.columns) {
      if (!c.references_table.empty()) s.push_back(sql::unresolved_references(m, c));
    }
    s.push_back(sql::append_facts(m, Dialect::Redshift));
  } else {
    s.push_back(sql::upsert_dimension(m, Dialect::Redshift));
    for (const auto& c : m.columns) {
      if (!c.references_table.empty()) s.push_back(sql::unresolved_references(m, c));
    }
  }
  std::string out;
  for (const auto& stmt : s) out += stmt + ";\n";
  return out;
}

TEST(LoadRedshiftSql, EveryTotesysTableMatchesItsGoldenFile) {
  auto dataset = model::load_dataset(fs::path(DWH_SOURCE_DIR) / "models/totesys");
  ASSERT_TRUE(dataset) << dataset.error().message;
  ASSERT_EQ(dataset->models.size(), 11u);
  for (const auto& m : dataset->models) expect_golden(m.table + ".sql", table_statements(m));
}

TEST(LoadRedshiftSql, ControlStatementsAndCopyManifestMatchTheirGoldenFiles) {
  auto dataset = model::load_dataset(fs::path(DWH_SOURCE_DIR) / "models/totesys");
  ASSERT_TRUE(dataset) << dataset.error().message;
  std::vector<const model::Model*> facts;
  for (const auto& m : dataset->models) {
    if (m.kind == model::ModelKind::Fact) facts.push_back(&m);
  }
  std::string out;
  for (const auto& stmt :
       {std::string("BEGIN"), sql::lock(Dialect::Redshift), sql::is_loaded(kRun), sql::last_loaded_run(),
        sql::newest_source_change(facts, sql::Rows::Staged),
        sql::record_manifest(kRun, std::string("_manifests/transform/") + kRun + ".json",
                             std::string(64, 'a'), "totesys", R"({"dim_date":{"staged":10,"written":10}})",
                             1.5, "2026-11-21 10:22:33.123000"),
        std::string("COMMIT"), sql::load_errors()}) {
    out += stmt + ";\n";
  }
  expect_golden("control.sql", out);
  expect_golden("copy_manifest.json",
                sql::copy_manifest(
                    std::string(kProcessed) + "/fact_sales_order/2026/11/21/" + kRun + ".parquet", 123456));
}

TEST(LoadRedshiftSql, NoNewestChangeIsRecordedAsNull) {
  const std::string sql = sql::record_manifest(kRun, "k", std::string(64, 'a'), "totesys", "{}", 0.25);
  EXPECT_NE(sql.find(", 0.250, NULL)"), std::string::npos) << sql;
  EXPECT_EQ(sql::newest_source_change({}, sql::Rows::Staged), "") << "a load without facts records no change";
}

TEST(LoadRedshiftSql, NamesAndValuesAreQuoted) {
  EXPECT_EQ(sql::ident("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(sql::literal("'; DROP TABLE x; --"), "'''; DROP TABLE x; --'");
  model::Model m;
  m.table = "t\"x";
  m.kind = model::ModelKind::Dimension;
  m.natural_key = {"id"};
  model::ModelColumn id;
  id.name = "id";
  id.sql_type = "int";
  id.parquet = {"id", parquet::LogicalType::Int32, false};
  m.columns = {id};
  // A table of key columns only still gives Redshift the WHEN MATCHED clause it requires.
  EXPECT_EQ(
      sql::upsert_dimension(m, Dialect::Redshift),
      "MERGE INTO \"t\"\"x\" USING \"_dwh_stage_t\"\"x\" s ON \"t\"\"x\".\"id\" = s.\"id\" WHEN MATCHED THEN "
      "UPDATE SET \"id\" = s.\"id\" WHEN NOT MATCHED THEN INSERT (\"id\") VALUES (s.\"id\")");
  EXPECT_EQ(
      sql::copy_from_s3(m, "s3://b/it's.manifest", "arn:x"),
      "COPY \"_dwh_stage_t\"\"x\" FROM 's3://b/it''s.manifest' IAM_ROLE 'arn:x' FORMAT AS PARQUET MANIFEST");
}

}  // namespace
}  // namespace dwh::load
