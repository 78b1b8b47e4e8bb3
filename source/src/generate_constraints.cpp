#include "generate_constraints.hpp"

#include <map>
#include <pqxx/pqxx>
#include <set>

namespace dwh::source {

const std::vector<const TableDef*>& bulk_tables() {
  static const std::vector<const TableDef*> tables = {
      &totesys_table("sales_order"), &totesys_table("purchase_order"), &totesys_table("transaction"),
      &totesys_table("payment")};
  return tables;
}

std::vector<std::string> drop_bulk_constraints_sql() {
  std::vector<std::string> sql;
  for (const TableDef* t : bulk_tables())
    for (const auto& fk : t->foreign_keys)
      sql.push_back("ALTER TABLE " + std::string(t->name) + " DROP CONSTRAINT " + std::string(fk.name));
  for (const TableDef* t : bulk_tables()) {
    for (const auto& index : t->unique_indexes) sql.push_back("DROP INDEX " + std::string(index.name));
    sql.push_back("ALTER TABLE " + std::string(t->name) + " DROP CONSTRAINT " + t->primary_key_name());
  }
  return sql;
}

std::vector<std::string> bulk_index_sql(const TableDef& table) {
  std::vector<std::string> sql = {"CREATE UNIQUE INDEX " + table.primary_key_name() + " ON " +
                                  std::string(table.name) + " USING btree (" +
                                  std::string(table.primary_key) + ")"};
  for (const auto& index : table.unique_indexes) sql.push_back(create_unique_index_sql(table, index));
  return sql;
}

std::string attach_primary_key_sql(const TableDef& table) {
  return "ALTER TABLE " + std::string(table.name) + " ADD CONSTRAINT " + table.primary_key_name() +
         " PRIMARY KEY USING INDEX " + table.primary_key_name();
}

void restore_missing_constraints(pqxx::transaction_base& tx) {
  const std::string schema(kTotesysSchema);
  std::map<std::string, bool> constraints;  // name -> validated
  for (const auto& row : tx.exec_params("SELECT k.conname, k.convalidated FROM pg_constraint k JOIN "
                                        "pg_namespace n ON n.oid = k.connamespace "
                                        "WHERE n.nspname = $1",
                                        schema))
    constraints[row[0].as<std::string>()] = row[1].as<bool>();
  std::set<std::string> indexes;
  for (const auto& row : tx.exec_params("SELECT indexname FROM pg_indexes WHERE schemaname = $1", schema))
    indexes.insert(row[0].as<std::string>());

  tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
  for (const auto& t : totesys_tables()) {
    if (!constraints.count(t.primary_key_name()))
      tx.exec(indexes.count(t.primary_key_name()) ? attach_primary_key_sql(t) : add_primary_key_sql(t));
    for (const auto& index : t.unique_indexes)
      if (!indexes.count(std::string(index.name))) tx.exec(create_unique_index_sql(t, index));
  }
  for (const auto& t : totesys_tables()) {
    for (const auto& fk : t.foreign_keys) {
      auto it = constraints.find(std::string(fk.name));
      if (it == constraints.end())
        tx.exec(add_foreign_key_sql(fk));
      else if (!it->second)
        tx.exec("ALTER TABLE " + std::string(t.name) + " VALIDATE CONSTRAINT " + std::string(fk.name));
    }
  }
}

}  // namespace dwh::source
