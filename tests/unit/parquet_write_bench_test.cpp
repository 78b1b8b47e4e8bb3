// Micro-benchmark of the Parquet writer: a 1 M-row, 15-column fact-like batch (ids, dates,
// times, decimals, a few low-cardinality strings), SNAPPY. Disabled by default (not a timed
// test); run an optimised build with --gtest_also_run_disabled_tests
// --gtest_filter='*ParquetWriteBench*'. docs/parquet.md records the figure and the machine.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "dwh/parquet/reader.hpp"
#include "dwh/parquet/writer.hpp"

namespace dwh::parquet {
namespace {

constexpr std::size_t kRows = 1'000'000;

Schema fact_schema() {
  Schema s;
  const auto add = [&](std::string n, LogicalType t, bool nullable, int p = 0, int sc = 0) {
    s.columns.push_back(ColumnSchema{std::move(n), t, nullable, p, sc});
  };
  add("sales_order_id", LogicalType::Int32, false);
  add("created_date", LogicalType::Date, false);
  add("created_time", LogicalType::TimeMicros, false);
  add("last_updated_date", LogicalType::Date, false);
  add("last_updated_time", LogicalType::TimeMicros, false);
  add("sales_staff_id", LogicalType::Int32, false);
  add("counterparty_id", LogicalType::Int32, false);
  add("units_sold", LogicalType::Int32, false);
  add("unit_price", LogicalType::Decimal, false, 10, 2);
  add("currency_id", LogicalType::Int32, false);
  add("design_id", LogicalType::Int32, false);
  add("agreed_payment_date", LogicalType::Date, false);
  add("agreed_delivery_date", LogicalType::Date, false);
  add("agreed_delivery_location_id", LogicalType::Int32, false);
  add("status", LogicalType::String, true);
  return s;
}

ColumnBatch fact_batch(const Schema& schema) {
  std::mt19937_64 rng(1);
  ColumnBatch b;
  b.rows = kRows;
  b.columns.resize(schema.columns.size());
  for (std::size_t r = 0; r < kRows; ++r) {
    const auto day = static_cast<std::int64_t>(19000 + r / 3000);
    const std::int64_t v[14] = {static_cast<std::int64_t>(r + 1),
                                day,
                                static_cast<std::int64_t>(rng() % 86'400'000'000ULL),
                                day,
                                static_cast<std::int64_t>(rng() % 86'400'000'000ULL),
                                static_cast<std::int64_t>(1 + rng() % 20),
                                static_cast<std::int64_t>(1 + rng() % 20),
                                static_cast<std::int64_t>(1 + rng() % 100'000),
                                static_cast<std::int64_t>(200 + rng() % 80'000),
                                static_cast<std::int64_t>(1 + rng() % 3),
                                static_cast<std::int64_t>(1 + rng() % 400),
                                day + static_cast<std::int64_t>(rng() % 10),
                                day + static_cast<std::int64_t>(rng() % 10),
                                static_cast<std::int64_t>(1 + rng() % 30)};
    for (std::size_t c = 0; c < 14; ++c) b.columns[c].ints.push_back(v[c]);
    static const char* kStatus[] = {"open", "delivered", "cancelled"};
    Column& s = b.columns[14];
    const bool present = rng() % 10 != 0;
    s.valid.push_back(present ? 1 : 0);
    if (present) s.bytes += kStatus[rng() % 3];
    s.offsets.push_back(static_cast<std::uint32_t>(s.bytes.size()));
  }
  return b;
}

TEST(ParquetWriteBench, DISABLED_FactBatchSnappy) {
  const Schema schema = fact_schema();
  const ColumnBatch batch = fact_batch(schema);
  for (int run = 0; run < 3; ++run) {
    std::string out;
    out.reserve(64u << 20);
    const auto start = std::chrono::steady_clock::now();
    auto w = Writer::open(schema, [&](std::string_view b) {
      out.append(b);
      return Status{};
    });
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w.value()->write(batch).ok());
    ASSERT_TRUE(w.value()->close().ok());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto read_start = std::chrono::steady_clock::now();
    auto r = Reader::open(out, "bench");
    ASSERT_TRUE(r.ok());
    auto all = r.value()->read_all();
    ASSERT_TRUE(all.ok());
    const double read_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - read_start).count();
    ASSERT_EQ(all.value().rows, kRows);
    std::printf("write %.3f s (%.2f M rows/s), %.1f MiB; read back %.3f s (%.2f M rows/s)\n", seconds,
                kRows / seconds / 1e6, static_cast<double>(out.size()) / (1 << 20), read_seconds,
                kRows / read_seconds / 1e6);
  }
}

}  // namespace
}  // namespace dwh::parquet
