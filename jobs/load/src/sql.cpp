#include "sql.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace dwh::load::sql {
namespace {

using model::Model;
using model::ModelColumn;

std::string column_list(const Model& model, std::string_view prefix = "") {
  std::string out;
  for (const auto& c : model.columns) out += (out.empty() ? "" : ", ") + std::string(prefix) + ident(c.name);
  return out;
}

// The natural key rendered as one text value, for messages ("4" or "4|2022-11-03").
std::string key_text(const Model& model, std::string_view alias) {
  const auto& key =
      model.natural_key.empty() ? std::vector<std::string>{model.columns.front().name} : model.natural_key;
  std::string out;
  for (const auto& k : key) {
    out += (out.empty() ? "" : " || '|' || ") + std::string("coalesce(") + std::string(alias) + ident(k) +
           "::text, 'NULL')";
  }
  return out;
}

std::string and_equal(const std::vector<std::string>& columns, std::string_view left,
                      std::string_view right) {
  std::string out;
  for (const auto& c : columns) {
    out +=
        (out.empty() ? "" : " AND ") + std::string(left) + ident(c) + " = " + std::string(right) + ident(c);
  }
  return out;
}

// The fixed advisory lock key: the first 8 bytes of "dwh load" as an integer, so it cannot collide
// with `warehouse init`'s hashtext() key by accident and reads as what it is in pg_locks.
constexpr long long kLoadLockKey = 0x64776820'6c6f6164LL;

}  // namespace

std::string ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string stage_table(const Model& model) {
  return ident("_dwh_stage_" + model.table);
}

std::string lock(Dialect dialect) {
  if (dialect == Dialect::Redshift) return std::string("LOCK ") + kControlTable;
  return "SELECT pg_advisory_xact_lock(" + std::to_string(kLoadLockKey) + ")";
}

std::string last_loaded_run() {
  return std::string("SELECT run_id FROM ") + kControlTable + " ORDER BY run_id DESC LIMIT 1";
}

std::string is_loaded(std::string_view run_id) {
  return std::string("SELECT count(*) FROM ") + kControlTable + " WHERE run_id = " + literal(run_id);
}

std::string create_stage(const Model& model, Dialect dialect) {
  if (dialect == Dialect::Postgres) {
    // The warehouse table's own column types (as migrated), without its constraints.
    return "CREATE TEMP TABLE " + stage_table(model) + " ON COMMIT DROP AS SELECT " + column_list(model) +
           " FROM " + ident(model.table) + " WITH NO DATA";
  }
  // Redshift has no ON COMMIT DROP; COPY from Parquet maps columns by position, so the stage has
  // exactly the Parquet columns in model order.
  std::string cols;
  for (const auto& c : model.columns)
    cols += (cols.empty() ? "" : ", ") + ident(c.name) + " " + column_type_sql(c, dialect);
  return "CREATE TEMP TABLE " + stage_table(model) + " (" + cols + ")";
}

std::string drop_stage(const Model& model) {
  return "DROP TABLE IF EXISTS " + stage_table(model);
}

std::string copy_from_stdin(const Model& model) {
  return "COPY " + stage_table(model) + " (" + column_list(model) + ") FROM STDIN";
}

std::string copy_from_s3(const Model& model, std::string_view manifest_url, std::string_view iam_role) {
  return "COPY " + stage_table(model) + " FROM " + literal(manifest_url) + " IAM_ROLE " + literal(iam_role) +
         " FORMAT AS PARQUET MANIFEST";
}

std::string copy_manifest(std::string_view object_url, std::uint64_t bytes) {
  const nlohmann::json m = {
      {"entries", nlohmann::json::array(
                      {{{"url", object_url}, {"mandatory", true}, {"meta", {{"content_length", bytes}}}}})}};
  return m.dump(2) + "\n";
}

std::string load_errors() {
  return "SELECT trim(file_name), trim(column_name), error_code, trim(error_message) FROM "
         "sys_load_error_detail "
         "WHERE session_id = pg_backend_pid() ORDER BY start_time DESC LIMIT 5";
}

std::vector<std::string> not_null_columns(const Model& model) {
  std::vector<std::string> out;
  for (const auto& c : model.columns) {
    if (!c.parquet.nullable) out.push_back(c.name);
  }
  return out;
}

std::string count_nulls(const Model& model) {
  std::string out;
  for (const auto& c : not_null_columns(model)) {
    out += (out.empty() ? "" : ", ") + std::string("count(*) - count(") + ident(c) + ")";
  }
  if (out.empty()) return "";
  return "SELECT " + out + " FROM " + stage_table(model);
}

std::string null_examples(const Model& model, std::string_view column) {
  return "SELECT " + key_text(model, "") + " FROM " + stage_table(model) + " WHERE " + ident(column) +
         " IS NULL LIMIT 5";
}

std::string duplicate_keys(const Model& model) {
  if (model.unique_key.empty()) return "";
  std::string cols;
  std::string text;
  for (const auto& k : model.unique_key) {
    cols += (cols.empty() ? "" : ", ") + ident(k);
    text += (text.empty() ? "" : " || '|' || ") + std::string("coalesce(") + ident(k) + "::text, 'NULL')";
  }
  return "SELECT " + text + ", count(*) FROM " + stage_table(model) + " GROUP BY " + cols +
         " HAVING count(*) > 1 ORDER BY " + cols + " LIMIT 5";
}

std::string unresolved_references(const Model& model, const ModelColumn& column) {
  const std::string col = ident(column.name);
  return "SELECT DISTINCT s." + col + "::text FROM " + stage_table(model) + " s WHERE s." + col +
         " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + ident(column.references_table) + " r WHERE r." +
         ident(column.references_column) + " = s." + col + ") ORDER BY 1 LIMIT 5";
}

std::string upsert_dimension(const Model& model, Dialect dialect) {
  std::vector<std::string> rest;
  for (const auto& c : model.columns) {
    if (std::find(model.natural_key.begin(), model.natural_key.end(), c.name) == model.natural_key.end()) {
      rest.push_back(c.name);
    }
  }
  const std::string target = ident(model.table);
  if (dialect == Dialect::Redshift) {
    // Redshift's MERGE needs both WHEN clauses; a table of key columns only sets its key to itself.
    const auto& assigned = rest.empty() ? model.natural_key : rest;
    std::string set;
    for (const auto& c : assigned) set += (set.empty() ? "" : ", ") + ident(c) + " = s." + ident(c);
    std::string sql = "MERGE INTO " + target + " USING " + stage_table(model) + " s ON " +
                      and_equal(model.natural_key, target + ".", "s.") + " WHEN MATCHED THEN UPDATE SET " +
                      set;
    return sql + " WHEN NOT MATCHED THEN INSERT (" + column_list(model) + ") VALUES (" +
           column_list(model, "s.") + ")";
  }
  std::string keys;
  for (const auto& k : model.natural_key) keys += (keys.empty() ? "" : ", ") + ident(k);
  std::string sql = "INSERT INTO " + target + " AS t (" + column_list(model) + ") SELECT " +
                    column_list(model) + " FROM " + stage_table(model) + " ON CONFLICT (" + keys + ") DO ";
  if (rest.empty()) return sql + "NOTHING";
  std::string set, mine, theirs;
  for (const auto& c : rest) {
    set += (set.empty() ? "" : ", ") + ident(c) + " = EXCLUDED." + ident(c);
    mine += (mine.empty() ? "" : ", ") + std::string("t.") + ident(c);
    theirs += (theirs.empty() ? "" : ", ") + std::string("EXCLUDED.") + ident(c);
  }
  // Unchanged rows are not rewritten: a replayed or re-emitted dimension costs no dead tuples.
  return sql + "UPDATE SET " + set + " WHERE (" + mine + ") IS DISTINCT FROM (" + theirs + ")";
}

std::string append_facts(const Model& model, Dialect dialect) {
  std::vector<std::string> version = model.natural_key;
  version.insert(version.end(), model.version_columns.begin(), model.version_columns.end());
  const std::string insert = "INSERT INTO " + ident(model.table) + " (" + column_list(model) + ") SELECT ";
  if (dialect == Dialect::Redshift) {
    // Redshift does not enforce the UNIQUE constraint: the anti-join is what skips stored versions.
    return insert + column_list(model, "s.") + " FROM " + stage_table(model) +
           " s WHERE NOT EXISTS (SELECT 1 FROM " + ident(model.table) + " t WHERE " +
           and_equal(version, "t.", "s.") + ")";
  }
  std::string keys;
  for (const auto& k : version) keys += (keys.empty() ? "" : ", ") + ident(k);
  return insert + column_list(model) + " FROM " + stage_table(model) + " ON CONFLICT (" + keys +
         ") DO NOTHING";
}

std::string estimated_rows(const Model& model) {
  return "SELECT reltuples::bigint, relpages, pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = "
         "to_regclass(" +
         literal(ident(model.table)) + ")";
}

std::string foreign_keys_of(const Model& model) {
  return "SELECT conname, pg_get_constraintdef(oid), has_table_privilege(confrelid, 'REFERENCES') FROM "
         "pg_constraint "
         "WHERE conrelid = to_regclass(" +
         literal(ident(model.table)) + ") AND contype = 'f' ORDER BY conname";
}

std::string drop_foreign_keys(const Model& model, const std::vector<ForeignKey>& keys) {
  std::string actions;
  for (const auto& k : keys)
    actions += (actions.empty() ? " " : ", ") + std::string("DROP CONSTRAINT ") + ident(k.name);
  return "ALTER TABLE " + ident(model.table) + actions;
}

std::string add_foreign_keys(const Model& model, const std::vector<ForeignKey>& keys) {
  std::string actions;
  for (const auto& k : keys) {
    actions +=
        (actions.empty() ? " " : ", ") + std::string("ADD CONSTRAINT ") + ident(k.name) + " " + k.definition;
  }
  return "ALTER TABLE " + ident(model.table) + actions;
}

std::string source_change_expression(const Model& model) {
  std::string whole, date, time;
  for (const auto& name : model.version_columns) {
    const ModelColumn* c = model.column(name);
    if (c == nullptr) continue;
    switch (c->expr.kind) {
      case model::ColumnExpr::Kind::Copy:
        whole = ident(name);
        break;
      case model::ColumnExpr::Kind::TimestampDate:
        date = ident(name);
        break;
      case model::ColumnExpr::Kind::TimestampTime:
        time = ident(name);
        break;
      default:
        break;
    }
  }
  if (!whole.empty()) return "CAST(" + whole + " AS timestamp)";
  if (date.empty()) return "";
  return time.empty() ? "CAST(" + date + " AS timestamp)" : "CAST(" + date + " AS timestamp) + " + time;
}

std::string newest_source_change(const std::vector<const Model*>& facts, Rows rows) {
  std::string parts;
  for (const Model* m : facts) {
    const std::string expr = source_change_expression(*m);
    if (expr.empty()) continue;
    parts += (parts.empty() ? "" : " UNION ALL ") + std::string("SELECT MAX(") + expr + ") AS newest FROM " +
             (rows == Rows::Staged ? stage_table(*m) : ident(m->table));
  }
  if (parts.empty()) return "";
  return "SELECT to_char(MAX(newest), 'YYYY-MM-DD HH24:MI:SS.US') FROM (" + parts + ") f";
}

std::string record_manifest(std::string_view run_id, std::string_view manifest_key,
                            std::string_view manifest_sha256, std::string_view model,
                            std::string_view row_counts_json, double seconds,
                            std::string_view newest_source_change) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  const std::string newest =
      newest_source_change.empty() ? "NULL" : "CAST(" + literal(newest_source_change) + " AS timestamp)";
  return std::string("INSERT INTO ") + kControlTable +
         " (run_id, manifest_key, manifest_sha256, model, row_counts, load_seconds, newest_source_change) "
         "VALUES (" +
         literal(run_id) + ", " + literal(manifest_key) + ", " + literal(manifest_sha256) + ", " +
         literal(model) + ", " + literal(row_counts_json) + ", " + secs + ", " + newest + ")";
}

}  // namespace dwh::load::sql
