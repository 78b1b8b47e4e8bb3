#pragma once
// Pipelines as data: a dataset folder (models/<dataset>/) holds
//   sources.toml        the landed source tables: columns, types, keys, cursor (the contract
//                       between ingest's JSON Lines and the models)
//   <warehouse_table>.toml   one model per warehouse table
// The engine knows no table names; everything below comes from those files.
//
// load_dataset() validates everything before any data is read: unknown source tables or
// columns, unknown lookups, bad types, keys naming missing columns, references to unknown
// tables, lookup cycles. Errors have code "ModelError" and name the file and the key
// ("models/totesys/dim_staff.toml: column.location.from: unknown column 'department.locaton'").
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"

namespace dwh::model {

// How a landed JSON value is read (ingest writes numerics as exact-decimal strings,
// timestamps as "YYYY-MM-DDTHH:MM:SS.mmm", dates "YYYY-MM-DD", enums by label).
enum class SourceType { Integer, Decimal, Double, Boolean, Text, Timestamp, Date };
// "integer", "decimal", ...: the names sources.toml uses.
std::string_view source_type_name(SourceType type);

struct SourceColumn {
  std::string name;
  SourceType type = SourceType::Text;
  bool nullable = true;
};

struct SourceTable {
  std::string name;
  std::vector<SourceColumn> columns;
  std::vector<std::string> primary_key;  // the natural key of a row's versions
  std::string cursor;                    // orders versions of one key (last_updated)

  // (Additive helpers.) nullptr / -1 when there is no such column.
  [[nodiscard]] const SourceColumn* column(std::string_view name) const;
  [[nodiscard]] int column_index(std::string_view name) const;
};

enum class ModelKind {
  Dimension,  // latest version per natural key; re-emitted when a lookup row it uses changes
  Fact,       // one row per landed source row version (history)
  Calendar,   // generated: one row per date, covering every date a fact column references
};

enum class CalendarPart { Date, Year, Month, Day, IsoDayOfWeek, DayName, MonthName, Quarter };

// A lookup into another source table's current version, by key:
// `on` pairs (column of the model's source row, key column of `table`).
struct Lookup {
  std::string name;  // how columns refer to it: "<name>.<column>"
  std::string table;
  std::vector<std::pair<std::string, std::string>> on;
  // (Added by the loader, additive.) One entry per `on` pair: "" when on[i].first is a column of
  // the model's source row, else the name of another lookup whose row holds that column (a
  // chained lookup). Model::lookups is ordered so a lookup comes after the lookups it uses.
  // `on` lists the pairs in the order of `table`'s primary key, which it covers exactly.
  std::vector<std::string> on_lookup;
};

struct ColumnExpr {
  enum class Kind {
    Copy,           // the value as is (rename when the names differ); widening casts allowed
    TimestampDate,  // the date part of a timestamp
    TimestampTime,  // the time part (milliseconds or microseconds kept)
    ParseDate,      // text 'YYYY-MM-DD' -> DATE (anything else is a bad value)
    Map,            // static value map; a value not in the map is a bad value ("unknown label")
    Constant,       // the same value on every row
    Calendar,       // Calendar models only: a part of the generated date
  };
  Kind kind = Kind::Copy;
  std::string lookup;                                    // "" = the model's source row, else a Lookup::name
  std::string column;                                    // column of the source row or of the lookup's table
  std::vector<std::pair<std::string, std::string>> map;  // Map: from -> to
  std::string constant;                                  // Constant: the text of the value
  CalendarPart calendar = CalendarPart::Date;            // Calendar
  std::optional<std::string> if_null;                    // replaces a null input (e.g. 'Undefined')
};

struct ModelColumn {
  std::string name;
  parquet::ColumnSchema parquet;  // type, nullable, decimal precision/scale
  std::string sql_type;           // warehouse type as declared: "int", "varchar", "numeric(10,2)", ...
  ColumnExpr expr;
  // Foreign key into another model's table (load checks it; Calendar models cover every
  // date column that references them).
  std::string references_table;
  std::string references_column;
};

struct Model {
  std::filesystem::path file;
  std::string table;  // warehouse table name
  ModelKind kind = ModelKind::Dimension;
  std::string source;  // source table (empty for Calendar)
  std::vector<Lookup> lookups;
  std::vector<ModelColumn> columns;  // Parquet and warehouse column order
  // Dimension: the unique natural key (e.g. staff_id). Fact: the natural id of the source row
  // (e.g. sales_order_id); with version_columns it identifies one version.
  std::vector<std::string> natural_key;
  std::vector<std::string> version_columns;  // Fact: e.g. last_updated_date, last_updated_time
  // Fact: the warehouse-assigned surrogate key column (e.g. sales_record_id); not in Parquet.
  std::string surrogate_key;
  std::vector<std::string> unique_key;  // expectation checked on output (defaults to natural_key for dims)

  // (Additive helpers.) nullptr / -1 when there is no such column or lookup.
  [[nodiscard]] const ModelColumn* column(std::string_view name) const;
  [[nodiscard]] int column_index(std::string_view name) const;
  [[nodiscard]] const Lookup* lookup(std::string_view name) const;
};

struct Dataset {
  std::filesystem::path dir;
  std::string name;  // folder name, e.g. "totesys"
  std::vector<SourceTable> sources;
  std::vector<Model> models;  // sorted so every model comes after the models it references

  [[nodiscard]] const SourceTable* source(std::string_view name) const;
  [[nodiscard]] const Model* model(std::string_view table) const;
  // Source tables whose current version some lookup (or a re-emit rule) needs kept.
  [[nodiscard]] std::vector<std::string> tables_needing_current_version() const;

  // (Additive helpers.)
  // Dimensions to re-emit when a row of `source_table` changes: those with a lookup into it
  // (department -> dim_staff; address -> dim_counterparty). A model whose own source is the
  // table is not listed (it emits the changed row anyway).
  [[nodiscard]] std::vector<const Model*> models_looking_up(std::string_view source_table) const;
  // Every (model, column index) whose column references `table` (for a Calendar model: the date
  // columns whose values it must cover), in model order then column order.
  [[nodiscard]] std::vector<std::pair<const Model*, std::size_t>> columns_referencing(
      std::string_view table) const;
};

Result<Dataset> load_dataset(const std::filesystem::path& dir);

// Parquet schema of a model's output (columns in order, surrogate key excluded).
parquet::Schema parquet_schema(const Model& model);

}  // namespace dwh::model
