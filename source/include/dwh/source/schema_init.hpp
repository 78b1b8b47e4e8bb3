#pragma once
// `dwh source init`: create the totesys schema, or confirm that it is already there exactly.
//
// Error codes (dwh::Error::code):
//   "SchemaMismatch"  the database already holds a different schema; the message lists what
//                     differs (table, column, type/nullability/default, constraint, index).
//                     Bad input: exit 2.
//   "SchemaMissing"   (check_schema only) none of the totesys schema is there. Bad input: exit 2.
//   "DatabaseError"   the server failed a statement (permissions, lost connection...). Exit 1.
#include <pqxx/connection>
#include <pqxx/dbtransaction>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/source/catalog.hpp"

namespace dwh::source {

enum class InitOutcome { Created, AlreadyInitialised };

// Creates the schema in an empty database (one transaction), or returns AlreadyInitialised
// when the schema is there and identical. Anything else present in `public` (other tables,
// views, types, sequences, or totesys objects that differ) is refused with "SchemaMismatch"
// and nothing is changed. Concurrent calls are serialised by an advisory lock.
Result<InitOutcome> init_schema(pqxx::connection& conn);

// Succeeds when `public` holds exactly the totesys schema (what `generate` and `simulate` need).
Status check_schema(pqxx::connection& conn);

// The catalog the project's DDL builds: created in a scratch schema inside a subtransaction
// of `tx` that is rolled back, so the database is left as it was. Throws pqxx exceptions.
Catalog expected_catalog(pqxx::dbtransaction& tx);

// The differences between the database's `public` schema and the expected one, read inside `tx`.
std::vector<std::string> schema_differences(pqxx::dbtransaction& tx);

// "  - first difference\n  - second ...", at most `max_lines` lines and a count of the rest.
std::string format_differences(const std::vector<std::string>& diffs, std::size_t max_lines = 25);

}  // namespace dwh::source
