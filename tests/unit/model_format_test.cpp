// The model format beyond totesys: a small dataset written here exercises what the totesys
// models do not (composite lookup keys, chained lookups, constants, maps with if_null, bigint,
// decimals at another scale, an integer cursor, a calendar with a default key), and checks what
// the loader hands the engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "dwh/model/model.hpp"
#include "process.hpp"

namespace dwh::model {
namespace {

namespace fs = std::filesystem;
using parquet::LogicalType;

constexpr const char* kSources = R"toml(
[source.customer]
primary_key = ["id"]
cursor = "updated"
columns = [
  { name = "id",        type = "integer",   nullable = false },
  { name = "region_id", type = "integer",   nullable = false },
  { name = "country",   type = "text",      nullable = false },
  { name = "tier",      type = "text" },
  { name = "updated",   type = "timestamp", nullable = false },
]

[source.region]
primary_key = ["region_id", "country"]
cursor = "updated"
columns = [
  { name = "region_id", type = "integer",   nullable = false },
  { name = "country",   type = "text",      nullable = false },
  { name = "zone_id",   type = "integer",   nullable = false },
  { name = "updated",   type = "timestamp", nullable = false },
]

[source.zone]
primary_key = ["zone_id"]
cursor = "updated"
columns = [
  { name = "zone_id", type = "integer",   nullable = false },
  { name = "label",   type = "text" },
  { name = "updated", type = "timestamp", nullable = false },
]

[source.sale]
primary_key = ["sale_id"]
cursor = "version"
columns = [
  { name = "sale_id",     type = "integer",   nullable = false },
  { name = "customer_id", type = "integer",   nullable = false },
  { name = "amount",      type = "decimal",   nullable = false },
  { name = "at",          type = "timestamp", nullable = false },
  { name = "version",     type = "integer",   nullable = false },
  { name = "day",         type = "date" },
]
)toml";

// `zone` is written before the lookup it reads (`region`); region's key is composite and `on`
// lists it in another order than the key.
constexpr const char* kCustomer = R"toml(
kind = "dimension"
source = "customer"
natural_key = ["customer_id"]

[lookup.zone]
table = "zone"
on = { zone_id = "region.zone_id" }

[lookup.region]
table = "region"
on = { country = "country", region_id = "region_id" }

[[column]]
name = "customer_id"
type = "bigint"
nullable = false
from = "id"

[[column]]
name = "tier"
type = "varchar"
from = "tier"
op = "map"
map = { silver = "S", gold = "G" }
if_null = "-"

[[column]]
name = "zone_label"
type = "varchar"
from = "zone.label"
if_null = "none"

[[column]]
name = "origin"
type = "varchar"
nullable = false
op = "constant"
value = "crm"

[[column]]
name = "updated"
type = "timestamp"
from = "updated"
)toml";

constexpr const char* kSale = R"toml(
kind = "fact"
source = "sale"
natural_key = ["sale_id"]
version_columns = ["version"]
unique_key = ["sale_id", "version"]

[[column]]
name = "sale_id"
type = "int"
nullable = false
from = "sale_id"

[[column]]
name = "customer_id"
type = "bigint"
nullable = false
from = "customer_id"
references = "dim_customer.customer_id"

[[column]]
name = "amount"
type = "NUMERIC(12, 3)"
from = "amount"

[[column]]
name = "amount_approx"
type = "double precision"
from = "amount"

[[column]]
name = "version"
type = "bigint"
from = "version"

[[column]]
name = "at_time"
type = "time"
from = "at"
op = "time_part"

[[column]]
name = "day"
type = "date"
from = "day"
references = "cal.day_id"
)toml";

constexpr const char* kCalendar = R"toml(
kind = "calendar"

[[column]]
name = "day_id"
type = "date"
nullable = false
op = "calendar"
part = "date"

[[column]]
name = "weekday"
type = "bigint"
op = "calendar"
part = "iso_day_of_week"

[[column]]
name = "calendar_name"
type = "varchar"
op = "constant"
value = "gregorian"
)toml";

class ModelFormat : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(dwh::test::make_temp_dir("dwh-model-format")) / "shop";
    fs::create_directories(dir_);
    write("sources.toml", kSources);
    write("dim_customer.toml", kCustomer);
    write("fact_sale.toml", kSale);
    write("cal.toml", kCalendar);
    write("README.txt", "not a model");
    auto ds = load_dataset(dir_);
    ASSERT_TRUE(ds.ok()) << ds.error().message;
    ds_ = std::move(ds).value();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_.parent_path(), ec);
  }
  void write(const std::string& file, const std::string& text) const { std::ofstream(dir_ / file) << text; }

  fs::path dir_;
  Dataset ds_;
};

TEST_F(ModelFormat, SourcesInFileOrder) {
  ASSERT_EQ(ds_.sources.size(), 4u);
  EXPECT_EQ(ds_.sources[0].name, "customer");
  EXPECT_EQ(ds_.sources[1].name, "region");
  EXPECT_EQ(ds_.sources[2].name, "zone");
  EXPECT_EQ(ds_.sources[3].name, "sale");
  const SourceTable* sale = ds_.source("sale");
  EXPECT_EQ(sale->cursor, "version");
  EXPECT_EQ(sale->column("amount")->type, SourceType::Decimal);
  EXPECT_EQ(sale->column_index("day"), 5);
  EXPECT_TRUE(sale->column("day")->nullable);
  EXPECT_EQ(sale->column("nope"), nullptr);
  EXPECT_EQ(ds_.name, "shop");
}

TEST_F(ModelFormat, ModelsAfterWhatTheyReference) {
  ASSERT_EQ(ds_.models.size(), 3u);
  EXPECT_EQ(ds_.models[0].table, "cal");
  EXPECT_EQ(ds_.models[1].table, "dim_customer");
  EXPECT_EQ(ds_.models[2].table, "fact_sale");
  EXPECT_EQ(ds_.models[1].file, dir_ / "dim_customer.toml");
}

TEST_F(ModelFormat, CompositeAndChainedLookups) {
  const Model& m = *ds_.model("dim_customer");
  ASSERT_EQ(m.lookups.size(), 2u);
  EXPECT_EQ(m.lookups[0].name, "region");
  // In the order of region's primary key.
  EXPECT_EQ(m.lookups[0].on, (std::vector<std::pair<std::string, std::string>>{{"region_id", "region_id"},
                                                                               {"country", "country"}}));
  EXPECT_EQ(m.lookups[0].on_lookup, (std::vector<std::string>{"", ""}));
  EXPECT_EQ(m.lookups[1].name, "zone");
  EXPECT_EQ(m.lookups[1].on, (std::vector<std::pair<std::string, std::string>>{{"zone_id", "zone_id"}}));
  EXPECT_EQ(m.lookups[1].on_lookup, std::vector<std::string>{"region"});
  EXPECT_EQ(m.lookup("zone"), &m.lookups[1]);
  EXPECT_EQ(m.lookup("nope"), nullptr);

  EXPECT_EQ(ds_.tables_needing_current_version(), (std::vector<std::string>{"customer", "region", "zone"}));
  ASSERT_EQ(ds_.models_looking_up("zone").size(), 1u);
  EXPECT_EQ(ds_.models_looking_up("zone")[0]->table, "dim_customer");
  EXPECT_TRUE(ds_.models_looking_up("customer").empty());
}

TEST_F(ModelFormat, Expressions) {
  using K = ColumnExpr::Kind;
  const Model& m = *ds_.model("dim_customer");
  const ColumnExpr& tier = m.column("tier")->expr;
  EXPECT_EQ(tier.kind, K::Map);
  EXPECT_EQ(tier.map, (std::vector<std::pair<std::string, std::string>>{{"silver", "S"}, {"gold", "G"}}));
  EXPECT_EQ(tier.if_null, std::optional<std::string>("-"));
  const ColumnExpr& zone = m.column("zone_label")->expr;
  EXPECT_EQ(zone.kind, K::Copy);
  EXPECT_EQ(zone.lookup, "zone");
  EXPECT_EQ(zone.column, "label");
  const ColumnExpr& origin = m.column("origin")->expr;
  EXPECT_EQ(origin.kind, K::Constant);
  EXPECT_EQ(origin.constant, "crm");
  EXPECT_EQ(m.column_index("origin"), 3);
  EXPECT_EQ(m.unique_key, std::vector<std::string>{"customer_id"});

  const Model& cal = *ds_.model("cal");
  EXPECT_EQ(cal.natural_key, std::vector<std::string>{"day_id"});
  EXPECT_EQ(cal.unique_key, std::vector<std::string>{"day_id"});
  EXPECT_EQ(cal.column("weekday")->expr.calendar, CalendarPart::IsoDayOfWeek);
  EXPECT_EQ(cal.column("calendar_name")->expr.kind, K::Constant);
  const auto refs = ds_.columns_referencing("cal");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].first->table, "fact_sale");
  EXPECT_EQ(refs[0].first->columns[refs[0].second].name, "day");
}

TEST_F(ModelFormat, ParquetSchema) {
  const Model& m = *ds_.model("fact_sale");
  EXPECT_EQ(m.unique_key, (std::vector<std::string>{"sale_id", "version"}));
  EXPECT_TRUE(m.surrogate_key.empty());
  const parquet::Schema s = parquet_schema(m);
  ASSERT_EQ(s.columns.size(), 7u);
  const std::vector<std::pair<std::string, LogicalType>> want = {
      {"sale_id", LogicalType::Int32},  {"customer_id", LogicalType::Int64},
      {"amount", LogicalType::Decimal}, {"amount_approx", LogicalType::Double},
      {"version", LogicalType::Int64},  {"at_time", LogicalType::TimeMicros},
      {"day", LogicalType::Date}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(s.columns[i].name, want[i].first);
    EXPECT_EQ(s.columns[i].type, want[i].second) << want[i].first;
  }
  EXPECT_EQ(s.columns[2].precision, 12);
  EXPECT_EQ(s.columns[2].scale, 3);
  EXPECT_EQ(m.column("amount")->sql_type, "numeric(12,3)");
  EXPECT_FALSE(s.columns[0].nullable);
  EXPECT_TRUE(s.columns[2].nullable);
}

TEST_F(ModelFormat, CalendarDateColumnMustNotBeNullable) {
  std::string text = kCalendar;
  text.replace(text.find("nullable = false\n"), 17, "");
  write("cal.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.error().message, (dir_ / "cal.toml").string() +
                                    ": column.day_id.nullable: the date column must be nullable = false");
}

TEST_F(ModelFormat, NaturalKeyMustNotBeNullable) {
  std::string text = kCustomer;
  text.replace(text.find("nullable = false\nfrom = \"id\""), 17, "");
  write("dim_customer.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find(
                "dim_customer.toml: natural_key: key column 'customer_id' must be nullable = false"),
            std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, LookupMustGiveTheWholeKey) {
  std::string text = kCustomer;
  text.replace(text.find("country = \"country\", "), 21, "");
  write("dim_customer.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("dim_customer.toml: lookup.region.on: must give every primary key column "
                                    "of 'region' (missing 'country')"),
            std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, ConstantMustBeAValueOfTheType) {
  std::string text = kCalendar;
  text.replace(text.find("type = \"varchar\"\nop = \"constant\""), 16, "type = \"date\"");
  text.replace(text.find("value = \"gregorian\""), 19, "value = \"2024-02-30\"");
  write("cal.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find(
                "cal.toml: column.calendar_name.value: '2024-02-30' is not a valid date: no such date"),
            std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, UnknownOpAndPart) {
  std::string text = kCalendar;
  text.replace(text.find("part = \"iso_day_of_week\""), 24, "part = \"weekday\"");
  write("cal.toml", text);
  auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("cal.toml: column.weekday.part: unknown part 'weekday'"),
            std::string::npos)
      << ds.error().message;
  write("cal.toml", kCalendar);
  text = kSale;
  text.replace(text.find("op = \"time_part\""), 16, "op = \"timepart\"");
  write("fact_sale.toml", text);
  ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("fact_sale.toml: column.at_time.op: unknown op 'timepart'"),
            std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, FactNeedsVersionColumns) {
  std::string text = kSale;
  text.replace(text.find("version_columns = [\"version\"]\n"), 30, "");
  write("fact_sale.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("fact_sale.toml: version_columns: missing (required)"), std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, CalendarHasNoSource) {
  write("cal.toml", std::string("source = \"sale\"\n") + kCalendar);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("cal.toml: source: a calendar model has no source table"),
            std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, MalformedReference) {
  std::string text = kSale;
  text.replace(text.find("references = \"cal.day_id\""), 25, "references = \"cal\"");
  write("fact_sale.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(
      ds.error().message.find("fact_sale.toml: column.day.references: must be 'table.column', not 'cal'"),
      std::string::npos)
      << ds.error().message;
}

TEST_F(ModelFormat, WrongValueKind) {
  std::string text = kSale;
  text.replace(text.find("nullable = false"), 16, "nullable = \"no\"");
  write("fact_sale.toml", text);
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(
      ds.error().message.find("fact_sale.toml: column.sale_id.nullable: must be true or false, not a string"),
      std::string::npos)
      << ds.error().message;
}

}  // namespace
}  // namespace dwh::model
