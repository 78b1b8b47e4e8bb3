#pragma once
// The totesys OLTP schema as the real database has it (a pg_dump of the live Prisma-managed
// database): two enum types, 11 tables in `public`, serial keys, timestamp(3), numeric(10,2),
// unique indexes, and foreign keys with ON UPDATE CASCADE and ON DELETE RESTRICT/SET NULL.
// `last_updated` has no default: the application sets it.
//
// The definition is data, so the DDL, the generator's drop-and-rebuild of constraints and the
// catalog comparison all read the same source.
#include <string>
#include <string_view>
#include <vector>

namespace dwh::source {

// Everything lives in this schema, as in the real database.
inline constexpr std::string_view kTotesysSchema = "public";

struct EnumDef {
  std::string_view name;  // as written in SQL, quoted: "\"PaymentTypeName\""
  std::vector<std::string_view> labels;
};

struct ColumnDef {
  constexpr ColumnDef(std::string_view n, std::string_view t, bool nn = true, std::string_view d = {})
      : name(n), type(t), not_null(nn), default_sql(d) {}
  std::string_view name;
  std::string_view type;  // DDL spelling: "serial", "timestamp(3) without time zone", ...
  bool not_null = true;
  std::string_view default_sql;  // empty: no default
};

struct UniqueIndexDef {
  std::string_view name;
  std::string_view column;
};

struct ForeignKeyDef {
  std::string_view name;
  std::string_view table;
  std::string_view column;
  std::string_view parent_table;
  std::string_view parent_column;
  std::string_view on_update;  // "CASCADE"
  std::string_view on_delete;  // "RESTRICT" or "SET NULL"
};

struct TableDef {
  std::string_view name;
  std::vector<ColumnDef> columns;  // in the real column order
  std::string_view primary_key;    // column; the constraint is named <table>_pkey
  std::vector<UniqueIndexDef> unique_indexes;
  std::vector<ForeignKeyDef> foreign_keys;

  [[nodiscard]] std::string primary_key_name() const;
};

const std::vector<EnumDef>& totesys_enums();
// Parents before children, so creating and loading in this order satisfies every foreign key.
const std::vector<TableDef>& totesys_tables();
// Throws std::out_of_range for a name that is not a totesys table (a programming error).
const TableDef& totesys_table(std::string_view name);

// SQL fragments built from the definition. Names are unqualified: the caller sets search_path.
std::string create_enum_sql(const EnumDef& e);
std::string create_table_sql(const TableDef& t);  // columns and the primary key
std::string add_primary_key_sql(const TableDef& t);
std::string create_unique_index_sql(const TableDef& t, const UniqueIndexDef& index);
std::string add_foreign_key_sql(const ForeignKeyDef& fk, bool not_valid = false);

// The whole schema, statement by statement, in an order that runs on an empty schema.
std::vector<std::string> totesys_ddl();

}  // namespace dwh::source
