// The transform's record parsing (simdjson on-demand into typed values) and model evaluation
// (copies, casts, date/time splits, maps, if_null, lookups), on hand-made tables and models.
#include <gtest/gtest.h>

#include "../../jobs/transform/src/internal.hpp"

namespace dwh::transform::detail {
namespace {

using parquet::LogicalType;

SourceTable orders() {
  SourceTable t;
  t.name = "orders";
  t.columns = {{"id", SourceType::Integer, false},   {"price", SourceType::Decimal, false},
               {"at", SourceType::Timestamp, false}, {"due", SourceType::Text, false},
               {"code", SourceType::Text, true},     {"paid", SourceType::Boolean, false},
               {"dept", SourceType::Integer, true},  {"ratio", SourceType::Double, true}};
  t.primary_key = {"id"};
  t.cursor = "at";
  return t;
}

SourceTable departments() {
  SourceTable t;
  t.name = "dept";
  t.columns = {{"dept_id", SourceType::Integer, false},
               {"name", SourceType::Text, false},
               {"location", SourceType::Text, true},
               {"last_updated", SourceType::Timestamp, false}};
  t.primary_key = {"dept_id"};
  t.cursor = "last_updated";
  return t;
}

const char* kGood =
    R"({"id": 7, "price": "12.50", "at": "2022-11-03T14:20:52.186", "due": "2022-11-10", "code": "GBP", "paid": true, "dept": 2, "ratio": 0.5, "extra": [1, {"x": 2}]})";

struct Parsed {
  bool ok = false;
  std::vector<Value> values;
  Problem problem;
  std::string buffer;  // the values point into the parser; keep the line alive
};

Parsed parse(const SourceTable& t, const std::string& line, std::unique_ptr<LineParser>& parser,
             const RecordParser& spec) {
  (void)spec;
  Parsed p;
  p.buffer = line + std::string(kJsonPadding, '\0');
  p.ok = parser->parse(std::string_view(p.buffer.data(), line.size()), p.buffer.size(), p.values, p.problem);
  (void)t;
  return p;
}

TEST(TransformRecords, ParsesTypedValuesAndIgnoresUnknownColumns) {
  const auto t = orders();
  const RecordParser spec(t, {});
  auto parser = make_line_parser(spec);
  auto p = parse(t, kGood, parser, spec);
  ASSERT_TRUE(p.ok) << p.problem.reason;
  EXPECT_EQ(p.values[0].kind, Value::Kind::Int);
  EXPECT_EQ(p.values[0].i, 7);
  EXPECT_EQ(p.values[1].text, "12.50");
  EXPECT_EQ(p.values[2].text, "2022-11-03T14:20:52.186");
  EXPECT_EQ(p.values[5].i, 1);
  EXPECT_EQ(p.values[7].d, 0.5);
}

TEST(TransformRecords, BadRecordsNameColumnValueAndReason) {
  const auto t = orders();
  const RecordParser spec(t, {});
  auto parser = make_line_parser(spec);
  struct Case {
    std::string line, column, value, reason;
  };
  const std::vector<Case> cases = {
      {R"({"id": "seven", "price": "1", "at": "x", "due": "x", "code": null, "paid": true, "dept": null, "ratio": null})",
       "id", "\"seven\"", "wrong type"},
      {R"({"id": 1.5, "price": "1", "at": "x", "due": "x", "code": null, "paid": true, "dept": null, "ratio": null})",
       "id", "1.5", "wrong type"},
      {R"({"id": 1, "price": "1", "at": "x", "due": "x", "code": null, "paid": "yes", "dept": null, "ratio": null})",
       "paid", "\"yes\"", "wrong type"},
      {R"({"id": 1, "price": "1", "at": null, "due": "x", "code": null, "paid": true, "dept": null, "ratio": null})",
       "at", "null", "cannot be null"},
      {R"({"id": 1, "price": "1", "due": "x", "code": null, "paid": true, "dept": null, "ratio": null})",
       "at", "", "missing column"},
      {R"({"id": 1, "id": 2, "price": "1", "at": "x", "due": "x", "code": null, "paid": true, "dept": null, "ratio": null})",
       "id", "", "twice"},
      {R"({"id": 1, "price": "1", "at": "x", )", "", "", "malformed JSON"},
      {R"([1, 2])", "", "", "malformed JSON"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    auto p = parse(t, c.line, parser, spec);
    ASSERT_FALSE(p.ok);
    EXPECT_EQ(p.problem.column, c.column);
    if (!c.value.empty()) {
      EXPECT_EQ(p.problem.value, c.value);
    }
    EXPECT_NE(p.problem.reason.find(c.reason), std::string::npos) << p.problem.reason;
  }
  // The parser is reusable after a bad record.
  EXPECT_TRUE(parse(t, kGood, parser, spec).ok);
}

TEST(TransformRecords, OnlyNeededColumnsAreChecked) {
  const auto t = orders();
  std::vector<bool> needed(t.columns.size(), false);
  needed[0] = true;  // id only
  const RecordParser spec(t, needed);
  auto parser = make_line_parser(spec);
  auto p = parse(t, R"({"id": 3, "price": {"not": "checked"}})", parser, spec);
  ASSERT_TRUE(p.ok) << p.problem.reason;
  EXPECT_EQ(p.values[0].i, 3);
  EXPECT_EQ(p.values[1].kind, Value::Kind::Missing);
}

// A dataset of one fact over `orders` with a lookup into `dept`.
struct World {
  Dataset dataset;
  std::map<std::string, CurrentTable> current;
  std::unique_ptr<LineParser> dept_parser;
  std::unique_ptr<RecordParser> dept_spec;
};

ModelColumn column(std::string name, LogicalType type, bool nullable, ColumnExpr::Kind kind, std::string from,
                   std::string lookup = "", int precision = 0, int scale = 0) {
  ModelColumn c;
  c.name = std::move(name);
  c.parquet = {c.name, type, nullable, precision, scale};
  c.expr.kind = kind;
  c.expr.column = std::move(from);
  c.expr.lookup = std::move(lookup);
  return c;
}

std::unique_ptr<World> make_world() {
  auto w = std::make_unique<World>();
  w->dataset.name = "test";
  w->dataset.sources = {orders(), departments()};
  Model m;
  m.file = "test/fact_orders.toml";
  m.table = "fact_orders";
  m.kind = ModelKind::Fact;
  m.source = "orders";
  m.lookups = {Lookup{"d", "dept", {{"dept", "dept_id"}}, {""}}};
  m.columns = {
      column("id", LogicalType::Int32, false, ColumnExpr::Kind::Copy, "id"),
      column("price", LogicalType::Decimal, false, ColumnExpr::Kind::Copy, "price", "", 10, 2),
      column("at_date", LogicalType::Date, false, ColumnExpr::Kind::TimestampDate, "at"),
      column("at_time", LogicalType::TimeMicros, false, ColumnExpr::Kind::TimestampTime, "at"),
      column("due", LogicalType::Date, false, ColumnExpr::Kind::ParseDate, "due"),
      column("currency", LogicalType::String, false, ColumnExpr::Kind::Map, "code"),
      column("paid", LogicalType::Boolean, false, ColumnExpr::Kind::Copy, "paid"),
      column("dept_name", LogicalType::String, true, ColumnExpr::Kind::Copy, "name", "d"),
      column("location", LogicalType::String, false, ColumnExpr::Kind::Copy, "location", "d"),
  };
  m.columns[5].expr.map = {{"GBP", "Pound Sterling"}, {"EUR", "Euro"}};
  m.columns[5].expr.if_null = "none";
  m.columns[8].expr.if_null = "Undefined";
  m.natural_key = {"id"};
  w->dataset.models.push_back(m);

  CurrentTable& dept = w->current["dept"];
  dept.source = &w->dataset.sources[1];
  dept.key_columns = {0};
  w->dept_spec = std::make_unique<RecordParser>(*dept.source, std::vector<bool>{});
  w->dept_parser = make_line_parser(*w->dept_spec);
  for (const std::string line :
       {R"({"dept_id": 2, "name": "Sales", "location": null, "last_updated": "2022-11-03T00:00:00.000"})",
        R"({"dept_id": 3, "name": "Ops", "location": "Leeds", "last_updated": "2022-11-03T00:00:00.000"})"}) {
    CurrentRow row;
    Problem pr;
    EXPECT_TRUE(parse_current_row(*w->dept_parser, line, row, pr)) << pr.reason;
    const std::string key = key_of(row.values, dept.key_columns);
    auto& dst = dept.rows[key];
    EXPECT_TRUE(parse_current_row(*w->dept_parser, line, dst, pr));
  }
  return w;
}

TEST(TransformRecords, EvaluatesCastsSplitsMapsLookupsAndIfNull) {
  auto w = make_world();
  const Model& m = w->dataset.models[0];
  auto ev = Evaluator::create(w->dataset, m, w->current);
  ASSERT_TRUE(ev) << ev.error().message;
  const RecordParser spec((*ev)->source(), (*ev)->needed());
  auto parser = make_line_parser(spec);
  auto p = parse((*ev)->source(), kGood, parser, spec);
  ASSERT_TRUE(p.ok) << p.problem.reason;
  std::vector<OutValue> out;
  std::string scratch;
  Problem pr;
  ASSERT_TRUE((*ev)->evaluate(p.values, out, scratch, pr)) << pr.reason;
  EXPECT_EQ(out[0].i, 7);
  EXPECT_EQ(out[1].i, 1250);   // numeric(10,2) unscaled
  EXPECT_EQ(out[2].i, 19299);  // 2022-11-03 in days since 1970
  EXPECT_EQ(out[3].i, (14 * 3600 + 20 * 60 + 52) * 1'000'000LL + 186'000);
  EXPECT_EQ(out[4].i, 19306);  // 2022-11-10
  EXPECT_EQ(out[5].s, "Pound Sterling");
  EXPECT_EQ(out[6].i, 1);
  EXPECT_EQ(out[7].s, "Sales");      // through the lookup
  EXPECT_EQ(out[8].s, "Undefined");  // NULL location, if_null

  auto batch = empty_batch((*ev)->schema());
  append_row((*ev)->schema(), out, batch);
  EXPECT_EQ(batch.rows, 1u);
  EXPECT_EQ(batch.columns[7].string_at(0), "Sales");
}

TEST(TransformRecords, BadValuesAreProblemsNotGuesses) {
  auto w = make_world();
  const Model& m = w->dataset.models[0];
  auto ev = Evaluator::create(w->dataset, m, w->current);
  ASSERT_TRUE(ev) << ev.error().message;
  const RecordParser spec((*ev)->source(), (*ev)->needed());
  auto parser = make_line_parser(spec);
  struct Case {
    std::string column, value, reason;
    std::string replace_from, replace_to;
  };
  const std::vector<Case> cases = {
      {"price", "12.505", "decimal places", R"("12.50")", R"("12.505")"},  // never rounded
      {"due", "2022-02-30", "", R"("2022-11-10")", R"("2022-02-30")"},
      {"at", "2022-11-03 14:20:52", "", R"("2022-11-03T14:20:52.186")", R"("2022-11-03 14:20:52")"},
      {"code", "XYZ", "unknown label", R"("GBP")", R"("XYZ")"},
      {"dept", "99", "lookup miss", R"("dept": 2)", R"("dept": 99)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.column);
    std::string line = kGood;
    const auto at = line.find(c.replace_from);
    ASSERT_NE(at, std::string::npos);
    line.replace(at, c.replace_from.size(), c.replace_to);
    auto p = parse((*ev)->source(), line, parser, spec);
    ASSERT_TRUE(p.ok) << p.problem.reason;
    std::vector<OutValue> out;
    std::string scratch;
    Problem pr;
    ASSERT_FALSE((*ev)->evaluate(p.values, out, scratch, pr));
    EXPECT_EQ(pr.column, c.column);
    EXPECT_EQ(pr.value, c.value);
    if (!c.reason.empty()) {
      EXPECT_NE(pr.reason.find(c.reason), std::string::npos) << pr.reason;
    }
  }
  // A NULL lookup key is no row: the looked-up columns read as NULL (if_null applies).
  std::string line = kGood;
  line.replace(line.find(R"("dept": 2)"), 9, R"("dept": null)");
  auto p = parse((*ev)->source(), line, parser, spec);
  ASSERT_TRUE(p.ok);
  std::vector<OutValue> out;
  std::string scratch;
  Problem pr;
  ASSERT_TRUE((*ev)->evaluate(p.values, out, scratch, pr)) << pr.reason;
  EXPECT_TRUE(out[7].null);
  EXPECT_EQ(out[8].s, "Undefined");
}

}  // namespace
}  // namespace dwh::transform::detail
