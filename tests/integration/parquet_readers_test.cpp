// Our Parquet files read back by independent readers (DuckDB and hyparquet) and by our reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>

#include "duckdb_oracle.hpp"
#include "dwh/parquet/reader.hpp"
#include "dwh/parquet/writer.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

// The oracles themselves: a file DuckDB writes reads back the same through hyparquet, so a
// disagreement later points at our writer, not at the harness.
TEST(ParquetOracles, DuckdbAndHyparquetAgreeOnDuckdbsOwnFile) {
  const std::string dir = make_temp_dir("parquet-oracle");
  const std::string path = dir + "/duckdb.parquet";
  duckdb_query(
      "COPY (SELECT 7::INT AS i, 'héllo' AS s, DATE '2024-02-29' AS d, "
      "TIMESTAMP '2024-01-02 03:04:05.123456' AS t, 12.34::DECIMAL(10,2) AS m "
      "UNION ALL SELECT NULL, '', NULL, NULL, NULL) TO " +
      sql_quote(path) + " (FORMAT parquet)");
  const auto rows = duckdb_query("SELECT * FROM read_parquet(" + sql_quote(path) + ") ORDER BY i NULLS LAST");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["i"], 7);
  EXPECT_EQ(rows[0]["s"], "héllo");
  EXPECT_EQ(rows[0]["d"], "2024-02-29");
  EXPECT_EQ(rows[0]["t"], "2024-01-02 03:04:05.123456");
  EXPECT_EQ(rows[0]["m"], "12.34");
  EXPECT_TRUE(rows[1]["i"].is_null());
  EXPECT_EQ(rows[1]["s"], "");

  const auto hy = hyparquet_read(path);
  ASSERT_EQ(hy["rows"].size(), 2u);
  EXPECT_EQ(hy["rows"][0]["s"], "héllo");
  EXPECT_EQ(hy["rows"][0]["d"], "2024-02-29");
  EXPECT_EQ(hy["rows"][0]["t"], "2024-01-02T03:04:05.123456");
  EXPECT_DOUBLE_EQ(hy["rows"][0]["m"].get<double>(), 12.34);
  EXPECT_TRUE(hy["rows"][1]["d"].is_null());
  EXPECT_EQ(hy["schema"][4]["logical_type"]["type"], "DECIMAL");
  std::filesystem::remove_all(dir);
}

TEST(ParquetOracles, ReportsAFailingQueryClearly) {
  try {
    duckdb_query("SELECT * FROM read_parquet('/nonexistent/x.parquet')");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("duckdb_query"), std::string::npos) << e.what();
  }
}

// ---- Our files, read by DuckDB, hyparquet and our reader ----

using parquet::Column;
using parquet::ColumnBatch;
using parquet::ColumnSchema;
using parquet::Compression;
using parquet::LogicalType;
using parquet::Schema;
using parquet::WriterOptions;

// Day number → "YYYY-MM-DD" (Howard Hinnant's civil_from_days).
std::string date_text(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// "HH:MM:SS" plus the fraction of `digits` digits: DuckDB trims trailing zeros (and the dot),
// our hyparquet tool keeps them all.
std::string clock_text(std::int64_t units_of_day, std::int64_t per_second, int digits, bool trim) {
  const std::int64_t seconds = units_of_day / per_second, fraction = units_of_day % per_second;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  std::string out = buf;
  std::string frac = std::to_string(fraction);
  frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
  if (trim) {
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (frac.empty()) return out;
  }
  return out + "." + frac;
}

std::string timestamp_text(std::int64_t value, std::int64_t per_second, int digits, bool duckdb) {
  const std::int64_t per_day = per_second * 86400;
  const std::int64_t days = floor_div(value, per_day);
  return date_text(days) + (duckdb ? " " : "T") +
         clock_text(value - days * per_day, per_second, digits, duckdb);
}

std::string decimal_text(std::int64_t unscaled, int scale) {
  const bool negative = unscaled < 0;
  std::string digits = std::to_string(
      negative ? -static_cast<__int128>(unscaled) > 0 ? static_cast<std::uint64_t>(-(unscaled + 1)) + 1 : 0
               : static_cast<std::uint64_t>(unscaled));
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
  }
  return (negative ? "-" : "") + digits;
}

// What DuckDB's getRowObjectsJson gives for a value we wrote.
nlohmann::json duckdb_value(const ColumnSchema& c, const Column& col, std::size_t r) {
  if (col.is_null(r)) return nullptr;
  const std::int64_t v = c.type == LogicalType::Double || c.type == LogicalType::String ? 0 : col.ints[r];
  switch (c.type) {
    case LogicalType::Boolean:
      return v != 0;
    case LogicalType::Int32:
      return v;
    case LogicalType::Int64:
      return std::to_string(v);
    case LogicalType::Double:
      return col.doubles[r];
    case LogicalType::String:
      return std::string(col.string_at(r));
    case LogicalType::Date:
      return date_text(v);
    case LogicalType::TimeMillis:
      return clock_text(v, 1000, 3, true);
    case LogicalType::TimeMicros:
      return clock_text(v, 1'000'000, 6, true);
    case LogicalType::TimestampMillis:
      return timestamp_text(v, 1000, 3, true);
    case LogicalType::TimestampMicros:
      return timestamp_text(v, 1'000'000, 6, true);
    case LogicalType::Decimal:
      return decimal_text(v, c.scale);
  }
  return nullptr;
}

// What tests/tools/hyparquet_read.mjs prints for it.
nlohmann::json hyparquet_value(const ColumnSchema& c, const Column& col, std::size_t r) {
  if (col.is_null(r)) return nullptr;
  const std::int64_t v = c.type == LogicalType::Double || c.type == LogicalType::String ? 0 : col.ints[r];
  switch (c.type) {
    case LogicalType::Boolean:
      return v != 0;
    case LogicalType::Int32:
    case LogicalType::TimeMillis:
      return v;
    case LogicalType::Int64:
    case LogicalType::TimeMicros:
      return std::to_string(v);
    case LogicalType::Double:
      return col.doubles[r];
    case LogicalType::String:
      return std::string(col.string_at(r));
    case LogicalType::Date:
      return date_text(v);
    case LogicalType::TimestampMillis:
      return timestamp_text(v, 1000, 3, false);
    case LogicalType::TimestampMicros:
      return timestamp_text(v, 1'000'000, 6, false);
    case LogicalType::Decimal:
      return static_cast<double>(v) * std::pow(10.0, -c.scale);  // hyparquet's float
  }
  return nullptr;
}

std::string duckdb_type(const ColumnSchema& c) {
  switch (c.type) {
    case LogicalType::Boolean:
      return "BOOLEAN";
    case LogicalType::Int32:
      return "INTEGER";
    case LogicalType::Int64:
      return "BIGINT";
    case LogicalType::Double:
      return "DOUBLE";
    case LogicalType::String:
      return "VARCHAR";
    case LogicalType::Date:
      return "DATE";
    case LogicalType::TimeMillis:
    case LogicalType::TimeMicros:
      return "TIME";
    case LogicalType::TimestampMillis:
    case LogicalType::TimestampMicros:
      return "TIMESTAMP";  // local: not TIMESTAMP WITH TIME ZONE
    case LogicalType::Decimal:
      return "DECIMAL(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
  }
  return "?";
}

// hyparquet's view of the schema: physical type, converted type, logical type.
void expect_hyparquet_schema(const ColumnSchema& c, const nlohmann::json& e) {
  SCOPED_TRACE(c.name + ": " + e.dump());
  EXPECT_EQ(e["name"], c.name);
  EXPECT_EQ(e["repetition_type"], c.nullable ? "OPTIONAL" : "REQUIRED");
  const auto& lt = e["logical_type"];
  const auto temporal = [&](const char* type, const char* unit) {
    EXPECT_EQ(lt["type"], type);
    EXPECT_EQ(lt["unit"], unit);
    EXPECT_EQ(lt["isAdjustedToUTC"], false);
  };
  switch (c.type) {
    case LogicalType::Boolean:
      EXPECT_EQ(e["type"], "BOOLEAN");
      EXPECT_TRUE(lt.is_null());
      break;
    case LogicalType::Int32:
      EXPECT_EQ(e["type"], "INT32");
      EXPECT_EQ(e["converted_type"], "INT_32");
      EXPECT_EQ(lt["type"], "INTEGER");
      EXPECT_EQ(lt["bitWidth"], 32);
      EXPECT_EQ(lt["isSigned"], true);
      break;
    case LogicalType::Int64:
      EXPECT_EQ(e["type"], "INT64");
      EXPECT_EQ(e["converted_type"], "INT_64");
      EXPECT_EQ(lt["bitWidth"], 64);
      break;
    case LogicalType::Double:
      EXPECT_EQ(e["type"], "DOUBLE");
      EXPECT_TRUE(lt.is_null());
      break;
    case LogicalType::String:
      EXPECT_EQ(e["type"], "BYTE_ARRAY");
      EXPECT_EQ(e["converted_type"], "UTF8");
      EXPECT_EQ(lt["type"], "STRING");
      break;
    case LogicalType::Date:
      EXPECT_EQ(e["type"], "INT32");
      EXPECT_EQ(e["converted_type"], "DATE");
      EXPECT_EQ(lt["type"], "DATE");
      break;
    case LogicalType::TimeMillis:
      EXPECT_EQ(e["type"], "INT32");
      EXPECT_EQ(e["converted_type"], "TIME_MILLIS");
      temporal("TIME", "MILLIS");
      break;
    case LogicalType::TimeMicros:
      EXPECT_EQ(e["type"], "INT64");
      EXPECT_EQ(e["converted_type"], "TIME_MICROS");
      temporal("TIME", "MICROS");
      break;
    case LogicalType::TimestampMillis:
      EXPECT_EQ(e["type"], "INT64");
      EXPECT_EQ(e["converted_type"], "TIMESTAMP_MILLIS");
      temporal("TIMESTAMP", "MILLIS");
      break;
    case LogicalType::TimestampMicros:
      EXPECT_EQ(e["type"], "INT64");
      EXPECT_EQ(e["converted_type"], "TIMESTAMP_MICROS");
      temporal("TIMESTAMP", "MICROS");
      break;
    case LogicalType::Decimal:
      EXPECT_EQ(e["type"], c.precision <= 9 ? "INT32" : "INT64");
      EXPECT_EQ(e["converted_type"], "DECIMAL");
      EXPECT_EQ(e["precision"], c.precision);
      EXPECT_EQ(e["scale"], c.scale);
      EXPECT_EQ(lt["type"], "DECIMAL");
      EXPECT_EQ(lt["precision"], c.precision);
      EXPECT_EQ(lt["scale"], c.scale);
      break;
  }
}

Schema table_schema() {
  Schema s;
  const auto add = [&](std::string name, LogicalType t, bool nullable = true, int p = 0, int sc = 0) {
    s.columns.push_back(ColumnSchema{std::move(name), t, nullable, p, sc});
  };
  add("flag", LogicalType::Boolean);
  add("small", LogicalType::Int32);
  add("big", LogicalType::Int64);
  add("ratio", LogicalType::Double);
  add("text", LogicalType::String);
  add("day", LogicalType::Date);
  add("clock_ms", LogicalType::TimeMillis);
  add("clock_us", LogicalType::TimeMicros);
  add("at_ms", LogicalType::TimestampMillis);
  add("at_us", LogicalType::TimestampMicros);
  add("price", LogicalType::Decimal, true, 9, 2);
  add("amount", LogicalType::Decimal, true, 18, 2);
  add("fine", LogicalType::Decimal, true, 18, 6);
  add("whole", LogicalType::Decimal, true, 5, 0);
  add("id", LogicalType::Int32, false);
  add("code", LogicalType::String, false);
  add("created", LogicalType::TimestampMicros, false);
  add("unit_price", LogicalType::Decimal, false, 18, 2);
  return s;
}

// Valid UTF-8 of random code points (no surrogates), with some of everything: ASCII, JSON
// escapes, 2/3/4-byte sequences.
std::string random_text(std::mt19937_64& rng, std::size_t max_chars) {
  static const std::vector<std::string> samples{"",
                                                "a",
                                                "héllo",
                                                "日本語",
                                                "😀 emoji",
                                                "quote \" back \\ slash",
                                                "tab\tnew\nline",
                                                "Ω≈ç√∫",
                                                "Pound Sterling",
                                                "ü"};
  if (rng() % 3 == 0) return samples[rng() % samples.size()];
  std::string out;
  const std::size_t n = rng() % (max_chars + 1);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t cp = 0;
    switch (rng() % 4) {
      case 0:
        cp = 0x20 + static_cast<std::uint32_t>(rng() % 0x5f);
        break;
      case 1:
        cp = 0x80 + static_cast<std::uint32_t>(rng() % 0x780);
        break;
      case 2:
        cp = 0x800 + static_cast<std::uint32_t>(rng() % (0xd800 - 0x800));
        break;
      default:
        cp = 0x10000 + static_cast<std::uint32_t>(rng() % 0xfffff);
        break;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  return out;
}

constexpr std::int64_t kFirstDay = -354285;  // 1000-01-01
constexpr std::int64_t kLastDay = 2932896;   // 9999-12-31
constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

std::int64_t pow10(int n) {
  std::int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// One random value of a column's type; `pooled` draws from a small set so dictionaries pay.
void random_value(const ColumnSchema& c, std::mt19937_64& rng, Column& col, bool present) {
  const auto range = [&](std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo + 1));
  };
  switch (c.type) {
    case LogicalType::Double: {
      const double v = std::ldexp(static_cast<double>(range(-1'000'000'000, 1'000'000'000)),
                                  static_cast<int>(range(-60, 30)));
      col.doubles.push_back(present ? v : 0.0);
      return;
    }
    case LogicalType::String: {
      if (present) col.bytes += random_text(rng, 40);
      col.offsets.push_back(static_cast<std::uint32_t>(col.bytes.size()));
      return;
    }
    default:
      break;
  }
  std::int64_t v = 0;
  switch (c.type) {
    case LogicalType::Boolean:
      v = range(0, 1);
      break;
    case LogicalType::Int32:
      v = rng() % 10 == 0 ? (rng() % 2 ? INT32_MIN : INT32_MAX) : range(INT32_MIN, INT32_MAX);
      break;
    case LogicalType::Int64:
      v = rng() % 10 == 0 ? (rng() % 2 ? INT64_MIN : INT64_MAX) : static_cast<std::int64_t>(rng());
      break;
    case LogicalType::Date:
      v = rng() % 10 == 0 ? (rng() % 2 ? kFirstDay : kLastDay) : range(-25000, 50000);
      break;
    case LogicalType::TimeMillis:
      v = range(0, 86'399'999);
      break;
    case LogicalType::TimeMicros:
      v = range(0, kMicrosPerDay - 1);
      break;
    case LogicalType::TimestampMillis:
      v = range(kFirstDay * 86'400'000, (kLastDay + 1) * 86'400'000 - 1);
      break;
    case LogicalType::TimestampMicros:
      v = range(-3'000'000'000'000'000, 5'000'000'000'000'000);
      break;
    case LogicalType::Decimal: {
      const std::int64_t max = pow10(c.precision) - 1;
      v = rng() % 8 == 0
              ? (rng() % 2 ? -max : max)
              : range(-max, max) /
                    (rng() % 2 ? 1
                               : pow10(static_cast<int>(rng() % static_cast<std::uint64_t>(c.precision))));
      break;
    }
    default:
      break;
  }
  col.ints.push_back(present ? v : 0);
}

ColumnBatch random_table(const Schema& schema, std::size_t rows, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  ColumnBatch b;
  b.rows = rows;
  for (const auto& c : schema.columns) {
    // 70% of values from a pool of 16 (repeats, so dictionaries pay), the rest fresh.
    std::mt19937_64 pool_rng(seed * 31 + b.columns.size());
    Column col;
    if (c.nullable) col.valid.resize(rows);
    for (std::size_t r = 0; r < rows; ++r) {
      const bool present = !c.nullable || rng() % 5 != 0;
      if (c.nullable) col.valid[r] = present ? 1 : 0;
      if (rng() % 10 < 7) {
        pool_rng.seed(seed * 31 + b.columns.size() * 1000 + rng() % 16);
        random_value(c, pool_rng, col, present);
      } else {
        random_value(c, rng, col, present);
      }
    }
    b.columns.push_back(std::move(col));
  }
  return b;
}

std::string write_parquet(const std::string& path, const Schema& schema,
                          const std::vector<ColumnBatch>& batches, const WriterOptions& options) {
  std::string bytes;
  auto w = parquet::Writer::open(
      schema,
      [&](std::string_view b) {
        bytes.append(b);
        return Status{};
      },
      options);
  if (!w) throw std::runtime_error(w.error().message);
  for (const auto& b : batches) {
    if (auto st = w.value()->write(b); !st) throw std::runtime_error(st.error().message);
  }
  if (auto st = w.value()->close(); !st) throw std::runtime_error(st.error().message);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

ColumnBatch concat(const std::vector<ColumnBatch>& batches, std::size_t columns) {
  ColumnBatch all;
  all.columns.resize(columns);
  for (const auto& b : batches) {
    for (std::size_t c = 0; c < columns; ++c) {
      const Column& from = b.columns[c];
      Column& to = all.columns[c];
      if (!from.valid.empty() || !to.valid.empty()) {
        if (to.valid.empty()) to.valid.assign(all.rows, 1);
        if (from.valid.empty())
          to.valid.insert(to.valid.end(), b.rows, 1);
        else
          to.valid.insert(to.valid.end(), from.valid.begin(), from.valid.end());
      }
      to.ints.insert(to.ints.end(), from.ints.begin(), from.ints.end());
      to.doubles.insert(to.doubles.end(), from.doubles.begin(), from.doubles.end());
      for (std::size_t r = 0; r + 1 < from.offsets.size(); ++r) {
        to.bytes += from.string_at(r);
        to.offsets.push_back(static_cast<std::uint32_t>(to.bytes.size()));
      }
    }
    all.rows += b.rows;
  }
  return all;
}

// Reads `path` with all three readers and compares every value and type with `written`.
void expect_readers_agree(const std::string& path, const Schema& schema, const ColumnBatch& written,
                          const std::string& file_bytes) {
  const std::string source = "read_parquet(" + sql_quote(path) + ")";
  // DuckDB: column types, then values.
  const auto described = duckdb_query("DESCRIBE SELECT * FROM " + source);
  ASSERT_EQ(described.size(), schema.columns.size());
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    EXPECT_EQ(described[c]["column_name"], schema.columns[c].name);
    EXPECT_EQ(described[c]["column_type"], duckdb_type(schema.columns[c])) << schema.columns[c].name;
  }
  const auto rows = duckdb_query("SELECT * FROM " + source);
  ASSERT_EQ(rows.size(), written.rows);
  std::size_t mismatches = 0;
  for (std::size_t r = 0; r < written.rows && mismatches < 10; ++r) {
    for (std::size_t c = 0; c < schema.columns.size(); ++c) {
      const auto expected = duckdb_value(schema.columns[c], written.columns[c], r);
      const auto& got = rows[r][schema.columns[c].name];
      if (got != expected) {
        ++mismatches;
        ADD_FAILURE() << "DuckDB row " << r << " column " << schema.columns[c].name << ": got " << got.dump()
                      << ", wrote " << expected.dump();
      }
    }
  }

  // hyparquet: schema annotations, then values.
  const auto hy = hyparquet_read(path);
  EXPECT_EQ(hy["num_rows"], std::to_string(written.rows));
  EXPECT_EQ(hy["created_by"], "dwhkit parquet writer version 0.1.0");
  ASSERT_EQ(hy["schema"].size(), schema.columns.size());
  for (std::size_t c = 0; c < schema.columns.size(); ++c)
    expect_hyparquet_schema(schema.columns[c], hy["schema"][c]);
  ASSERT_EQ(hy["rows"].size(), written.rows);
  for (std::size_t r = 0; r < written.rows && mismatches < 10; ++r) {
    for (std::size_t c = 0; c < schema.columns.size(); ++c) {
      const auto& col = schema.columns[c];
      const auto expected = hyparquet_value(col, written.columns[c], r);
      const auto& got = hy["rows"][r][col.name];
      const bool same = col.type == LogicalType::Decimal && expected.is_number() && got.is_number()
                            ? std::abs(got.get<double>() - expected.get<double>()) <=
                                  1e-12 * std::max(1.0, std::abs(expected.get<double>()))
                            : got == expected;
      if (!same) {
        ++mismatches;
        ADD_FAILURE() << "hyparquet row " << r << " column " << col.name << ": got " << got.dump()
                      << ", wrote " << expected.dump();
      }
    }
  }

  // Our reader.
  auto reader = parquet::Reader::open(file_bytes, path);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  auto back = reader.value()->read_all();
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back.value().rows, written.rows);
  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
    EXPECT_EQ(reader.value()->schema().columns[c].type, schema.columns[c].type);
    for (std::size_t r = 0; r < written.rows && mismatches < 10; ++r) {
      const auto expected = duckdb_value(schema.columns[c], written.columns[c], r);
      const auto got = duckdb_value(schema.columns[c], back.value().columns[c], r);
      if (got != expected) {
        ++mismatches;
        ADD_FAILURE() << "our reader row " << r << " column " << schema.columns[c].name << ": got "
                      << got.dump();
      }
    }
  }
}

class ParquetReaders : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("parquet-readers"); }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(ParquetReaders, RandomTablesEveryCompressionDictionaryAndPlain) {
  const Schema schema = table_schema();
  struct Case {
    Compression compression;
    bool dictionary;
    std::size_t row_group_rows;
  };
  const std::vector<Case> cases{{Compression::Snappy, true, 1'000'000}, {Compression::Snappy, false, 700},
                                {Compression::Zstd, true, 1000},        {Compression::Zstd, false, 1'000'000},
                                {Compression::None, true, 1'000'000},   {Compression::None, false, 999}};
  std::uint64_t seed = 100;
  for (const auto& k : cases) {
    const std::string name = std::string(k.compression == Compression::Snappy ? "snappy"
                                         : k.compression == Compression::Zstd ? "zstd"
                                                                              : "none") +
                             (k.dictionary ? "-dict" : "-plain") + "-rg" + std::to_string(k.row_group_rows);
    SCOPED_TRACE(name);
    WriterOptions o;
    o.compression = k.compression;
    o.dictionary = k.dictionary;
    o.row_group_rows = k.row_group_rows;
    o.page_bytes = 16 << 10;  // several pages per chunk
    const std::vector<ColumnBatch> batches{random_table(schema, 1800, seed),
                                           random_table(schema, 700, seed + 1)};
    seed += 2;
    const std::string path = dir_ + "/" + name + ".parquet";
    const std::string bytes = write_parquet(path, schema, batches, o);
    const ColumnBatch all = concat(batches, schema.columns.size());
    expect_readers_agree(path, schema, all, bytes);

    // The file is what the options asked for: codec, dictionary use, row groups.
    const auto meta =
        duckdb_query("SELECT row_group_id, path_in_schema, compression, encodings FROM parquet_metadata(" +
                     sql_quote(path) + ")");
    std::set<std::int64_t> groups;
    bool any_dictionary = false;
    for (const auto& m : meta) {
      groups.insert(std::stoll(m["row_group_id"].get<std::string>()));
      EXPECT_EQ(m["compression"], k.compression == Compression::Snappy ? "SNAPPY"
                                  : k.compression == Compression::Zstd ? "ZSTD"
                                                                       : "UNCOMPRESSED");
      if (m["encodings"].get<std::string>().find("RLE_DICTIONARY") != std::string::npos)
        any_dictionary = true;
    }
    EXPECT_EQ(groups.size(), (2500 + k.row_group_rows - 1) / k.row_group_rows);
    EXPECT_EQ(any_dictionary, k.dictionary);
  }
}

TEST_F(ParquetReaders, LargeUnicodeAndEmptyStrings) {
  Schema schema;
  schema.columns.push_back({"id", LogicalType::Int32, false, 0, 0});
  schema.columns.push_back({"body", LogicalType::String, true, 0, 0});
  ColumnBatch b;
  b.rows = 8;
  Column id, body;
  body.valid = {1, 1, 0, 1, 1, 1, 1, 1};
  std::string big1, big2;
  for (int i = 0; big1.size() < (3u << 19); ++i)
    big1 += "row " + std::to_string(i) + " ünïcødé 😀 ";                                             // 1.5 MiB
  for (int i = 0; big2.size() < (5u << 20) / 2; ++i) big2 += "日本語テキスト" + std::to_string(i);  // 2.5 MiB
  const std::vector<std::string> values{"", big1, "", "é", big2, "", big1, "last"};
  for (std::size_t r = 0; r < values.size(); ++r) {
    id.ints.push_back(static_cast<std::int64_t>(r));
    if (body.valid[r]) body.bytes += values[r];
    body.offsets.push_back(static_cast<std::uint32_t>(body.bytes.size()));
  }
  b.columns = {id, body};
  for (const auto compression : {Compression::Snappy, Compression::Zstd}) {
    WriterOptions o;
    o.compression = compression;
    const std::string path = dir_ + "/large-" + std::to_string(static_cast<int>(compression)) + ".parquet";
    const std::string bytes = write_parquet(path, schema, {b}, o);
    expect_readers_agree(path, schema, b, bytes);
    // DuckDB sees the exact lengths (in characters) too.
    const auto lengths =
        duckdb_query("SELECT id, strlen(body) AS n FROM read_parquet(" + sql_quote(path) + ") ORDER BY id");
    ASSERT_EQ(lengths.size(), 8u);
    EXPECT_EQ(lengths[1]["n"], std::to_string(big1.size()));
    EXPECT_EQ(lengths[4]["n"], std::to_string(big2.size()));
  }
}

TEST_F(ParquetReaders, EmptyFileKeepsItsSchema) {
  const Schema schema = table_schema();
  const std::string path = dir_ + "/empty.parquet";
  const std::string bytes = write_parquet(path, schema, {}, WriterOptions{});
  expect_readers_agree(path, schema, concat({}, schema.columns.size()), bytes);
  const auto count = duckdb_query("SELECT count(*) AS n FROM read_parquet(" + sql_quote(path) + ")");
  EXPECT_EQ(count.at(0)["n"], "0");
}

// min_value / max_value / null_count per column chunk, as DuckDB reads them from the footer,
// against the values we wrote (byte order for strings).
TEST_F(ParquetReaders, StatisticsMatchDuckdbMetadata) {
  const Schema schema = table_schema();
  const std::vector<ColumnBatch> batches{random_table(schema, 1500, 7)};
  WriterOptions o;
  o.row_group_rows = 600;
  const std::string path = dir_ + "/stats.parquet";
  write_parquet(path, schema, batches, o);
  const auto meta = duckdb_query(
      "SELECT row_group_id, column_id, stats_min_value, stats_max_value, stats_null_count "
      "FROM parquet_metadata(" +
      sql_quote(path) + ") ORDER BY row_group_id, column_id");
  ASSERT_EQ(meta.size(), 3 * schema.columns.size());
  const ColumnBatch& b = batches[0];
  for (const auto& m : meta) {
    const auto g = static_cast<std::size_t>(std::stoll(m["row_group_id"].get<std::string>()));
    const auto c = static_cast<std::size_t>(std::stoll(m["column_id"].get<std::string>()));
    const ColumnSchema& cs = schema.columns[c];
    SCOPED_TRACE(cs.name + " row group " + std::to_string(g));
    const Column& col = b.columns[c];
    std::size_t nulls = 0;
    std::optional<std::size_t> lo, hi;  // rows holding the min / max
    for (std::size_t r = g * 600; r < std::min<std::size_t>(b.rows, (g + 1) * 600); ++r) {
      if (col.is_null(r)) {
        ++nulls;
        continue;
      }
      const auto less = [&](std::size_t x, std::size_t y) {
        if (cs.type == LogicalType::Double) return col.doubles[x] < col.doubles[y];
        if (cs.type == LogicalType::String) return col.string_at(x) < col.string_at(y);
        return col.ints[x] < col.ints[y];
      };
      if (!lo || less(r, *lo)) lo = r;
      if (!hi || less(*hi, r)) hi = r;
    }
    EXPECT_EQ(m["stats_null_count"], std::to_string(nulls));
    ASSERT_TRUE(lo && hi);
    // DuckDB prints statistics as values of the column's type; compare in that form.
    const auto text = [&](std::size_t r) {
      const auto v = duckdb_value(cs, col, r);
      if (v.is_string()) return v.get<std::string>();
      if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
      if (cs.type == LogicalType::Double) {
        EXPECT_EQ(std::stod(m["stats_min_value"].get<std::string>()), col.doubles[*lo]);
        EXPECT_EQ(std::stod(m["stats_max_value"].get<std::string>()), col.doubles[*hi]);
        return std::string();
      }
      return v.dump();
    };
    if (cs.type == LogicalType::Double) {
      text(*lo);
      continue;
    }
    EXPECT_EQ(m["stats_min_value"], text(*lo));
    EXPECT_EQ(m["stats_max_value"], text(*hi));
  }
}

TEST_F(ParquetReaders, SameRowsSameBytes) {
  const Schema schema = table_schema();
  const std::vector<ColumnBatch> batches{random_table(schema, 3000, 11)};
  WriterOptions o;
  o.row_group_rows = 1000;
  const std::string a = write_parquet(dir_ + "/a.parquet", schema, batches, o);
  const std::string b = write_parquet(dir_ + "/b.parquet", schema, batches, o);
  EXPECT_EQ(a, b);
  const auto diff =
      duckdb_query("SELECT count(*) AS n FROM (SELECT * FROM read_parquet(" + sql_quote(dir_ + "/a.parquet") +
                   ") EXCEPT ALL SELECT * FROM read_parquet(" + sql_quote(dir_ + "/b.parquet") + "))");
  EXPECT_EQ(diff.at(0)["n"], "0");
}

// Files written by another writer (DuckDB: dictionary and PLAIN pages, v1 and v2 data pages,
// each codec) decode to DuckDB's own values, or fail with ParquetUnsupported naming what is
// missing (DuckDB's v2 files may use DELTA encodings) — never a wrong value.
TEST_F(ParquetReaders, OurReaderReadsDuckdbFiles) {
  const std::string table =
      "SELECT i::INT AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 7919 % 1000)::INT END AS small, "
      "(i * 1000000007)::BIGINT AS big, CASE WHEN i % 5 = 0 THEN NULL ELSE i / 8.0 END::DOUBLE AS ratio, "
      "CASE WHEN i % 11 = 0 THEN NULL WHEN i % 3 = 0 THEN '' ELSE 'txt ' || (i % 13)::VARCHAR || ' é😀' END "
      "AS text, "
      "DATE '2020-02-29' + (i % 4000)::INT AS day, TIME '00:00:00' + to_microseconds(i * 1234567 % "
      "86400000000) AS clock, "
      "TIMESTAMP '1969-12-31 23:00:00' + to_microseconds(i * 987654321) AS at, "
      "CASE WHEN i % 4 = 0 THEN NULL ELSE (i * 3.25)::DECIMAL(9,2) END AS price, (i * "
      "-12.3456)::DECIMAL(18,4) AS amount, "
      "(i % 2 = 0) AS flag FROM range(5000) t(i)";
  Schema expected;
  const auto add = [&](std::string name, LogicalType t, int p = 0, int s = 0) {
    expected.columns.push_back(ColumnSchema{std::move(name), t, true, p, s});
  };
  add("id", LogicalType::Int32);
  add("small", LogicalType::Int32);
  add("big", LogicalType::Int64);
  add("ratio", LogicalType::Double);
  add("text", LogicalType::String);
  add("day", LogicalType::Date);
  add("clock", LogicalType::TimeMicros);
  add("at", LogicalType::TimestampMicros);
  add("price", LogicalType::Decimal, 9, 2);
  add("amount", LogicalType::Decimal, 18, 4);
  add("flag", LogicalType::Boolean);
  std::size_t read_ok = 0;
  for (const std::string version : {"V1", "V2"}) {
    for (const std::string codec : {"snappy", "zstd", "uncompressed"}) {
      SCOPED_TRACE(version + " " + codec);
      const std::string path = dir_ + "/duckdb-" + version + "-" + codec + ".parquet";
      duckdb_query("COPY (" + table + ") TO " + sql_quote(path) + " (FORMAT parquet, COMPRESSION " + codec +
                   ", PARQUET_VERSION " + version + ", ROW_GROUP_SIZE 2048)");
      const auto rows = duckdb_query("SELECT * FROM read_parquet(" + sql_quote(path) + ")");
      ASSERT_EQ(rows.size(), 5000u);
      std::ifstream in(path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto reader = parquet::Reader::open(bytes, path);
      ASSERT_TRUE(reader.ok()) << reader.error().message;
      const auto& schema = reader.value()->schema();
      ASSERT_EQ(schema.columns.size(), expected.columns.size());
      for (std::size_t c = 0; c < schema.columns.size(); ++c) {
        EXPECT_EQ(schema.columns[c].name, expected.columns[c].name);
        EXPECT_EQ(schema.columns[c].type, expected.columns[c].type) << expected.columns[c].name;
        EXPECT_EQ(schema.columns[c].precision, expected.columns[c].precision);
        EXPECT_EQ(schema.columns[c].scale, expected.columns[c].scale);
      }
      auto all = reader.value()->read_all();
      if (!all.ok()) {
        EXPECT_EQ(all.error().code, "ParquetUnsupported") << all.error().message;
        EXPECT_NE(all.error().message.find("encoding"), std::string::npos) << all.error().message;
        std::printf("[ note ] %s %s: %s\n", version.c_str(), codec.c_str(), all.error().message.c_str());
        continue;
      }
      ++read_ok;
      ASSERT_EQ(all.value().rows, 5000u);
      std::size_t mismatches = 0;
      for (std::size_t r = 0; r < 5000 && mismatches < 10; ++r) {
        for (std::size_t c = 0; c < schema.columns.size(); ++c) {
          const auto got = duckdb_value(schema.columns[c], all.value().columns[c], r);
          if (got != rows[r][schema.columns[c].name]) {
            ++mismatches;
            ADD_FAILURE() << "row " << r << " column " << schema.columns[c].name << ": we read " << got.dump()
                          << ", DuckDB reads " << rows[r][schema.columns[c].name].dump();
          }
        }
      }
    }
  }
  EXPECT_GE(read_ok, 3u);  // at least every V1 file
}

}  // namespace
}  // namespace dwh::test
