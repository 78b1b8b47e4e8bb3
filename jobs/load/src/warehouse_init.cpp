// dwh warehouse init: create or migrate the warehouse schema from the models, in one transaction.
#include <algorithm>
#include <map>
#include <pqxx/pqxx>
#include <regex>

#include "dwh/core/log.hpp"
#include "dwh/load/warehouse_schema.hpp"
#include "dwh/pg/database_url.hpp"
#include "sql.hpp"

namespace dwh::load {
namespace {

std::string lower_no_space(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The model's warehouse type as PostgreSQL's format_type() prints it, so a declared "int" and an
// existing "integer" compare equal. Only the types the models use are known; anything else is a
// model error rather than a guess.
Result<std::string> canonical_type(const model::Model& model, const model::ModelColumn& c) {
  static const std::map<std::string, std::string> kSimple = {{"int", "integer"},
                                                             {"int4", "integer"},
                                                             {"integer", "integer"},
                                                             {"serial", "integer"},
                                                             {"bigint", "bigint"},
                                                             {"int8", "bigint"},
                                                             {"smallint", "smallint"},
                                                             {"varchar", "character varying"},
                                                             {"charactervarying", "character varying"},
                                                             {"text", "text"},
                                                             {"numeric", "numeric"},
                                                             {"decimal", "numeric"},
                                                             {"date", "date"},
                                                             {"time", "time without time zone"},
                                                             {"timestamp", "timestamp without time zone"},
                                                             {"boolean", "boolean"},
                                                             {"bool", "boolean"},
                                                             {"doubleprecision", "double precision"},
                                                             {"float8", "double precision"}};
  const std::string t = lower_no_space(c.sql_type);
  if (auto it = kSimple.find(t); it != kSimple.end()) return it->second;
  static const std::regex kNumeric(R"((numeric|decimal)\((\d+),(\d+)\))");
  static const std::regex kVarchar(R"(varchar\((\d+)\))");
  std::smatch m;
  if (std::regex_match(t, m, kNumeric)) return "numeric(" + m[2].str() + "," + m[3].str() + ")";
  if (std::regex_match(t, m, kVarchar)) return "character varying(" + m[1].str() + ")";
  return make_error("ModelError", model.file.string() + ": column." + c.name +
                                      ".sql_type: unsupported warehouse type '" + c.sql_type + "'");
}

struct ExistingColumn {
  std::string type;
  bool not_null = false;
};

std::vector<std::pair<std::string, ExistingColumn>> existing_columns(pqxx::work& tx,
                                                                     const std::string& table) {
  std::vector<std::pair<std::string, ExistingColumn>> out;
  const auto rows = tx.exec_params(
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a "
      "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = $1 AND c.relnamespace = "
      "current_schema()::regnamespace "
      "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      table);
  for (const auto& r : rows) {
    out.emplace_back(r[0].as<std::string>(), ExistingColumn{r[1].as<std::string>(), r[2].as<bool>()});
  }
  return out;
}

std::string incompatible(const model::Model& model, const std::string& what) {
  return "warehouse table " + model.table + " does not match its model " + model.file.string() + ": " + what +
         ". Only added columns are migrated; change the warehouse by hand (or recreate it) for anything "
         "else. "
         "Nothing was changed.";
}

// Adds the model's new columns, or says why the existing table cannot be migrated.
Status plan_migration(pqxx::work& tx, const model::Model& model, Dialect dialect,
                      std::vector<std::string>& alters, std::vector<std::string>& added) {
  const auto existing = existing_columns(tx, model.table);
  std::map<std::string, ExistingColumn> by_name(existing.begin(), existing.end());
  std::map<std::string, bool> in_model;
  if (!model.surrogate_key.empty()) {
    in_model[model.surrogate_key] = true;
    auto it = by_name.find(model.surrogate_key);
    if (it == by_name.end() || it->second.type != "integer") {
      return make_error(
          "IncompatibleWarehouseSchema",
          incompatible(model, "surrogate key column " + model.surrogate_key + " is missing or not integer"));
    }
  }
  bool has_rows = false;
  bool counted = false;
  for (const auto& c : model.columns) {
    in_model[c.name] = true;
    auto want = canonical_type(model, c);
    if (!want) return std::move(want).error();
    auto it = by_name.find(c.name);
    if (it == by_name.end()) {
      if (!c.parquet.nullable) {
        if (!counted) {
          has_rows = !tx.exec("SELECT 1 FROM " + tx.quote_name(model.table) + " LIMIT 1").empty();
          counted = true;
        }
        if (has_rows) {
          return make_error(
              "IncompatibleWarehouseSchema",
              incompatible(model,
                           "new column " + c.name +
                               " is NOT NULL but the table already has rows (they would have no value)"));
        }
      }
      alters.push_back("ALTER TABLE " + tx.quote_name(model.table) + " ADD COLUMN " +
                       column_definition_sql(model, c, dialect));
      added.push_back(model.table + "." + c.name);
      continue;
    }
    if (it->second.type != *want) {
      return make_error(
          "IncompatibleWarehouseSchema",
          incompatible(model, "column " + c.name + " is " + it->second.type + " in the warehouse but " +
                                  *want + " (" + c.sql_type + ") in the model"));
    }
    if (it->second.not_null != !c.parquet.nullable) {
      return make_error(
          "IncompatibleWarehouseSchema",
          incompatible(model, "column " + c.name + " is " + (it->second.not_null ? "NOT NULL" : "nullable") +
                                  " in the warehouse but " + (c.parquet.nullable ? "nullable" : "NOT NULL") +
                                  " in the model"));
    }
  }
  for (const auto& [name, col] : existing) {
    if (!in_model.count(name)) {
      return make_error(
          "IncompatibleWarehouseSchema",
          incompatible(model, "column " + name + " (" + col.type +
                                  ") is in the warehouse but not in the model (dropped or renamed)"));
    }
  }
  return {};
}

}  // namespace

Result<InitReport> init_warehouse(const std::string& warehouse_url, const model::Dataset& dataset,
                                  Dialect dialect) {
  for (const auto& m : dataset.models) {
    for (const auto& c : m.columns) {
      if (auto t = canonical_type(m, c); !t) return std::move(t).error();
    }
  }
  auto views = view_sql(dataset);
  if (!views) return std::move(views).error();
  auto conn = pg::connect(warehouse_url);
  if (!conn) return std::move(conn).error();
  InitReport report;
  try {
    pqxx::work tx(**conn);
    // Two inits at once would both see a table missing and both create it.
    tx.exec("SELECT pg_advisory_xact_lock(hashtext('dwh warehouse init'))");
    std::vector<std::string> statements;
    for (const auto& m : dataset.models) {
      const bool exists = tx.exec_params1(
                                "SELECT count(*) FROM pg_class WHERE relname = $1 AND relkind IN ('r', 'p') "
                                "AND relnamespace = current_schema()::regnamespace",
                                m.table)[0]
                              .as<int>() > 0;
      if (!exists) {
        statements.push_back(create_table_sql(m, dialect));
        report.created_tables.push_back(m.table);
        continue;
      }
      if (auto s = plan_migration(tx, m, dialect, statements, report.added_columns); !s)
        return std::move(s).error();
    }
    statements.push_back(create_control_table_sql(dialect));
    // A control table from an earlier release lacks the columns added since (nullable, so its
    // old rows stay as they are).
    const auto control = existing_columns(tx, kControlTable);
    const bool has_newest = std::any_of(control.begin(), control.end(),
                                        [](const auto& c) { return c.first == "newest_source_change"; });
    if (!control.empty() && !has_newest) {
      statements.push_back(std::string("ALTER TABLE ") + kControlTable +
                           " ADD COLUMN newest_source_change timestamp");
      // Once: the newest change the facts already hold goes on the last load's row, so the
      // freshness view (which reads only the control table) is right from the first read.
      std::vector<const model::Model*> facts;
      for (const auto& m : dataset.models) {
        if (m.kind == model::ModelKind::Fact) facts.push_back(&m);
      }
      if (const std::string newest = sql::newest_source_change(facts, sql::Rows::Stored); !newest.empty()) {
        statements.push_back(std::string("UPDATE ") + kControlTable + " SET newest_source_change = CAST((" +
                             newest + ") AS timestamp) WHERE run_id = (SELECT MAX(run_id) FROM " +
                             kControlTable + ")");
      }
      report.added_columns.push_back(std::string(kControlTable) + ".newest_source_change");
    }
    for (const auto& sql : statements) tx.exec(sql);
    for (const auto& v : *views) {
      tx.exec(v);
      static const std::regex kName(R"(CREATE OR REPLACE VIEW\s+("?[A-Za-z0-9_]+"?))");
      std::smatch match;
      report.views.push_back(std::regex_search(v, match, kName) ? match[1].str() : v.substr(0, 40));
    }
    tx.commit();
  } catch (const pqxx::sql_error& e) {
    return make_error("WarehouseError", std::string("warehouse init: ") + e.what() +
                                            " (statement: " + e.query().substr(0, 200) + ")");
  } catch (const std::exception& e) {
    return make_error("WarehouseError", std::string("warehouse init: ") + e.what());
  }
  for (const auto& t : report.created_tables) log::info("created warehouse table", {{"table", t}});
  for (const auto& c : report.added_columns) log::info("added warehouse column", {{"column", c}});
  return report;
}

}  // namespace dwh::load
