#pragma once
// Shared by the transform oracle tests (transform_golden_test.cpp, transform_recompute_test.cpp):
// reads what one `dwh transform` run wrote back through DuckDB (an independent Parquet reader)
// and compares it with rows PostgreSQL computed (tests/golden/transform/expected.sql), both in
// one canonical text form: CSV as PostgreSQL's COPY writes it (a header line; NULL is an empty
// unquoted field; a field is quoted when it is empty or holds a comma, a quote, CR or LF), with
// values rendered as expected.sql renders them (dates YYYY-MM-DD, times HH:MM:SS.ffffff,
// decimals with their scale, booleans true/false). Rows compare as sorted multisets: the
// order rows come back in is not part of the contract.
// Header-only because the CMake glob compiles tests/integration/*.cpp as test files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "duckdb_oracle.hpp"

namespace dwh::test::transform_oracle {

inline const std::vector<std::string> kTables = {
    "dim_date",         "dim_staff",           "dim_location",     "dim_design",
    "dim_currency",     "dim_counterparty",    "dim_payment_type", "dim_transaction",
    "fact_sales_order", "fact_purchase_order", "fact_payment"};

inline std::string golden_dir() {
  return std::string(DWH_SOURCE_DIR) + "/tests/golden/transform";
}

struct Column {
  std::string name;
  std::string duckdb_type;  // as DESCRIBE names it: INTEGER, DATE, TIME, DECIMAL(10,2), VARCHAR, BOOLEAN
};
using Schema = std::map<std::string, std::vector<Column>>;  // by table, columns in warehouse order

struct TableRows {
  std::string header;
  std::vector<std::string> rows;  // CSV lines, sorted
};

inline std::string csv_field(const std::optional<std::string>& value) {
  if (!value) return "";
  const std::string& v = *value;
  if (!v.empty() && v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

inline std::string csv_line(const std::vector<std::optional<std::string>>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    line += csv_field(fields[i]);
  }
  return line;
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// expected/schema.csv: table_name,column_name,duckdb_type (no quoted fields in it).
inline Schema read_schema(const std::string& path) {
  Schema schema;
  const auto lines = read_lines(path);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto a = lines[i].find(',');
    const auto b = lines[i].find(',', a + 1);
    std::string type = lines[i].substr(b + 1);
    if (type.size() >= 2 && type.front() == '"') type = type.substr(1, type.size() - 2);  // "DECIMAL(10,2)"
    schema[lines[i].substr(0, a)].push_back({lines[i].substr(a + 1, b - a - 1), type});
  }
  return schema;
}

inline TableRows read_expected(const std::string& path) {
  auto lines = read_lines(path);
  if (lines.empty()) throw std::runtime_error(path + " has no header");
  TableRows t{lines.front(), {lines.begin() + 1, lines.end()}};
  std::sort(t.rows.begin(), t.rows.end());
  return t;
}

inline std::string header_of(const std::vector<Column>& columns) {
  std::vector<std::optional<std::string>> names;
  for (const auto& c : columns) names.emplace_back(c.name);
  return csv_line(names);
}

// Run ids of the committed transform runs, oldest first (from their manifests' names).
inline std::vector<std::string> transform_runs(const std::string& processed_dir) {
  std::vector<std::string> runs;
  const std::filesystem::path dir = std::filesystem::path(processed_dir) / "_manifests" / "transform";
  if (!std::filesystem::exists(dir)) return runs;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".json") runs.push_back(e.path().stem().string());
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

// <processed>/<table>/<YYYY>/<MM>/<DD>/<run_id>.parquet objects of one run (the brief's layout).
inline std::vector<std::string> run_files(const std::string& processed_dir, const std::string& table,
                                          const std::string& run_id) {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(processed_dir) / table;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename() == run_id + ".parquet") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct RunOutput {
  std::map<std::string, TableRows> tables;
  std::vector<std::string> problems;  // schema differences, unreadable tables
};

inline std::string sql_identifier(const std::string& name) {
  return "\"" + name + "\"";
}

inline std::string parquet_list(const std::vector<std::string>& files) {
  std::string list = "[";
  for (std::size_t i = 0; i < files.size(); ++i) list += (i ? ", " : "") + sql_quote(files[i]);
  return list + "]";
}

// Reads every table one transform run wrote, through DuckDB: first the column names and types
// of each table's files (compared with `schema`), then the rows rendered as text.
inline RunOutput read_run(const std::string& processed_dir, const std::string& run_id, const Schema& schema) {
  RunOutput out;
  std::map<std::string, std::vector<std::string>> files;
  std::string describe;
  for (const auto& table : kTables) {
    out.tables[table] = TableRows{header_of(schema.at(table)), {}};
    files[table] = run_files(processed_dir, table, run_id);
    if (files[table].empty()) continue;
    if (!describe.empty()) describe += " UNION ALL ";
    describe += "SELECT " + sql_quote(table) +
                " AS t, column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
                parquet_list(files[table]) + "))";
  }
  if (describe.empty()) return out;
  std::map<std::string, std::vector<Column>> actual;
  for (const auto& r : duckdb_query(describe)) {
    actual[r["t"].get<std::string>()].push_back(
        {r["column_name"].get<std::string>(), r["column_type"].get<std::string>()});
  }
  std::string values;
  for (const auto& [table, cols] : actual) {
    const auto& want = schema.at(table);
    auto render = [](const Column& c) {
      return c.duckdb_type == "TIME"
                 ? "strftime(DATE '2000-01-01' + " + sql_identifier(c.name) + ", '%H:%M:%S.%f')"
                 : "CAST(" + sql_identifier(c.name) + " AS VARCHAR)";
    };
    std::ostringstream have_text, want_text;
    for (const auto& c : cols) have_text << c.name << ' ' << c.duckdb_type << "; ";
    for (const auto& c : want) want_text << c.name << ' ' << c.duckdb_type << "; ";
    if (have_text.str() != want_text.str()) {
      out.problems.push_back(table + ": Parquet columns are [" + have_text.str() + "], expected [" +
                             want_text.str() + "]");
    }
    // Rows are read whenever every expected column is there, so a type problem still shows the data.
    std::string list;
    for (const auto& w : want) {
      const auto it =
          std::find_if(cols.begin(), cols.end(), [&](const Column& c) { return c.name == w.name; });
      if (it == cols.end()) {
        list.clear();
        break;
      }
      list += (list.empty() ? "" : ", ") + render(*it);
    }
    if (list.empty()) {
      out.problems.push_back(table + ": rows not compared, columns missing");
      continue;
    }
    if (!values.empty()) values += " UNION ALL ";
    values += "SELECT " + sql_quote(table) + " AS t, [" + list + "] AS v FROM read_parquet(" +
              parquet_list(files[table]) + ")";
  }
  if (values.empty()) return out;
  for (const auto& r : duckdb_query(values)) {
    std::vector<std::optional<std::string>> fields;
    for (const auto& v : r["v"])
      fields.push_back(v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>()));
    out.tables[r["t"].get<std::string>()].rows.push_back(csv_line(fields));
  }
  for (auto& [table, t] : out.tables) std::sort(t.rows.begin(), t.rows.end());
  return out;
}

// "" when equal; otherwise the header and the rows missing from / not expected in `actual`.
inline std::string diff_table(const std::string& table, const TableRows& expected, const TableRows& actual) {
  std::vector<std::string> missing, extra;
  std::set_difference(expected.rows.begin(), expected.rows.end(), actual.rows.begin(), actual.rows.end(),
                      std::back_inserter(missing));
  std::set_difference(actual.rows.begin(), actual.rows.end(), expected.rows.begin(), expected.rows.end(),
                      std::back_inserter(extra));
  if (missing.empty() && extra.empty() && expected.header == actual.header) return "";
  std::ostringstream out;
  out << table << ": expected " << expected.rows.size() << " rows, got " << actual.rows.size() << "\n";
  if (expected.header != actual.header)
    out << "  header expected: " << expected.header << "\n  header actual:   " << actual.header << "\n";
  else
    out << "    " << expected.header << "\n";
  constexpr std::size_t kShown = 20;  // enough to see the pattern, short enough to read
  for (std::size_t i = 0; i < missing.size() && i < kShown; ++i) out << "  - " << missing[i] << "\n";
  if (missing.size() > kShown) out << "  - ... " << missing.size() - kShown << " more missing\n";
  for (std::size_t i = 0; i < extra.size() && i < kShown; ++i) out << "  + " << extra[i] << "\n";
  if (extra.size() > kShown) out << "  + ... " << extra.size() - kShown << " more unexpected\n";
  return out.str();
}

// Every table of the run against `expected` (by table): the concatenated diffs, "" when equal.
inline std::string compare_run(const RunOutput& actual, const std::map<std::string, TableRows>& expected) {
  std::string report;
  for (const auto& p : actual.problems) report += p + "\n";
  for (const auto& table : kTables) report += diff_table(table, expected.at(table), actual.tables.at(table));
  return report;
}

}  // namespace dwh::test::transform_oracle
