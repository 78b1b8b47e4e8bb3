// dwh warehouse init: the schema built from the models matches the reference warehouse DDL
// (tests/golden/transform/totesys_warehouse.sql, loaded into another database and compared in
// the catalogs), is idempotent, migrates added columns and refuses incompatible changes
// without touching anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;

ProcessResult dwh(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {});
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kTables =
    "('dim_date','dim_staff','dim_location','dim_design','dim_currency','dim_counterparty','dim_payment_type'"
    ","
    "'dim_transaction','fact_sales_order','fact_purchase_order','fact_payment')";

// Every column of the 11 tables: position, name, type, NOT NULL, default-is-a-sequence.
std::string columns(const std::string& url) {
  return PostgresFixture::query_value(
      url,
      "SELECT string_agg(format('%s.%s:%s:%s:%s:%s', c.relname, a.attnum, a.attname, "
      "format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE "
      "'nextval%', false)), "
      "E'\\n' ORDER BY c.relname, a.attnum) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
      "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
      "WHERE c.relname IN " +
          kTables + " AND a.attnum > 0 AND NOT a.attisdropped");
}

// Primary keys and foreign keys, by columns (constraint names differ and do not matter).
std::string keys(const std::string& url) {
  return PostgresFixture::query_value(
      url,
      "SELECT string_agg(line, E'\\n' ORDER BY line) FROM (SELECT format('%s %s (%s) -> %s (%s)', c.relname, "
      "k.contype, "
      "(SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = k.conrelid AND "
      "attnum = ANY(k.conkey)), "
      "coalesce(f.relname, ''), "
      "coalesce((SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = "
      "k.confrelid AND attnum = ANY(k.confkey)), '')) AS line "
      "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
      "LEFT JOIN pg_class f ON f.oid = k.confrelid WHERE c.relname IN " +
          kTables + " AND k.contype IN ('p', 'f')) x");
}

TEST(WarehouseInit, SchemaEqualsTheReferenceDdlAndSecondRunChangesNothing) {
  auto& pg = PostgresFixture::instance();
  const auto reference = pg.create_database("wh_reference");
  PostgresFixture::run_sql(
      reference.url, read_file(fs::path(DWH_SOURCE_DIR) / "tests/golden/transform/totesys_warehouse.sql"));
  const auto ours = pg.create_database("wh_ours");

  const auto first =
      dwh({"warehouse", "init", "--warehouse", ours.url, "--model", DWH_SOURCE_DIR "/models/totesys"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("\"fact_sales_order\""), std::string::npos) << first.out;
  const std::string our_columns = columns(ours.url);
  EXPECT_EQ(our_columns, columns(reference.url));
  EXPECT_EQ(std::count(our_columns.begin(), our_columns.end(), '\n') + 1, 87)
      << "every column of the 11 tables (44 in dims, 43 in facts)";
  const std::string our_keys = keys(ours.url);
  EXPECT_EQ(our_keys, keys(reference.url));
  EXPECT_EQ(std::count(our_keys.begin(), our_keys.end(), '\n') + 1, 35)
      << "11 primary keys and 24 foreign keys";

  // Views answer on the empty warehouse (each is valid SQL over the tables it names).
  for (const char* view : {"fact_sales_order_current", "sales_revenue_by_month_currency",
                           "sales_units_by_design", "sales_revenue_by_staff", "sales_by_counterparty_country",
                           "purchases_and_payments_by_month", "warehouse_freshness"}) {
    EXPECT_NO_THROW(PostgresFixture::run_sql(ours.url, std::string("SELECT * FROM ") + view)) << view;
  }

  PostgresFixture::run_sql(
      ours.url, "INSERT INTO dim_design VALUES (1, 'Wooden', '/usr', 'wooden-20220717-npgz.json')");
  const auto second =
      dwh({"warehouse", "init", "--warehouse", ours.url, "--model", DWH_SOURCE_DIR "/models/totesys"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("\"created_tables\":[]"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("\"added_columns\":[]"), std::string::npos) << second.out;
  EXPECT_EQ(PostgresFixture::query_value(ours.url, "SELECT design_name FROM dim_design"), "Wooden");
}

class WarehouseMigration : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = PostgresFixture::instance().create_database("wh_migrate");
    models_ = fs::path(make_temp_dir("wh-models")) / "totesys";
    fs::copy(fs::path(DWH_SOURCE_DIR) / "models/totesys", models_, fs::copy_options::recursive);
    const auto init = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    PostgresFixture::run_sql(db_.url, "INSERT INTO dim_design VALUES (7, 'Steel', '/usr', 'steel.json')");
  }
  void append(const std::string& file, const std::string& text) {
    std::ofstream(models_ / file, std::ios::app) << text;
  }
  void replace(const std::string& file, const std::string& from, const std::string& to) {
    std::string body = read_file(models_ / file);
    const auto at = body.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    body.replace(at, from.size(), to);
    std::ofstream(models_ / file, std::ios::trunc) << body;
  }
  TestDatabase db_;
  fs::path models_;
};

TEST_F(WarehouseMigration, AddedNullableColumnIsAddedAndDataKept) {
  append("dim_design.toml",
         "\n[[column]]\nname = \"design_family\"\ntype = \"varchar\"\nop = \"constant\"\nvalue = \"core\"\n");
  const auto r = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dim_design.design_family"), std::string::npos) << r.out;
  EXPECT_EQ(PostgresFixture::query_value(
                db_.url, "SELECT design_name || ':' || coalesce(design_family, 'null') FROM dim_design"),
            "Steel:null");
}

TEST_F(WarehouseMigration, ControlTableOfAnEarlierReleaseGainsNewestSourceChangeAndKeepsItsRows) {
  // As an earlier release left it: no such column, and a view that did not read it.
  PostgresFixture::run_sql(
      db_.url,
      "ALTER TABLE dwh_loaded_manifests DROP COLUMN newest_source_change CASCADE;"
      "INSERT INTO dwh_loaded_manifests (run_id, manifest_key, manifest_sha256, model, "
      "row_counts, load_seconds) VALUES ('r1', 'k', repeat('a', 64), 'totesys', '{}', 1.5)");
  const auto r = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dwh_loaded_manifests.newest_source_change"), std::string::npos) << r.out;
  EXPECT_EQ(
      PostgresFixture::query_value(db_.url,
                                   "SELECT run_id || ':' || coalesce(newest_source_change::text, 'null') "
                                   "FROM dwh_loaded_manifests"),
      "r1:null");
  EXPECT_EQ(PostgresFixture::query_value(db_.url, "SELECT loads FROM warehouse_freshness"), "1");
  const auto again = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("\"added_columns\":[]"), std::string::npos) << again.out;
}

TEST_F(WarehouseMigration, TypeChangeIsRefusedNamingTableAndColumnAndNothingChanges) {
  // Two changes at once: an addable column and an incompatible type. Neither may be applied.
  append("dim_design.toml",
         "\n[[column]]\nname = \"design_family\"\ntype = \"varchar\"\nop = \"constant\"\nvalue = \"core\"\n");
  replace("fact_sales_order.toml", "name = \"units_sold\"\ntype = \"int\"",
          "name = \"units_sold\"\ntype = \"bigint\"");
  const auto r = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fact_sales_order"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("units_sold is integer in the warehouse but bigint"), std::string::npos) << r.err;
  EXPECT_EQ(
      PostgresFixture::query_value(
          db_.url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'design_family'"),
      "0");
}

TEST_F(WarehouseMigration, DroppedColumnAndNewNotNullColumnOnRowsAreRefused) {
  replace("dim_design.toml",
          "[[column]]\nname = \"file_name\"\ntype = \"varchar\"\nnullable = false\nfrom = \"file_name\"\n",
          "");
  auto r = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("file_name (character varying) is in the warehouse but not in the model"),
            std::string::npos)
      << r.err;

  fs::remove_all(models_);
  fs::copy(fs::path(DWH_SOURCE_DIR) / "models/totesys", models_, fs::copy_options::recursive);
  append("dim_design.toml",
         "\n[[column]]\nname = \"design_family\"\ntype = \"varchar\"\nnullable = false\nop = "
         "\"constant\"\nvalue = \"core\"\n");
  r = dwh({"warehouse", "init", "--warehouse", db_.url, "--model", models_.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("design_family is NOT NULL but the table already has rows"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace dwh::test
