#pragma once
// The warehouse schema, derived from the models (the engine knows no table names):
//   - one table per model, columns in model order with their declared warehouse types;
//     dimensions keyed on their natural key, facts on a warehouse-assigned surrogate key
//     (SERIAL / IDENTITY) plus a unique (natural key, version columns) constraint that makes a
//     replayed batch add nothing; foreign keys as the models declare them;
//   - the control table recording every loaded transform manifest;
//   - the dataset's views (models/<dataset>/views/*.sql), which BI tools and `dwh report` query.
//
// init_warehouse() is idempotent and migrates: a model that gained a column adds it
// (ALTER TABLE ... ADD COLUMN); anything else that differs (a type, a dropped or renamed column,
// nullability, keys) is refused with "IncompatibleWarehouseSchema", naming table, column, the
// warehouse's definition and the model's, and nothing is changed.
#include <string>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/model/model.hpp"

namespace dwh::load {

enum class Dialect { Postgres, Redshift };

inline constexpr const char* kControlTable = "dwh_loaded_manifests";

// CREATE TABLE for one model (no IF NOT EXISTS: callers decide). Foreign keys are inline.
std::string create_table_sql(const model::Model& model, Dialect dialect);
// The column definition used by CREATE TABLE and ADD COLUMN ("unit_price numeric(10,2) NOT NULL").
std::string column_definition_sql(const model::Model& model, const model::ModelColumn& column,
                                  Dialect dialect);
std::string create_control_table_sql(Dialect dialect);
// (Additive, for the load job's staging tables.) The column's warehouse type alone, as the
// dialect spells it ("numeric(10,2)"; Redshift "varchar(65535)" for plain varchar).
std::string column_type_sql(const model::ModelColumn& column, Dialect dialect);
// CREATE OR REPLACE VIEW statements read from <dataset dir>/views/*.sql, in file-name order.
Result<std::vector<std::string>> view_sql(const model::Dataset& dataset);

struct InitReport {
  std::vector<std::string> created_tables;
  std::vector<std::string> added_columns;  // "table.column"
  std::vector<std::string> views;
};

// Connects to `warehouse_url` (libpq URI; never logged with its password) and creates or
// migrates the schema in one transaction.
Result<InitReport> init_warehouse(const std::string& warehouse_url, const model::Dataset& dataset,
                                  Dialect dialect = Dialect::Postgres);

}  // namespace dwh::load
