// The real dataset, models/totesys, against the reference DDL: the 11 warehouse tables with
// exactly the columns, order, types, nullability and foreign keys of totesys_warehouse.sql, and
// sources.toml with every column of totesys_oltp.sql. The DDL is parsed here, at test time,
// from /work/shared/reference/ when present, else from the copies under tests/golden/.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "dwh/core/strings.hpp"
#include "dwh/model/model.hpp"

namespace dwh::model {
namespace {

namespace fs = std::filesystem;
using parquet::LogicalType;

const fs::path kModels = fs::path(DWH_SOURCE_DIR) / "models" / "totesys";

std::string read_reference(const std::string& name, const fs::path& golden) {
  const fs::path shared = fs::path("/work/shared/reference") / name;
  const fs::path path = fs::exists(shared) ? shared : golden;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

struct DdlColumn {
  std::string name;
  std::string type;  // lower case, no spaces inside parentheses: "numeric(10,2)"
  bool not_null = false;
  std::string references;  // "dim_date.date_id" or ""
};

// CREATE TABLE name ( column definitions ) from a DDL file, comments removed. Table-level
// CONSTRAINT lines are skipped.
std::map<std::string, std::vector<DdlColumn>> parse_ddl(const std::string& sql) {
  std::string text;
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line);) {
    const auto dash = line.find("--");
    text += (dash == std::string::npos ? line : line.substr(0, dash)) + "\n";
  }
  std::map<std::string, std::vector<DdlColumn>> tables;
  std::size_t pos = 0;
  while ((pos = text.find("CREATE TABLE ", pos)) != std::string::npos) {
    pos += 13;
    const std::size_t open = text.find('(', pos);
    const std::string name = trim(text.substr(pos, open - pos));
    int depth = 0;
    std::size_t i = open;
    std::vector<std::string> defs;
    std::string cur;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '(' && depth++ == 0) continue;
      if (c == ')' && --depth == 0) break;
      if (c == ',' && depth == 1) {
        defs.push_back(trim(cur));
        cur.clear();
        continue;
      }
      cur += c == '\n' ? ' ' : c;
    }
    defs.push_back(trim(cur));
    pos = i;
    auto& cols = tables[name];
    for (const std::string& def : defs) {
      std::istringstream words(def);
      DdlColumn c;
      words >> c.name;
      if (c.name == "CONSTRAINT" || c.name.empty()) continue;
      std::string word, type;
      std::vector<std::string> rest;
      bool in_type = true;
      while (words >> word) {
        const std::string up = core::lower(word);
        if (up == "not" || up == "null" || up == "primary" || up == "references" || up == "default")
          in_type = false;
        if (in_type) {
          type += (type.empty() || type.back() == '(' || word.front() == ')' ? "" : " ") + word;
        } else {
          rest.push_back(word);
        }
      }
      std::string t;
      int d = 0;
      for (char ch : core::lower(type)) {
        if (ch == '(') ++d;
        if (ch == ')') --d;
        if (!(ch == ' ' && (d > 0 || t.ends_with("numeric")))) t += ch;
      }
      c.type = t;
      for (std::size_t k = 0; k < rest.size(); ++k) {
        const std::string w = core::lower(rest[k]);
        if (w == "not" && k + 1 < rest.size() && core::lower(rest[k + 1]) == "null") c.not_null = true;
        if (w == "primary") c.not_null = true;
        if (w == "references" && k + 1 < rest.size()) {
          std::string r = rest[k + 1];  // dim_date(date_id)
          const auto p = r.find('(');
          c.references = r.substr(0, p) + "." + r.substr(p + 1, r.find(')') - p - 1);
        }
      }
      cols.push_back(c);
    }
  }
  return tables;
}

// The type decisions of issue 5, written out independently of the loader.
struct Expected {
  LogicalType type;
  int precision = 0;
  int scale = 0;
};
Expected expected_parquet(const std::string& sql) {
  if (sql == "int") return {LogicalType::Int32};
  if (sql == "varchar") return {LogicalType::String};
  if (sql == "date") return {LogicalType::Date};
  if (sql == "time") return {LogicalType::TimeMicros};
  if (sql == "timestamp") return {LogicalType::TimestampMicros};
  if (sql == "boolean") return {LogicalType::Boolean};
  if (sql == "numeric") return {LogicalType::Decimal, 18, 2};
  if (sql == "numeric(10,2)") return {LogicalType::Decimal, 10, 2};
  ADD_FAILURE() << "type not in the decisions: " << sql;
  return {LogicalType::String};
}

class TotesysModels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ds = load_dataset(kModels);
    ASSERT_TRUE(ds.ok()) << ds.error().message;
    dataset_ = new Dataset(std::move(ds).value());
  }
  static void TearDownTestSuite() {
    delete dataset_;
    dataset_ = nullptr;
  }
  static const Dataset& ds() { return *dataset_; }
  static const Model& model(std::string_view t) {
    const Model* m = dataset_->model(t);
    EXPECT_NE(m, nullptr) << t;
    return *m;
  }
  static Dataset* dataset_;
};
Dataset* TotesysModels::dataset_ = nullptr;

TEST_F(TotesysModels, HasTheElevenWarehouseTablesOfTheReferenceDdl) {
  const auto ddl = parse_ddl(read_reference(
      "totesys_warehouse.sql", fs::path(DWH_SOURCE_DIR) / "tests/golden/transform/totesys_warehouse.sql"));
  ASSERT_EQ(ddl.size(), 11u);
  ASSERT_EQ(ds().models.size(), 11u);
  EXPECT_EQ(ds().name, "totesys");
  for (const auto& [table, columns] : ddl) {
    SCOPED_TRACE(table);
    const Model* m = ds().model(table);
    ASSERT_NE(m, nullptr);
    std::vector<DdlColumn> data_columns;
    for (const DdlColumn& c : columns) {
      if (c.type == "serial") {
        EXPECT_EQ(m->kind, ModelKind::Fact);
        EXPECT_EQ(m->surrogate_key, c.name);
      } else {
        data_columns.push_back(c);
      }
    }
    ASSERT_EQ(m->columns.size(), data_columns.size());
    const parquet::Schema schema = parquet_schema(*m);
    ASSERT_EQ(schema.columns.size(), data_columns.size());
    for (std::size_t i = 0; i < data_columns.size(); ++i) {
      const DdlColumn& want = data_columns[i];
      const ModelColumn& got = m->columns[i];
      SCOPED_TRACE(want.name);
      EXPECT_EQ(got.name, want.name);
      EXPECT_EQ(got.sql_type, want.type);
      EXPECT_EQ(got.parquet.nullable, !want.not_null);
      EXPECT_EQ(got.references_table.empty() ? "" : got.references_table + "." + got.references_column,
                want.references);
      const Expected e = expected_parquet(want.type);
      EXPECT_EQ(schema.columns[i].name, want.name);
      EXPECT_EQ(schema.columns[i].type, e.type);
      EXPECT_EQ(schema.columns[i].precision, e.precision);
      EXPECT_EQ(schema.columns[i].scale, e.scale);
      EXPECT_EQ(schema.columns[i].nullable, !want.not_null);
    }
  }
}

// Source types as ingest lands them (json_lines.hpp), from the OLTP DDL's types.
SourceType expected_source_type(const std::string& oltp_type) {
  if (oltp_type == "serial" || oltp_type == "integer") return SourceType::Integer;
  if (oltp_type.starts_with("numeric")) return SourceType::Decimal;
  if (oltp_type.starts_with("timestamp")) return SourceType::Timestamp;
  if (oltp_type == "boolean") return SourceType::Boolean;
  if (oltp_type == "date") return SourceType::Date;
  return SourceType::Text;  // text, character varying(3), the enums
}

TEST_F(TotesysModels, SourcesHaveEveryOltpColumnInOrder) {
  const auto ddl = parse_ddl(
      read_reference("totesys_oltp.sql", fs::path(DWH_SOURCE_DIR) / "tests/golden/totesys/totesys_oltp.sql"));
  ASSERT_EQ(ddl.size(), 11u);
  ASSERT_EQ(ds().sources.size(), 11u);
  for (const auto& [table, columns] : ddl) {
    SCOPED_TRACE(table);
    const SourceTable* s = ds().source(table);
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->columns.size(), columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      SCOPED_TRACE(columns[i].name);
      EXPECT_EQ(s->columns[i].name, columns[i].name);
      EXPECT_EQ(s->columns[i].nullable, !columns[i].not_null);
      EXPECT_EQ(s->columns[i].type, expected_source_type(columns[i].type)) << columns[i].type;
    }
    EXPECT_EQ(s->primary_key, std::vector<std::string>{s->columns[0].name});
    EXPECT_EQ(s->cursor, "last_updated");
  }
}

// sources.toml and ingest's configuration agree on every table's key and cursor.
TEST_F(TotesysModels, SourcesAgreeWithIngestConfig) {
  std::ifstream in(kModels / "ingest.json");
  const nlohmann::json config = nlohmann::json::parse(in);
  ASSERT_EQ(config.at("tables").size(), ds().sources.size());
  for (const auto& t : config.at("tables")) {
    const SourceTable* s = ds().source(t.at("name").get<std::string>());
    ASSERT_NE(s, nullptr) << t.at("name");
    EXPECT_EQ(s->primary_key, t.at("primary_key").get<std::vector<std::string>>());
    EXPECT_EQ(s->cursor, t.at("cursor").get<std::string>());
  }
}

TEST_F(TotesysModels, KindsKeysAndVersions) {
  for (const Model& m : ds().models) {
    SCOPED_TRACE(m.table);
    if (m.table == "dim_date") {
      EXPECT_EQ(m.kind, ModelKind::Calendar);
      EXPECT_TRUE(m.source.empty());
      EXPECT_EQ(m.natural_key, std::vector<std::string>{"date_id"});
    } else if (m.table.starts_with("fact_")) {
      EXPECT_EQ(m.kind, ModelKind::Fact);
      EXPECT_EQ(m.version_columns, (std::vector<std::string>{"last_updated_date", "last_updated_time"}));
      EXPECT_EQ(m.natural_key.size(), 1u);
      EXPECT_TRUE(m.unique_key.empty());
    } else {
      EXPECT_EQ(m.kind, ModelKind::Dimension);
      EXPECT_EQ(m.natural_key, std::vector<std::string>{m.columns[0].name});
      EXPECT_EQ(m.unique_key, m.natural_key);
      EXPECT_TRUE(m.surrogate_key.empty());
    }
  }
  EXPECT_EQ(model("fact_sales_order").source, "sales_order");
  EXPECT_EQ(model("fact_sales_order").natural_key, std::vector<std::string>{"sales_order_id"});
  EXPECT_EQ(model("fact_purchase_order").source, "purchase_order");
  EXPECT_EQ(model("fact_payment").source, "payment");
  EXPECT_EQ(model("dim_location").source, "address");
  EXPECT_EQ(model("dim_transaction").source, "transaction");
}

TEST_F(TotesysModels, ModelsComeAfterWhatTheyReference) {
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < ds().models.size(); ++i) position[ds().models[i].table] = i;
  std::size_t references = 0;
  for (const Model& m : ds().models) {
    for (const ModelColumn& c : m.columns) {
      if (c.references_table.empty()) continue;
      ++references;
      EXPECT_LT(position.at(c.references_table), position.at(m.table)) << m.table << "." << c.name;
    }
  }
  EXPECT_EQ(references, 24u);  // 9 + 8 + 7 FKs in totesys_warehouse.sql
}

TEST_F(TotesysModels, LookupsAndCurrentVersionTables) {
  const Model& staff = model("dim_staff");
  ASSERT_EQ(staff.lookups.size(), 1u);
  EXPECT_EQ(staff.lookups[0].table, "department");
  EXPECT_EQ(staff.lookups[0].on,
            (std::vector<std::pair<std::string, std::string>>{{"department_id", "department_id"}}));
  EXPECT_EQ(staff.lookups[0].on_lookup, std::vector<std::string>{""});
  const Model& cp = model("dim_counterparty");
  ASSERT_EQ(cp.lookups.size(), 1u);
  EXPECT_EQ(cp.lookups[0].table, "address");
  EXPECT_EQ(cp.lookups[0].on,
            (std::vector<std::pair<std::string, std::string>>{{"legal_address_id", "address_id"}}));
  EXPECT_EQ(cp.column("counterparty_legal_phone_number")->expr.lookup, cp.lookups[0].name);
  EXPECT_EQ(cp.column("counterparty_legal_phone_number")->expr.column, "phone");
  for (const Model& m : ds().models) {
    if (m.table != "dim_staff" && m.table != "dim_counterparty") {
      EXPECT_TRUE(m.lookups.empty()) << m.table;
    }
  }

  EXPECT_EQ(ds().tables_needing_current_version(),
            (std::vector<std::string>{"address", "counterparty", "department", "staff"}));
  const auto department = ds().models_looking_up("department");
  ASSERT_EQ(department.size(), 1u);
  EXPECT_EQ(department[0]->table, "dim_staff");
  const auto address = ds().models_looking_up("address");
  ASSERT_EQ(address.size(), 1u);
  EXPECT_EQ(address[0]->table, "dim_counterparty");
  EXPECT_TRUE(ds().models_looking_up("sales_order").empty());
}

TEST_F(TotesysModels, ColumnExpressionsFollowTheLineage) {
  using K = ColumnExpr::Kind;
  const Model& so = model("fact_sales_order");
  EXPECT_EQ(so.column("created_date")->expr.kind, K::TimestampDate);
  EXPECT_EQ(so.column("created_date")->expr.column, "created_at");
  EXPECT_EQ(so.column("created_time")->expr.kind, K::TimestampTime);
  EXPECT_EQ(so.column("last_updated_time")->expr.column, "last_updated");
  EXPECT_EQ(so.column("sales_staff_id")->expr.kind, K::Copy);
  EXPECT_EQ(so.column("sales_staff_id")->expr.column, "staff_id");
  EXPECT_EQ(so.column("agreed_payment_date")->expr.kind, K::ParseDate);
  EXPECT_EQ(so.column("agreed_payment_date")->expr.column, "agreed_payment_date");
  EXPECT_EQ(model("fact_payment").column("payment_date")->expr.kind, K::ParseDate);
  EXPECT_EQ(model("fact_purchase_order").column("agreed_delivery_date")->expr.kind, K::ParseDate);
  EXPECT_EQ(model("fact_purchase_order").column("staff_id")->expr.column, "staff_id");
  EXPECT_EQ(model("dim_location").column("location_id")->expr.column, "address_id");

  const ColumnExpr& name = model("dim_currency").column("currency_name")->expr;
  EXPECT_EQ(name.kind, K::Map);
  EXPECT_EQ(name.column, "currency_code");
  const std::map<std::string, std::string> map(name.map.begin(), name.map.end());
  EXPECT_EQ(map, (std::map<std::string, std::string>{
                     {"GBP", "Pound Sterling"}, {"USD", "US Dollar"}, {"EUR", "Euro"}}));

  const ColumnExpr& location = model("dim_staff").column("location")->expr;
  EXPECT_EQ(location.lookup, "department");
  EXPECT_EQ(location.column, "location");
  EXPECT_EQ(location.if_null, std::optional<std::string>("Undefined"));

  const Model& date = model("dim_date");
  const std::vector<std::pair<std::string, CalendarPart>> parts = {
      {"date_id", CalendarPart::Date},
      {"year", CalendarPart::Year},
      {"month", CalendarPart::Month},
      {"day", CalendarPart::Day},
      {"day_of_week", CalendarPart::IsoDayOfWeek},
      {"day_name", CalendarPart::DayName},
      {"month_name", CalendarPart::MonthName},
      {"quarter", CalendarPart::Quarter}};
  for (const auto& [column, part] : parts) {
    EXPECT_EQ(date.column(column)->expr.kind, K::Calendar) << column;
    EXPECT_EQ(date.column(column)->expr.calendar, part) << column;
  }
  // Every fact date column references dim_date, so dim_date covers them.
  std::vector<std::string> covered;
  for (const auto& [m, i] : ds().columns_referencing("dim_date"))
    covered.push_back(m->table + "." + m->columns[i].name);
  EXPECT_EQ(covered.size(), 11u);
  EXPECT_NE(std::find(covered.begin(), covered.end(), "fact_payment.payment_date"), covered.end());
}

}  // namespace
}  // namespace dwh::model
