#pragma once
// `dwh source generate --scale S --seed N`: fills an initialised, empty totesys database with
// realistic, referentially consistent data, the same for the same seed.
//
// Scale 1 is the real database's size (mid-November 2024). Orders, transactions and payments
// grow linearly with the scale; designs, counterparties and addresses with its square root;
// staff, departments, currencies and payment types stay as they are. Orders fall on weekdays
// 08:00-18:59 between 2022-11-03 and 2024-11-14, as in the real data, so a larger scale means
// busier days rather than more of them.
//
// Loading uses COPY. The four big tables are streamed on one connection each, in parallel; their
// keys, unique indexes and foreign keys are dropped for the load and rebuilt afterwards (as
// pg_restore does), so the end state is exactly `dwh source init`'s schema, which is checked.
//
// Error codes (dwh::Error::code); the first group is bad input (exit 2, is_generate_input_error):
//   "InvalidArgument"  scale not a finite number > 0, or too large for integer keys
//   the dwh::pg connection codes (InvalidDatabaseUrl, Unreachable, ...)
//   "SchemaMissing" / "SchemaMismatch"  the database is not initialised / holds another schema
//   "NotEmpty"         the tables hold rows and ExistingData::Refuse was asked
// Otherwise "DatabaseError" (exit 1). After a failure during the load the tables are emptied
// and the constraints put back, so the database is initialised and empty again.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::source {

struct TableCounts {
  std::int64_t address = 0;
  std::int64_t counterparty = 0;
  std::int64_t currency = 0;
  std::int64_t department = 0;
  std::int64_t design = 0;
  std::int64_t staff = 0;
  std::int64_t payment_type = 0;
  std::int64_t sales_order = 0;
  std::int64_t purchase_order = 0;
  std::int64_t transaction = 0;
  std::int64_t payment = 0;

  [[nodiscard]] std::int64_t total() const;
  // Rows of the named table; throws std::out_of_range for other names.
  [[nodiscard]] std::int64_t of(std::string_view table) const;
};

// The largest scale whose ids still fit PostgreSQL's integer (the transaction/payment ids).
inline constexpr double kMaxScale = 100'000.0;

// Row counts at a scale (> 0). Scale 1: 11,187 sales orders, 4,649 purchase orders, 15,836
// transactions and payments, 472 designs, 20 staff, 30 addresses, 20 counterparties, 3
// currencies, 8 departments, 4 payment types.
TableCounts counts_for_scale(double scale);

enum class ExistingData {
  Refuse,   // a table holding rows is an error ("NotEmpty")
  Replace,  // empty every totesys table first (TRUNCATE ... RESTART IDENTITY)
};

struct GenerateOptions {
  std::string url;  // libpq URI of the totesys database
  double scale = 1.0;
  std::uint64_t seed = 1;
  ExistingData existing = ExistingData::Refuse;
  std::chrono::seconds connect_timeout{10};
};

// Wall time of each step, seconds.
struct GeneratePhases {
  double prepare = 0;       // checks, truncation, dimension tables, dropping the big tables' constraints
  double load = 0;          // COPY of sales_order, purchase_order, transaction, payment
  double indexes = 0;       // primary keys and unique indexes, ANALYZE
  double foreign_keys = 0;  // adding and validating the foreign keys
  double finish = 0;        // sequences and the final schema check
};

struct GenerateReport {
  TableCounts counts;
  GeneratePhases phases;
  double seconds = 0;  // total wall time
  int streams = 0;     // parallel COPY streams used for the big tables
};

// Checks the options without touching the database ("InvalidArgument").
Status validate(const GenerateOptions& options);

Result<GenerateReport> generate(const GenerateOptions& options);

}  // namespace dwh::source
