#include "dwh/source/schema_init.hpp"

#include <pqxx/pqxx>
#include <random>

#include "dwh/source/totesys_schema.hpp"

namespace dwh::source {
namespace {

// Serialises concurrent `init` runs on one database (an arbitrary constant: "totesys" in ASCII).
constexpr long long kInitLockKey = 0x746f746573797300LL;

// Prisma's bookkeeping table lives next to the 11 tables in the real database; a copy of
// the real database is still a totesys schema.
constexpr const char* kPrismaTable = "_prisma_migrations";

Catalog read_public(pqxx::transaction_base& tx) {
  Catalog actual = read_catalog(tx, std::string(kTotesysSchema));
  actual.relations.erase(kPrismaTable);
  return actual;
}

Error database_error(const std::exception& e) {
  return make_error("DatabaseError", std::string("totesys schema: ") + e.what());
}

}  // namespace

Catalog expected_catalog(pqxx::dbtransaction& tx) {
  std::random_device rd;
  const std::string scratch = "dwh_expected_" + std::to_string(rd()) + "_" + std::to_string(rd());
  pqxx::subtransaction sub(tx, "expected_catalog");
  sub.exec("CREATE SCHEMA " + sub.quote_name(scratch));
  sub.exec("SET LOCAL search_path TO " + sub.quote_name(scratch));
  for (const auto& statement : totesys_ddl()) sub.exec(statement);
  Catalog expected = read_catalog(sub, scratch);
  sub.abort();  // the scratch schema and the search_path change go with it
  return expected;
}

std::vector<std::string> schema_differences(pqxx::dbtransaction& tx) {
  Catalog expected = expected_catalog(tx);
  Catalog actual = read_public(tx);
  return compare_catalogs(expected, actual);
}

std::string format_differences(const std::vector<std::string>& diffs, std::size_t max_lines) {
  std::string out;
  for (std::size_t i = 0; i < diffs.size() && i < max_lines; ++i) out += "\n  - " + diffs[i];
  if (diffs.size() > max_lines) out += "\n  ... and " + std::to_string(diffs.size() - max_lines) + " more";
  return out;
}

Result<InitOutcome> init_schema(pqxx::connection& conn) {
  try {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kInitLockKey) + ")");
    if (read_public(tx).empty()) {
      // read_catalog left search_path on public, so the DDL's unqualified names land there.
      for (const auto& statement : totesys_ddl()) tx.exec(statement);
      tx.commit();
      return InitOutcome::Created;
    }
    auto diffs = schema_differences(tx);
    if (diffs.empty()) return InitOutcome::AlreadyInitialised;
    return make_error("SchemaMismatch",
                      "the database already holds a different schema in \"public\"; not touching it. "
                      "Differences from the totesys schema:" +
                          format_differences(diffs));
  } catch (const std::exception& e) {
    return database_error(e);
  }
}

Status check_schema(pqxx::connection& conn) {
  try {
    pqxx::work tx(conn);
    if (read_public(tx).empty())
      return make_error("SchemaMissing", "the database holds no totesys schema: run `dwh source init` first");
    auto diffs = schema_differences(tx);
    if (diffs.empty()) return {};
    return make_error(
        "SchemaMismatch",
        "the database does not hold the totesys schema exactly. Differences:" + format_differences(diffs));
  } catch (const std::exception& e) {
    return database_error(e);
  }
}

}  // namespace dwh::source
