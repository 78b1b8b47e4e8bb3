// libFuzzer entry point for the Parquet reader: the input is a whole file. Beyond "no crash, no
// leak, no UB" it checks what the load job relies on: every error names the file, and every
// decoded row group has exactly the rows and value vectors its schema promises.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dwh/parquet/reader.hpp"

namespace {

// A row group may legitimately declare many rows in a few bytes (all nulls); keep the fuzzer's
// memory bounded by decoding only modest ones, as a careful caller would.
constexpr std::uint64_t kMaxRowsDecoded = 200'000;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const dwh::Error& e) {
  check(!e.code.empty());
  check(e.message.find("fuzz.parquet") != std::string::npos);
}

void check_batch(const dwh::parquet::Schema& schema, const dwh::parquet::ColumnBatch& b, std::uint64_t rows) {
  using dwh::parquet::LogicalType;
  check(b.rows == rows);
  check(b.columns.size() == schema.columns.size());
  for (std::size_t c = 0; c < b.columns.size(); ++c) {
    const auto& col = b.columns[c];
    check(col.valid.empty() || col.valid.size() == rows);
    if (!schema.columns[c].nullable) check(col.valid.empty());
    switch (schema.columns[c].type) {
      case LogicalType::Double:
        check(col.doubles.size() == rows);
        break;
      case LogicalType::String:
        check(col.offsets.size() == rows + 1);
        check(col.offsets.back() == col.bytes.size());
        for (std::size_t r = 0; r < rows; ++r) check(col.offsets[r] <= col.offsets[r + 1]);
        break;
      default:
        check(col.ints.size() == rows);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reader =
      dwh::parquet::Reader::open(std::string(reinterpret_cast<const char*>(data), size), "fuzz.parquet");
  if (!reader.ok()) {
    check_error(reader.error());
    return 0;
  }
  const auto& r = *reader.value();
  std::uint64_t total = 0;
  for (std::size_t g = 0; g < r.row_groups(); ++g) {
    const auto& info = r.row_group_info(g);
    check(info.statistics.size() == r.schema().columns.size());
    total += info.rows;
    if (info.rows > kMaxRowsDecoded) continue;
    auto batch = r.read_row_group(g);
    if (!batch.ok()) {
      check_error(batch.error());
      continue;
    }
    check_batch(r.schema(), batch.value(), info.rows);
  }
  check(total == r.rows());
  return 0;
}
