#pragma once
// The big tables' keys, unique indexes and foreign keys, taken off for the bulk load and put
// back afterwards. Checking five foreign keys per row during COPY costs ~20x the load itself
// (2 M sales orders: 46 s with them, 3 s without, 1.5 s to add them afterwards), which is why
// pg_restore loads first and constrains after; the end state is the same catalog.
#include <pqxx/transaction_base>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/source/totesys_schema.hpp"

namespace dwh::source {

// sales_order, purchase_order, transaction, payment.
const std::vector<const TableDef*>& bulk_tables();

// Foreign keys first (they depend on the primary keys), then unique indexes and primary keys.
std::vector<std::string> drop_bulk_constraints_sql();

// The unique indexes of one table, its primary key's included. They are independent jobs (CREATE
// INDEX takes a SHARE lock, so several can run on one table at once); ALTER TABLE ADD PRIMARY
// KEY would lock the table exclusively for the whole build.
std::vector<std::string> bulk_index_sql(const TableDef& table);
// Turns the index <table>_pkey into the primary key constraint (instant: no second build).
std::string attach_primary_key_sql(const TableDef& table);

// Adds, inside `tx`, every totesys primary key, unique index and foreign key that is missing
// and validates any foreign key that is not. Throws pqxx exceptions (e.g. when data violates one).
void restore_missing_constraints(pqxx::transaction_base& tx);

}  // namespace dwh::source
