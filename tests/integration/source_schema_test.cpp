// `dwh source init` against the reference: the schema it builds equals the real database's DDL
// (tests/golden/totesys/totesys_oltp.sql, loaded into a second database), by our catalog
// reader and, independently, by information_schema; init is idempotent; and a database that
// holds anything else is refused with a message naming the difference, untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dwh/source/catalog.hpp"
#include "dwh/source/schema_init.hpp"
#include "postgres_fixture.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
using source::Catalog;
using source::InitOutcome;

// The reference DDL without its seed rows, sequence settings and comments.
std::string reference_ddl() {
  std::ifstream in(fs::path(DWH_SOURCE_DIR) / "tests" / "golden" / "totesys" / "totesys_oltp.sql");
  std::string line, text;
  while (std::getline(in, line)) {
    const auto comment = line.find("--");
    text += line.substr(0, comment) + "\n";
  }
  std::string ddl;
  std::stringstream statements(text);
  std::string statement;
  int kept = 0;
  while (std::getline(statements, statement, ';')) {
    const auto start = statement.find_first_not_of(" \n\t");
    if (start == std::string::npos) continue;
    const std::string body = statement.substr(start);
    for (const char* prefix : {"CREATE TYPE", "CREATE TABLE", "CREATE UNIQUE INDEX", "ALTER TABLE"}) {
      if (body.rfind(prefix, 0) == 0) {
        ddl += body + ";\n";
        ++kept;
        break;
      }
    }
  }
  // 2 enums, 11 tables, 3 unique indexes, 17 foreign keys.
  EXPECT_EQ(kept, 33) << "the reference file changed shape";
  return ddl;
}

Catalog catalog_of(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  return source::read_catalog(tx, "public");
}

// Rows as "a|b|c" strings: a comparison that does not go through our catalog reader.
std::vector<std::string> rows(const std::string& url, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : PostgresFixture::run_sql(url, sql)) {
    std::string line;
    for (const auto& field : row)
      line += (line.empty() ? "" : "|") + std::string(field.is_null() ? "NULL" : field.c_str());
    out.push_back(line);
  }
  return out;
}

Result<InitOutcome> init(const std::string& url) {
  pqxx::connection conn(url);
  return source::init_schema(conn);
}

std::string init_error(const std::string& url) {
  auto r = init(url);
  EXPECT_FALSE(r) << "init accepted a database holding another schema";
  if (r) return {};
  EXPECT_EQ(r.error().code, "SchemaMismatch") << r.error().message;
  return r.error().message;
}

class SourceSchema : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& pg = PostgresFixture::instance();
    ours_ = new TestDatabase(pg.create_database("schema_ours"));
    reference_ = new TestDatabase(pg.create_database("schema_reference"));
    auto r = init(ours_->url);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(*r, InitOutcome::Created);
    PostgresFixture::run_sql(reference_->url, reference_ddl());
  }
  static void TearDownTestSuite() {
    delete ours_;
    delete reference_;
  }
  static TestDatabase* ours_;
  static TestDatabase* reference_;
};
TestDatabase* SourceSchema::ours_ = nullptr;
TestDatabase* SourceSchema::reference_ = nullptr;

TEST_F(SourceSchema, InitBuildsExactlyTheReferenceCatalog) {
  const Catalog ours = catalog_of(ours_->url);
  const Catalog reference = catalog_of(reference_->url);
  const auto diffs = source::compare_catalogs(reference, ours);
  EXPECT_TRUE(diffs.empty()) << source::format_differences(diffs, 100);
  EXPECT_EQ(ours.relations.size(), 11u);
  EXPECT_EQ(ours.types.size(), 2u);
  EXPECT_EQ(ours.sequences.size(), 11u);
  std::size_t constraints = 0, indexes = 0;
  for (const auto& [name, r] : ours.relations) {
    constraints += r.constraints.size();
    indexes += r.indexes.size();
  }
  EXPECT_EQ(constraints, 11u + 17u);  // primary keys + foreign keys
  EXPECT_EQ(indexes, 11u + 3u);       // primary keys + unique indexes
}

TEST_F(SourceSchema, InformationSchemaAgreesToo) {
  const std::string columns =
      "SELECT table_name, column_name, ordinal_position, data_type, udt_name, character_maximum_length, "
      "numeric_precision, numeric_scale, datetime_precision, is_nullable, column_default "
      "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position";
  const std::string constraints =
      "SELECT tc.table_name, tc.constraint_name, tc.constraint_type, rc.update_rule, rc.delete_rule, "
      "  tc.is_deferrable, kcu.column_name "
      "FROM information_schema.table_constraints tc "
      "LEFT JOIN information_schema.referential_constraints rc "
      "  ON rc.constraint_schema = tc.constraint_schema AND rc.constraint_name = tc.constraint_name "
      "LEFT JOIN information_schema.key_column_usage kcu "
      "  ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name "
      "WHERE tc.table_schema = 'public' AND tc.constraint_type <> 'CHECK' ORDER BY 1, 2";
  const std::string indexes =
      "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 2";
  const std::string enums =
      "SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
      "ORDER BY 1, 3";
  for (const auto& sql : {columns, constraints, indexes, enums}) {
    const auto ours = rows(ours_->url, sql);
    EXPECT_FALSE(ours.empty()) << sql;
    EXPECT_EQ(ours, rows(reference_->url, sql)) << sql;
  }
}

TEST_F(SourceSchema, HasTheRealDatabasesDetails) {
  // Spot checks of what the issue names, straight from information_schema.
  auto value = [&](const std::string& sql) { return PostgresFixture::query_value(ours_->url, sql); };
  EXPECT_EQ(value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                  "WHERE attrelid = 'sales_order'::regclass AND attname = 'unit_price'"),
            "numeric(10,2)");
  EXPECT_EQ(value("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                  "WHERE attrelid = 'payment'::regclass AND attname = 'created_at'"),
            "timestamp(3) without time zone");
  EXPECT_EQ(value("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                  "AND column_name = 'last_updated' AND column_default IS NULL AND is_nullable = 'NO'"),
            "11");
  EXPECT_EQ(value("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                  "AND column_name = 'created_at' AND column_default = 'CURRENT_TIMESTAMP'"),
            "11");
  EXPECT_EQ(value("SELECT delete_rule || ' ' || update_rule FROM information_schema.referential_constraints "
                  "WHERE constraint_name = 'transaction_sales_order_id_fkey'"),
            "SET NULL CASCADE");
  EXPECT_EQ(value("SELECT delete_rule FROM information_schema.referential_constraints "
                  "WHERE constraint_name = 'payment_transaction_id_fkey'"),
            "RESTRICT");
  EXPECT_EQ(
      value("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns "
            "WHERE table_name = 'design'"),
      "design_id,created_at,design_name,file_location,file_name,last_updated");
  EXPECT_EQ(value("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum "
                  "WHERE enumtypid = '\"PaymentTypeName\"'::regtype"),
            "SALES_RECEIPT,SALES_REFUND,PURCHASE_PAYMENT,PURCHASE_REFUND");
}

TEST_F(SourceSchema, InitIsIdempotent) {
  const Catalog before = catalog_of(ours_->url);
  for (int i = 0; i < 2; ++i) {
    auto r = init(ours_->url);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, InitOutcome::AlreadyInitialised);
  }
  EXPECT_TRUE(source::compare_catalogs(before, catalog_of(ours_->url)).empty());
}

TEST_F(SourceSchema, TheReferenceItselfCountsAsInitialised) {
  auto r = init(reference_->url);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, InitOutcome::AlreadyInitialised);
}

TEST(SourceSchemaInit, ConcurrentInitsCreateOnce) {
  const auto db = PostgresFixture::instance().create_database("schema_race");
  std::vector<Result<InitOutcome>> results(3, make_error("NotRun", ""));
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&r, &db] { r = init(db.url); });
  for (auto& t : threads) t.join();
  int created = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().message;
    created += *r == InitOutcome::Created ? 1 : 0;
  }
  EXPECT_EQ(created, 1);
}

// A database initialised, then changed by `alter`: init must refuse and name the change.
struct Mismatch {
  const char* name;
  const char* alter;
  std::vector<std::string> expected_in_message;
};

class SourceSchemaMismatch : public ::testing::TestWithParam<Mismatch> {};

TEST_P(SourceSchemaMismatch, IsRefusedNamingTheDifferenceAndLeftAlone) {
  const auto& m = GetParam();
  const auto db = PostgresFixture::instance().create_database(std::string("mismatch_") + m.name);
  ASSERT_TRUE(init(db.url));
  PostgresFixture::run_sql(db.url, m.alter);
  const Catalog before = catalog_of(db.url);
  const std::string message = init_error(db.url);
  for (const auto& part : m.expected_in_message) EXPECT_NE(message.find(part), std::string::npos) << message;
  EXPECT_TRUE(source::compare_catalogs(before, catalog_of(db.url)).empty()) << "init changed the database";
  pqxx::connection conn(db.url);
  auto checked = source::check_schema(conn);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "SchemaMismatch");
}

INSTANTIATE_TEST_SUITE_P(
    Differences, SourceSchemaMismatch,
    ::testing::Values(
        Mismatch{"type",
                 "ALTER TABLE sales_order ALTER COLUMN unit_price TYPE numeric",
                 {"sales_order", "unit_price", "type is numeric, expected numeric(10,2)"}},
        Mismatch{
            "timestamp",
            "ALTER TABLE payment ALTER COLUMN last_updated TYPE timestamp",
            {"payment", "last_updated", "timestamp without time zone", "timestamp(3) without time zone"}},
        Mismatch{"nullability",
                 "ALTER TABLE staff ALTER COLUMN email_address DROP NOT NULL",
                 {"staff column email_address: nullable, expected NOT NULL"}},
        Mismatch{"default",
                 "ALTER TABLE address ALTER COLUMN last_updated SET DEFAULT now()",
                 {"address column last_updated: default now(), expected no default"}},
        Mismatch{
            "fk_action",
            "ALTER TABLE payment DROP CONSTRAINT payment_transaction_id_fkey; "
            "ALTER TABLE payment ADD CONSTRAINT payment_transaction_id_fkey FOREIGN KEY (transaction_id) "
            "REFERENCES transaction(transaction_id) ON UPDATE CASCADE ON DELETE CASCADE",
            {"payment constraint payment_transaction_id_fkey", "ON DELETE CASCADE", "ON DELETE RESTRICT"}},
        Mismatch{"unique_index",
                 "DROP INDEX transaction_sales_order_id_key",
                 {"transaction index transaction_sales_order_id_key: missing"}},
        Mismatch{"extra_column",
                 "ALTER TABLE currency ADD COLUMN currency_name text",
                 {"currency column currency_name: is not expected"}},
        Mismatch{"extra_table",
                 "CREATE TABLE dim_staff (staff_id int PRIMARY KEY)",
                 {"table dim_staff: is not part of the expected schema"}},
        Mismatch{"enum",
                 "ALTER TYPE \"TransactionType\" ADD VALUE 'REFUND'",
                 {"type \"TransactionType\"", "'REFUND'"}},
        Mismatch{"column_order",
                 "ALTER TABLE department DROP COLUMN manager; ALTER TABLE department ADD COLUMN manager text",
                 {"department: column order is"}}),
    [](const ::testing::TestParamInfo<Mismatch>& info) { return std::string(info.param.name); });

TEST(SourceSchemaInit, RefusesAnUnrelatedSchemaAndCreatesNothing) {
  const auto db = PostgresFixture::instance().create_database("schema_foreign");
  PostgresFixture::run_sql(
      db.url, "CREATE TABLE dim_date (date_id date PRIMARY KEY); CREATE VIEW v AS SELECT 1 AS one");
  const std::string message = init_error(db.url);
  EXPECT_NE(message.find("table dim_date: is not part of the expected schema"), std::string::npos) << message;
  EXPECT_NE(message.find("view v"), std::string::npos) << message;
  EXPECT_NE(message.find("table sales_order: missing"), std::string::npos) << message;
  EXPECT_EQ(
      PostgresFixture::query_value(db.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
      "1");
}

TEST(SourceSchemaInit, RefusesAPartialSchema) {
  const auto db = PostgresFixture::instance().create_database("schema_partial");
  PostgresFixture::run_sql(db.url, "CREATE TYPE \"TransactionType\" AS ENUM ('SALE', 'PURCHASE')");
  const std::string message = init_error(db.url);
  EXPECT_NE(message.find("type \"PaymentTypeName\": missing"), std::string::npos) << message;
  pqxx::connection conn(db.url);
  auto checked = source::check_schema(conn);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "SchemaMismatch");
}

TEST(SourceSchemaInit, CheckSchemaOnAnEmptyDatabaseSaysRunInit) {
  const auto db = PostgresFixture::instance().create_database("schema_empty");
  pqxx::connection conn(db.url);
  auto checked = source::check_schema(conn);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, "SchemaMissing");
  EXPECT_NE(checked.error().message.find("dwh source init"), std::string::npos);
}

}  // namespace
}  // namespace dwh::test
