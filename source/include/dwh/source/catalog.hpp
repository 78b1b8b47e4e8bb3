#pragma once
// A snapshot of what one PostgreSQL schema holds, read from pg_catalog, and the comparison of
// two snapshots. `dwh source init` compares the database against the schema its own DDL
// builds; the tests compare it against the reference DDL. Definitions are PostgreSQL's own
// renderings (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef), read with
// search_path set to the schema, so equal schemas in different schemas or databases compare equal.
#include <map>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::source {

struct CatalogColumn {
  std::string name;
  std::string type;  // format_type: "timestamp(3) without time zone", "\"PaymentTypeName\""
  bool not_null = false;
  std::string default_expr;  // pg_get_expr; empty when none
  std::string generated;     // identity ('a'/'d') or generated ('s') marker; empty when neither
  std::string collation;     // only when it differs from the type's default
};

struct CatalogRelation {
  std::string kind;  // "table", "view", "materialized view", "foreign table", "partitioned table"
  std::vector<CatalogColumn> columns;              // in column order
  std::map<std::string, std::string> constraints;  // name -> pg_get_constraintdef
  std::map<std::string, std::string> indexes;      // name -> pg_get_indexdef without the schema
  std::map<std::string, std::string> triggers;     // user triggers: name -> pg_get_triggerdef
};

struct Catalog {
  std::map<std::string, std::string> types;          // enums, domains, ranges, composites: name -> definition
  std::map<std::string, CatalogRelation> relations;  // tables, views, foreign tables...
  std::map<std::string, std::string> sequences;      // name -> "integer, owned by t.c"

  // Nothing in the schema at all.
  [[nodiscard]] bool empty() const { return types.empty() && relations.empty() && sequences.empty(); }
};

// Reads the schema `schema` inside `tx` (it sets search_path locally, so use a transaction
// that is not needed for anything else afterwards, or reset it). Throws pqxx exceptions on
// database errors; callers at I/O boundaries turn them into dwh::Error.
Catalog read_catalog(pqxx::transaction_base& tx, const std::string& schema);

// Human-readable differences, one per line, naming the object and what differs
// ("table sales_order column unit_price: type is numeric, expected numeric(10,2)").
// Empty when the catalogs are equal.
std::vector<std::string> compare_catalogs(const Catalog& expected, const Catalog& actual);

}  // namespace dwh::source
