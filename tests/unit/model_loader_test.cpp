// load_dataset() rejects a broken dataset before any data is read, with code "ModelError" and a
// message naming the file and the key path. Each test copies models/totesys into a temporary
// folder, breaks one thing, and checks the exact file, key and reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "dwh/model/model.hpp"
#include "process.hpp"

namespace dwh::model {
namespace {

namespace fs = std::filesystem;

class ModelLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(dwh::test::make_temp_dir("dwh-model-test")) / "totesys";
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(fs::path(DWH_SOURCE_DIR) / "models" / "totesys")) {
      if (e.path().extension() == ".toml") fs::copy_file(e.path(), dir_ / e.path().filename());
    }
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_.parent_path(), ec);
  }

  std::string read(const std::string& file) const {
    std::ifstream in(dir_ / file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  void write(const std::string& file, const std::string& text) const {
    std::ofstream out(dir_ / file, std::ios::trunc);
    out << text;
  }
  // Replaces the one occurrence of `from` (after `after`, when given) in `file`.
  void edit(const std::string& file, const std::string& from, const std::string& to,
            const std::string& after = "") const {
    std::string text = read(file);
    const std::size_t start = after.empty() ? 0 : text.find(after);
    ASSERT_NE(start, std::string::npos) << file << ": no '" << after << "'";
    const std::size_t at = text.find(from, start);
    ASSERT_NE(at, std::string::npos) << file << ": no '" << from << "'";
    text.replace(at, from.size(), to);
    write(file, text);
  }
  void append(const std::string& file, const std::string& text) const { write(file, read(file) + text); }

  // The load fails with "<dir>/<file>: <key>: ..." and the message contains `reason`.
  void expect_error(const std::string& file, const std::string& key, const std::string& reason) const {
    const auto ds = load_dataset(dir_);
    ASSERT_FALSE(ds.ok()) << "loaded although " << file << " is broken";
    EXPECT_EQ(ds.error().code, "ModelError");
    const std::string prefix = (dir_ / file).string() + ": " + (key.empty() ? "" : key + ": ");
    EXPECT_EQ(ds.error().message.substr(0, prefix.size()), prefix) << ds.error().message;
    EXPECT_NE(ds.error().message.find(reason), std::string::npos) << ds.error().message;
  }

  fs::path dir_;
};

TEST_F(ModelLoader, TheCopyLoads) {
  const auto ds = load_dataset(dir_);
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  EXPECT_EQ(ds->models.size(), 11u);
  EXPECT_EQ(ds->name, "totesys");
}

TEST_F(ModelLoader, UnknownKeyIsATypoWithSuggestionAndLine) {
  edit("dim_staff.toml", "nullable = false", "nulable = false", "name = \"first_name\"");
  expect_error("dim_staff.toml", "column.first_name.nulable",
               "unknown key 'nulable' (did you mean 'nullable'?)");
  // The line of the bad key.
  const std::string text = read("dim_staff.toml");
  const auto line =
      1 + std::count(text.begin(), text.begin() + static_cast<long>(text.find("nulable")), '\n');
  const auto ds = load_dataset(dir_);
  EXPECT_NE(ds.error().message.find("(line " + std::to_string(line) + ")"), std::string::npos)
      << ds.error().message;
}

TEST_F(ModelLoader, UnknownTopLevelKey) {
  edit("dim_design.toml", "natural_key", "natrual_key");
  expect_error("dim_design.toml", "natrual_key", "unknown key 'natrual_key' (did you mean 'natural_key'?)");
}

TEST_F(ModelLoader, UnknownKeyInSources) {
  edit("sources.toml", "cursor = \"last_updated\"", "cursr = \"last_updated\"", "[source.staff]");
  expect_error("sources.toml", "source.staff.cursr", "unknown key 'cursr'");
}

TEST_F(ModelLoader, MissingRequiredKey) {
  edit("dim_design.toml", "kind = \"dimension\"\n", "");
  expect_error("dim_design.toml", "kind", "missing (required)");
}

TEST_F(ModelLoader, UnknownKind) {
  edit("dim_design.toml", "kind = \"dimension\"", "kind = \"dimensions\"");
  expect_error("dim_design.toml", "kind", "unknown kind 'dimensions'");
}

TEST_F(ModelLoader, UnknownSourceTable) {
  edit("dim_design.toml", "source = \"design\"", "source = \"designs\"");
  expect_error("dim_design.toml", "source", "unknown source table 'designs'");
}

TEST_F(ModelLoader, UnknownColumnOfALookup) {
  edit("dim_staff.toml", "from = \"department.location\"", "from = \"department.locaton\"");
  expect_error("dim_staff.toml", "column.location.from", "unknown column 'department.locaton'");
}

TEST_F(ModelLoader, UnknownSourceColumn) {
  edit("dim_design.toml", "from = \"file_name\"", "from = \"filename\"");
  expect_error("dim_design.toml", "column.file_name.from",
               "unknown column 'filename' in source table 'design'");
}

TEST_F(ModelLoader, UnknownLookup) {
  edit("dim_staff.toml", "from = \"department.department_name\"", "from = \"dept.department_name\"");
  expect_error("dim_staff.toml", "column.department_name.from", "unknown lookup 'dept'");
}

TEST_F(ModelLoader, LookupIntoUnknownTable) {
  edit("dim_staff.toml", "table = \"department\"", "table = \"departments\"");
  expect_error("dim_staff.toml", "lookup.department.table", "unknown source table 'departments'");
}

TEST_F(ModelLoader, LookupOnAColumnThatIsNotTheKey) {
  edit("dim_staff.toml", "on = { department_id = \"department_id\" }",
       "on = { department_name = \"department_id\" }");
  expect_error("dim_staff.toml", "lookup.department.on.department_name",
               "'department_name' is not a primary key column of 'department'");
}

TEST_F(ModelLoader, LookupKeyTypeMismatch) {
  edit("dim_staff.toml", "on = { department_id = \"department_id\" }",
       "on = { department_id = \"first_name\" }");
  expect_error("dim_staff.toml", "lookup.department.on.department_id",
               "type mismatch: 'first_name' is text, 'department.department_id' is integer");
}

TEST_F(ModelLoader, BadTypeString) {
  edit("fact_sales_order.toml", "type = \"numeric(10,2)\"", "type = \"numerc(10,2)\"");
  expect_error("fact_sales_order.toml", "column.unit_price.type", "bad type 'numerc(10,2)'");
}

TEST_F(ModelLoader, DecimalPrecisionBeyondInt64) {
  edit("fact_sales_order.toml", "type = \"numeric(10,2)\"", "type = \"numeric(19,2)\"");
  expect_error("fact_sales_order.toml", "column.unit_price.type", "bad type 'numeric(19,2)'");
}

TEST_F(ModelLoader, BadSourceType) {
  edit("sources.toml", "type = \"decimal\"", "type = \"money\"", "[source.payment]");
  expect_error("sources.toml", "source.payment.columns.payment_amount.type", "bad type 'money'");
}

TEST_F(ModelLoader, SourcePrimaryKeyNotAColumn) {
  edit("sources.toml", "primary_key = [\"staff_id\"]", "primary_key = [\"staff\"]");
  expect_error("sources.toml", "source.staff.primary_key", "unknown column 'staff' in source table 'staff'");
}

TEST_F(ModelLoader, NaturalKeyNotAColumn) {
  edit("dim_design.toml", "natural_key = [\"design_id\"]", "natural_key = [\"design_idx\"]");
  expect_error("dim_design.toml", "natural_key", "'design_idx' is not a column of dim_design");
}

TEST_F(ModelLoader, NaturalKeyMustCopyTheSourceKey) {
  edit("fact_sales_order.toml", "natural_key = [\"sales_order_id\"]", "natural_key = [\"units_sold\"]");
  expect_error("fact_sales_order.toml", "natural_key",
               "'units_sold' must copy a primary key column of source table 'sales_order'");
}

TEST_F(ModelLoader, VersionColumnNotAColumn) {
  edit("fact_payment.toml", "\"last_updated_date\", \"last_updated_time\"",
       "\"last_update_date\", \"last_updated_time\"");
  expect_error("fact_payment.toml", "version_columns", "'last_update_date' is not a column of fact_payment");
}

TEST_F(ModelLoader, VersionColumnsComeFromTheCursor) {
  edit("fact_payment.toml", "\"last_updated_date\", \"last_updated_time\"",
       "\"created_date\", \"created_time\"");
  expect_error("fact_payment.toml", "version_columns",
               "'created_date' must be read from the source's cursor column 'last_updated'");
}

TEST_F(ModelLoader, ReferenceToUnknownTable) {
  edit("fact_sales_order.toml", "references = \"dim_design.design_id\"",
       "references = \"dim_designs.design_id\"");
  expect_error("fact_sales_order.toml", "column.design_id.references", "unknown table 'dim_designs'");
}

TEST_F(ModelLoader, ReferenceToUnknownColumn) {
  edit("fact_sales_order.toml", "references = \"dim_design.design_id\"", "references = \"dim_design.id\"");
  expect_error("fact_sales_order.toml", "column.design_id.references", "unknown column 'dim_design.id'");
}

TEST_F(ModelLoader, ReferenceToANonKeyColumn) {
  edit("fact_sales_order.toml", "references = \"dim_design.design_id\"",
       "references = \"dim_design.design_name\"");
  expect_error("fact_sales_order.toml", "column.design_id.references",
               "'dim_design.design_name' is not the key");
}

TEST_F(ModelLoader, ReferenceTypeMismatch) {
  edit("fact_sales_order.toml", "from = \"units_sold\"",
       "from = \"units_sold\"\nreferences = \"dim_date.date_id\"");
  expect_error("fact_sales_order.toml", "column.units_sold.references", "type mismatch: int references date");
}

TEST_F(ModelLoader, ReferenceCycleBetweenModels) {
  edit("dim_staff.toml", "from = \"staff_id\"",
       "from = \"staff_id\"\nreferences = \"dim_location.location_id\"");
  edit("dim_location.toml", "from = \"address_id\"",
       "from = \"address_id\"\nreferences = \"dim_staff.staff_id\"");
  // Reported at the first model (by file name) on the cycle, at its column that starts it.
  expect_error("dim_location.toml", "column.location_id.references",
               "reference cycle: dim_location -> dim_staff -> dim_location");
}

TEST_F(ModelLoader, SelfReferenceIsACycle) {
  edit("dim_location.toml", "from = \"address_id\"",
       "from = \"address_id\"\nreferences = \"dim_location.location_id\"");
  expect_error("dim_location.toml", "column.location_id.references",
               "reference cycle: dim_location -> dim_location");
}

TEST_F(ModelLoader, CalendarWithoutDateColumn) {
  write("dim_date.toml",
        "kind = \"calendar\"\n"
        "[[column]]\nname = \"year\"\ntype = \"int\"\nop = \"calendar\"\npart = \"year\"\n");
  expect_error("dim_date.toml", "column", "a calendar model needs a date column");
}

TEST_F(ModelLoader, CalendarPartMustFitTheType) {
  edit("dim_date.toml", "part = \"day_name\"", "part = \"quarter\"");
  expect_error("dim_date.toml", "column.day_name.type", "part 'quarter' does not fit type 'varchar'");
}

// A cycle: a lookup whose key needs, directly or through other lookups, its own row.
TEST_F(ModelLoader, LookupChainThatComesBackIsACycle) {
  edit("dim_counterparty.toml", "on = { address_id = \"legal_address_id\" }",
       "on = { address_id = \"other.legal_address_id\" }\n\n"
       "[lookup.other]\ntable = \"counterparty\"\non = { counterparty_id = \"address.address_id\" }");
  expect_error("dim_counterparty.toml", "lookup.address.on", "lookup cycle: address -> other -> address");
}

TEST_F(ModelLoader, LookupOnItselfIsACycle) {
  edit("dim_counterparty.toml", "on = { address_id = \"legal_address_id\" }",
       "on = { address_id = \"address.address_id\" }");
  expect_error("dim_counterparty.toml", "lookup.address.on", "lookup cycle: address -> address");
}

TEST_F(ModelLoader, ChainedLookupsAreOrderedByDependency) {
  // `second` reads a column of `first`, and is written first in the file.
  edit("dim_counterparty.toml", "[lookup.address]",
       "[lookup.second]\ntable = \"counterparty\"\non = { counterparty_id = \"address.address_id\" }\n\n"
       "[lookup.address]");
  const auto ds = load_dataset(dir_);
  ASSERT_TRUE(ds.ok()) << ds.error().message;
  const Model* m = ds->model("dim_counterparty");
  ASSERT_EQ(m->lookups.size(), 2u);
  EXPECT_EQ(m->lookups[0].name, "address");
  EXPECT_EQ(m->lookups[1].name, "second");
  EXPECT_EQ(m->lookups[1].on,
            (std::vector<std::pair<std::string, std::string>>{{"address_id", "counterparty_id"}}));
  EXPECT_EQ(m->lookups[1].on_lookup, std::vector<std::string>{"address"});
  EXPECT_EQ(m->lookups[0].on_lookup, std::vector<std::string>{""});
}

TEST_F(ModelLoader, DuplicateColumnName) {
  edit("dim_design.toml", "name = \"file_name\"", "name = \"design_name\"");
  expect_error("dim_design.toml", "column.design_name.name", "duplicate column name 'design_name'");
}

TEST_F(ModelLoader, DuplicateSourceColumnName) {
  edit("sources.toml", "name = \"last_name\"", "name = \"first_name\"");
  expect_error("sources.toml", "source.staff.columns.first_name.name", "duplicate column name 'first_name'");
}

TEST_F(ModelLoader, MapOnANonTextSource) {
  edit("dim_currency.toml", "from = \"currency_code\"\nop = \"map\"", "from = \"currency_id\"\nop = \"map\"");
  expect_error("dim_currency.toml", "column.currency_name.from", "map needs a text source");
}

TEST_F(ModelLoader, KeyThatDoesNotApplyToTheOp) {
  edit("dim_design.toml", "from = \"file_name\"", "from = \"file_name\"\nmap = { a = \"b\" }");
  expect_error("dim_design.toml", "column.file_name.map", "does not apply to op = \"copy\"");
}

TEST_F(ModelLoader, CopyBetweenIncompatibleTypes) {
  edit("fact_sales_order.toml", "from = \"agreed_payment_date\"\nop = \"parse_date\"",
       "from = \"agreed_payment_date\"");
  expect_error("fact_sales_order.toml", "column.agreed_payment_date.from",
               "cannot copy this source type into this column type ('agreed_payment_date' is text, the "
               "column is date)");
}

TEST_F(ModelLoader, DatePartNeedsATimestamp) {
  edit("fact_payment.toml", "from = \"payment_date\"\nop = \"parse_date\"",
       "from = \"payment_date\"\nop = \"date_part\"");
  expect_error("fact_payment.toml", "column.payment_date.from",
               "date_part needs a timestamp source and a date column");
}

TEST_F(ModelLoader, IfNullMustBeAValueOfTheColumnType) {
  edit("dim_transaction.toml", "from = \"sales_order_id\"", "from = \"sales_order_id\"\nif_null = \"none\"");
  expect_error("dim_transaction.toml", "column.sales_order_id.if_null", "'none' is not a valid int");
}

TEST_F(ModelLoader, SurrogateKeyOnlyOnFacts) {
  edit("dim_design.toml", "natural_key = [\"design_id\"]",
       "natural_key = [\"design_id\"]\nsurrogate_key = \"design_key\"");
  expect_error("dim_design.toml", "surrogate_key", "only a fact has a surrogate key");
}

TEST_F(ModelLoader, TomlSyntaxErrorNamesFileAndLine) {
  append("dim_design.toml", "\n[[column]\n");
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.error().code, "ModelError");
  const std::string text = read("dim_design.toml");
  const auto lines = std::count(text.begin(), text.end(), '\n');
  const std::string prefix = (dir_ / "dim_design.toml").string() + ":" + std::to_string(lines) + ":";
  EXPECT_EQ(ds.error().message.substr(0, prefix.size()), prefix) << ds.error().message;
  EXPECT_NE(ds.error().message.find("not valid TOML"), std::string::npos) << ds.error().message;
}

TEST_F(ModelLoader, MissingSourcesFile) {
  fs::remove(dir_ / "sources.toml");
  expect_error("sources.toml", "", "no such file");
}

TEST_F(ModelLoader, NotADirectory) {
  const auto ds = load_dataset(dir_ / "nope");
  ASSERT_FALSE(ds.ok());
  EXPECT_EQ(ds.error().code, "ModelError");
  EXPECT_NE(ds.error().message.find("not a directory"), std::string::npos);
}

TEST_F(ModelLoader, NoModels) {
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().filename() != "sources.toml") fs::remove(e.path());
  const auto ds = load_dataset(dir_);
  ASSERT_FALSE(ds.ok());
  EXPECT_NE(ds.error().message.find("no model files"), std::string::npos) << ds.error().message;
}

}  // namespace
}  // namespace dwh::model
