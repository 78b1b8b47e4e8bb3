// COPY text rows (as PostgreSQL writes them with DateStyle ISO, TimeZone UTC) to JSON Lines:
// every value keeps its meaning, COPY's escapes are decoded, JSON's applied, and every line is
// valid JSON that a standard parser reads back to the original value.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dwh/stores/json_lines.hpp"

namespace dwh::stores {
namespace {

// Encodes `copy_text` for `columns`, expecting success.
std::string encode(const std::vector<ColumnSpec>& columns, std::string_view copy_text, int cursor = -1,
                   CursorRange* range_out = nullptr) {
  const JsonLinesEncoder encoder(columns, cursor);
  std::string out;
  CursorRange range;
  auto rows = encoder.encode(copy_text, out, range);
  EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
  if (range_out) *range_out = range;
  return out;
}

// One column of `kind` named "v"; returns the JSON text of its value in a one-row encoding.
std::string value_json(ColumnKind kind, std::string_view field) {
  const std::string line = encode({{"v", kind}}, std::string(field) + "\n");
  const std::string prefix = "{\"v\":";
  EXPECT_EQ(line.substr(0, prefix.size()), prefix) << line;
  EXPECT_EQ(line.substr(line.size() - 2), "}\n") << line;
  return line.substr(prefix.size(), line.size() - prefix.size() - 2);
}

// What a standard JSON parser reads from the encoded value.
nlohmann::json parsed(ColumnKind kind, std::string_view field) {
  return nlohmann::json::parse(encode({{"v", kind}}, std::string(field) + "\n")).at("v");
}

TEST(IngestJsonLines, NullIsNullForEveryKind) {
  for (auto kind :
       {ColumnKind::Integer, ColumnKind::Decimal, ColumnKind::Float, ColumnKind::Bool, ColumnKind::Timestamp,
        ColumnKind::TimestampTz, ColumnKind::Date, ColumnKind::Json, ColumnKind::Text}) {
    EXPECT_EQ(value_json(kind, "\\N"), "null");
  }
  // A text value spelled "\N" is escaped by COPY as "\\N", and stays text.
  EXPECT_EQ(value_json(ColumnKind::Text, "\\\\N"), "\"\\\\N\"");
  EXPECT_EQ(parsed(ColumnKind::Text, "\\\\N"), "\\N");
}

TEST(IngestJsonLines, RowsAreObjectsKeyedByColumnNameInOrder) {
  const std::vector<ColumnSpec> cols = {{"sales_order_id", ColumnKind::Integer},
                                        {"unit_price", ColumnKind::Decimal},
                                        {"currency", ColumnKind::Text}};
  EXPECT_EQ(encode(cols, "1\t3.86\tGBP\n2\t\\N\tEUR\n"),
            "{\"sales_order_id\":1,\"unit_price\":\"3.86\",\"currency\":\"GBP\"}\n"
            "{\"sales_order_id\":2,\"unit_price\":null,\"currency\":\"EUR\"}\n");
  // The last row may come without its newline.
  EXPECT_EQ(encode(cols, "3\t0.00\t"), "{\"sales_order_id\":3,\"unit_price\":\"0.00\",\"currency\":\"\"}\n");
  EXPECT_EQ(encode(cols, ""), "");
}

TEST(IngestJsonLines, ColumnNamesAreJsonEscaped) {
  EXPECT_EQ(encode({{"we\"ird\\name", ColumnKind::Integer}}, "7\n"), "{\"we\\\"ird\\\\name\":7}\n");
}

TEST(IngestJsonLines, RowCountIsReturned) {
  const JsonLinesEncoder encoder({{"a", ColumnKind::Integer}, {"b", ColumnKind::Integer}}, -1);
  std::string out;
  CursorRange range;
  auto rows = encoder.encode("1\t2\n3\t4\n5\t6\n", out, range);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 3u);
  EXPECT_TRUE(range.empty());
}

TEST(IngestJsonLines, WrongFieldCountIsBadCopyData) {
  const JsonLinesEncoder encoder({{"a", ColumnKind::Integer}, {"b", ColumnKind::Integer}}, -1);
  for (std::string_view bad : {"1\n", "1\t2\t3\n", "1\t2\n3\n"}) {
    std::string out;
    CursorRange range;
    auto rows = encoder.encode(bad, out, range);
    ASSERT_FALSE(rows.ok()) << bad;
    EXPECT_EQ(rows.error().code, "BadCopyData");
  }
}

TEST(IngestJsonLines, NumericsStayExactDecimalStrings) {
  EXPECT_EQ(value_json(ColumnKind::Decimal, "378276.14"), "\"378276.14\"");
  EXPECT_EQ(value_json(ColumnKind::Decimal, "3.50"), "\"3.50\"");  // the scale is kept
  EXPECT_EQ(value_json(ColumnKind::Decimal, "-0.000000000000000000000000001"),
            "\"-0.000000000000000000000000001\"");
  EXPECT_EQ(value_json(ColumnKind::Decimal, "123456789012345678901234567890.123456789"),
            "\"123456789012345678901234567890.123456789\"");
  EXPECT_EQ(value_json(ColumnKind::Decimal, "NaN"), "\"NaN\"");
}

TEST(IngestJsonLines, IntegersAndFloatsAreNumbers) {
  EXPECT_EQ(value_json(ColumnKind::Integer, "0"), "0");
  EXPECT_EQ(value_json(ColumnKind::Integer, "-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(parsed(ColumnKind::Integer, "9223372036854775807"), 9223372036854775807LL);
  EXPECT_EQ(value_json(ColumnKind::Float, "0.1"), "0.1");
  EXPECT_EQ(value_json(ColumnKind::Float, "1.7976931348623157e+308"), "1.7976931348623157e+308");
  // JSON has no NaN or infinities: they become strings.
  EXPECT_EQ(value_json(ColumnKind::Float, "NaN"), "\"NaN\"");
  EXPECT_EQ(value_json(ColumnKind::Float, "Infinity"), "\"Infinity\"");
  EXPECT_EQ(value_json(ColumnKind::Float, "-Infinity"), "\"-Infinity\"");
}

TEST(IngestJsonLines, Booleans) {
  EXPECT_EQ(value_json(ColumnKind::Bool, "t"), "true");
  EXPECT_EQ(value_json(ColumnKind::Bool, "f"), "false");
}

TEST(IngestJsonLines, TimestampsHaveAtLeastMilliseconds) {
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "2024-11-14 09:30:20"), "\"2024-11-14T09:30:20.000\"");
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "2024-11-14 09:30:20.5"), "\"2024-11-14T09:30:20.500\"");
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "2024-11-14 09:30:20.12"), "\"2024-11-14T09:30:20.120\"");
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "2024-11-14 09:30:20.123"), "\"2024-11-14T09:30:20.123\"");
  // More digits than milliseconds are kept, not rounded away.
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "2024-11-14 09:30:20.123456"),
            "\"2024-11-14T09:30:20.123456\"");
  // Values ISO cannot spell stay PostgreSQL's text.
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "infinity"), "\"infinity\"");
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "-infinity"), "\"-infinity\"");
  EXPECT_EQ(value_json(ColumnKind::Timestamp, "0044-03-15 12:00:00 BC"), "\"0044-03-15 12:00:00 BC\"");
}

TEST(IngestJsonLines, TimestampsWithZone) {
  EXPECT_EQ(value_json(ColumnKind::TimestampTz, "2024-11-14 09:30:20+00"), "\"2024-11-14T09:30:20.000Z\"");
  EXPECT_EQ(value_json(ColumnKind::TimestampTz, "2024-11-14 09:30:20.25+00"), "\"2024-11-14T09:30:20.250Z\"");
  EXPECT_EQ(value_json(ColumnKind::TimestampTz, "2024-11-14 09:30:20.123+02"),
            "\"2024-11-14T09:30:20.123+02:00\"");
  EXPECT_EQ(value_json(ColumnKind::TimestampTz, "2024-11-14 09:30:20-05:30"),
            "\"2024-11-14T09:30:20.000-05:30\"");
  EXPECT_EQ(value_json(ColumnKind::TimestampTz, "infinity"), "\"infinity\"");
}

TEST(IngestJsonLines, DatesAndEnumsAreTheirText) {
  EXPECT_EQ(value_json(ColumnKind::Date, "2022-11-09"), "\"2022-11-09\"");
  EXPECT_EQ(column_kind_for_type("payment_type_name_enum"), ColumnKind::Text);  // an enum: its label
  EXPECT_EQ(value_json(ColumnKind::Text, "SALES_RECEIPT"), "\"SALES_RECEIPT\"");
}

TEST(IngestJsonLines, CopyEscapesAreDecodedAndJsonEscapesApplied) {
  // COPY writes tab, newline, CR and backslash as \t \n \r \\ inside a field.
  EXPECT_EQ(value_json(ColumnKind::Text, "a\\tb"), "\"a\\tb\"");
  EXPECT_EQ(parsed(ColumnKind::Text, "a\\tb"), "a\tb");
  EXPECT_EQ(parsed(ColumnKind::Text, "line1\\nline2\\r"), "line1\nline2\r");
  EXPECT_EQ(value_json(ColumnKind::Text, "C:\\\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(parsed(ColumnKind::Text, "C:\\\\dir"), "C:\\dir");
  EXPECT_EQ(parsed(ColumnKind::Text, "\\b\\f\\v"), "\b\f\v");
  EXPECT_EQ(value_json(ColumnKind::Text, "\\v"), "\"\\u000b\"");
  // Octal and hex escapes (COPY FROM accepts them; decoded the same way).
  EXPECT_EQ(parsed(ColumnKind::Text, "\\101\\x42"), "AB");
  EXPECT_EQ(value_json(ColumnKind::Text, "\\x01"), "\"\\u0001\"");
  // Characters COPY leaves alone but JSON must escape.
  EXPECT_EQ(value_json(ColumnKind::Text, "say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(value_json(ColumnKind::Text, std::string_view("\x1f\x7f", 2)), "\"\\u001f\\u007f\"");
  // UTF-8 passes through unchanged.
  EXPECT_EQ(value_json(ColumnKind::Text, "Zürich — 東京"), "\"Zürich — 東京\"");
  EXPECT_EQ(parsed(ColumnKind::Text, "Zürich — 東京"), "Zürich — 東京");
}

TEST(IngestJsonLines, EscapesInLongValuesAndBetweenPlainRuns) {
  std::string plain(5000, 'x');
  const std::string field = plain + "\\t" + plain + "\"" + plain + "\\\\";
  EXPECT_EQ(parsed(ColumnKind::Text, field), plain + "\t" + plain + "\"" + plain + "\\");
}

TEST(IngestJsonLines, JsonIsEmbedded) {
  EXPECT_EQ(value_json(ColumnKind::Json, "{\"a\": [1, 2.50, null]}"), "{\"a\": [1, 2.50, null]}");
  // jsonb holding a JSON escape: COPY doubles the backslash, the embedded JSON keeps one.
  EXPECT_EQ(value_json(ColumnKind::Json, "{\"k\": \"x\\\\ty\"}"), "{\"k\": \"x\\ty\"}");
  EXPECT_EQ(parsed(ColumnKind::Json, "{\"k\": \"x\\\\ty\"}").at("k"), "x\ty");
}

TEST(IngestJsonLines, CursorRangeUsesTheIsoText) {
  const std::vector<ColumnSpec> cols = {{"id", ColumnKind::Integer}, {"last_updated", ColumnKind::Timestamp}};
  CursorRange range;
  encode(cols, "1\t2024-11-14 09:30:20.5\n2\t2023-01-02 03:04:05\n3\t2025-06-07 08:09:10.123\n4\t\\N\n", 1,
         &range);
  EXPECT_EQ(range.min, "2023-01-02T03:04:05.000");
  EXPECT_EQ(range.max, "2025-06-07T08:09:10.123");
  CursorRange other;
  other.add("2022-12-31T23:59:59.999");
  range.merge(other);
  EXPECT_EQ(range.min, "2022-12-31T23:59:59.999");
  EXPECT_EQ(range.max, "2025-06-07T08:09:10.123");
}

TEST(IngestJsonLines, ColumnKindsFromTypeNames) {
  EXPECT_EQ(column_kind_for_type("int4"), ColumnKind::Integer);
  EXPECT_EQ(column_kind_for_type("int8"), ColumnKind::Integer);
  EXPECT_EQ(column_kind_for_type("numeric"), ColumnKind::Decimal);
  EXPECT_EQ(column_kind_for_type("float8"), ColumnKind::Float);
  EXPECT_EQ(column_kind_for_type("bool"), ColumnKind::Bool);
  EXPECT_EQ(column_kind_for_type("timestamp"), ColumnKind::Timestamp);
  EXPECT_EQ(column_kind_for_type("timestamptz"), ColumnKind::TimestampTz);
  EXPECT_EQ(column_kind_for_type("date"), ColumnKind::Date);
  EXPECT_EQ(column_kind_for_type("jsonb"), ColumnKind::Json);
  EXPECT_EQ(column_kind_for_type("varchar"), ColumnKind::Text);
}

TEST(IngestJsonLines, EveryLineParsesBackToTheSameValues) {
  const std::vector<ColumnSpec> cols = {{"i", ColumnKind::Integer}, {"d", ColumnKind::Decimal},
                                        {"t", ColumnKind::Text},    {"ts", ColumnKind::Timestamp},
                                        {"b", ColumnKind::Bool},    {"day", ColumnKind::Date}};
  const std::string out = encode(cols,
                                 "1\t1.10\ta\\\\b\\nc\t2024-01-01 00:00:00\tt\t2024-02-29\n"
                                 "2\t\\N\t\"q\"\t2024-01-01 00:00:00.001\tf\t\\N\n");
  std::vector<nlohmann::json> rows;
  std::size_t start = 0;
  for (auto eol = out.find('\n'); eol != std::string::npos; start = eol + 1, eol = out.find('\n', start)) {
    rows.push_back(nlohmann::json::parse(out.substr(start, eol - start)));
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(
      rows[0],
      nlohmann::json::parse(
          R"({"i":1,"d":"1.10","t":"a\\b\nc","ts":"2024-01-01T00:00:00.000","b":true,"day":"2024-02-29"})"));
  EXPECT_EQ(rows[1],
            nlohmann::json::parse(
                R"({"i":2,"d":null,"t":"\"q\"","ts":"2024-01-01T00:00:00.001","b":false,"day":null})"));
}

}  // namespace
}  // namespace dwh::stores
