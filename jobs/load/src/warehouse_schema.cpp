#include "dwh/load/warehouse_schema.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace dwh::load {
namespace {

std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string join_quoted(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + quoted(n);
  return out;
}

// Redshift differs where a PostgreSQL type would silently lose data there: plain NUMERIC means
// DECIMAL(18,0) (cents would be rounded away) and VARCHAR means VARCHAR(256) (longer text fails
// the COPY). The Parquet declaration of the column says what the values need.
std::string redshift_type(const model::ModelColumn& c) {
  std::string t = c.sql_type;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (t == "numeric" || t == "decimal") {
    return "numeric(" + std::to_string(c.parquet.precision) + "," + std::to_string(c.parquet.scale) + ")";
  }
  if (t == "varchar" || t == "text" || t == "character varying") return "varchar(65535)";
  return c.sql_type;
}

}  // namespace

std::string column_definition_sql(const model::Model& /*model*/, const model::ModelColumn& column,
                                  Dialect dialect) {
  std::string out =
      quoted(column.name) + " " + (dialect == Dialect::Redshift ? redshift_type(column) : column.sql_type);
  if (!column.parquet.nullable) out += " NOT NULL";
  if (!column.references_table.empty()) {
    out += " REFERENCES " + quoted(column.references_table) + " (" + quoted(column.references_column) + ")";
  }
  return out;
}

std::string column_type_sql(const model::ModelColumn& column, Dialect dialect) {
  return dialect == Dialect::Redshift ? redshift_type(column) : column.sql_type;
}

std::string create_table_sql(const model::Model& model, Dialect dialect) {
  std::vector<std::string> lines;
  if (!model.surrogate_key.empty()) {
    lines.push_back(quoted(model.surrogate_key) +
                    (dialect == Dialect::Redshift ? " integer IDENTITY(1,1) NOT NULL" : " serial NOT NULL"));
  }
  for (const auto& c : model.columns) lines.push_back(column_definition_sql(model, c, dialect));
  if (!model.surrogate_key.empty()) {
    lines.push_back("PRIMARY KEY (" + quoted(model.surrogate_key) + ")");
    // One row per source row version: what makes a replayed batch add nothing. Redshift accepts
    // but does not enforce it; the load job's anti-join does the work there.
    std::vector<std::string> version = model.natural_key;
    version.insert(version.end(), model.version_columns.begin(), model.version_columns.end());
    if (!version.empty()) {
      lines.push_back("CONSTRAINT " + quoted(model.table + "_version_key") + " UNIQUE (" +
                      join_quoted(version) + ")");
    }
  } else if (!model.natural_key.empty()) {
    lines.push_back("PRIMARY KEY (" + join_quoted(model.natural_key) + ")");
  }
  std::string sql = "CREATE TABLE " + quoted(model.table) + " (\n";
  for (std::size_t i = 0; i < lines.size(); ++i)
    sql += "  " + lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
  return sql + ")";
}

std::string create_control_table_sql(Dialect dialect) {
  const std::string text = dialect == Dialect::Redshift ? "varchar(65535)" : "text";
  return std::string("CREATE TABLE IF NOT EXISTS ") + kControlTable + " (\n" +
         "  run_id varchar(64) NOT NULL PRIMARY KEY,\n"
         "  manifest_key " +
         text +
         " NOT NULL,\n"
         "  manifest_sha256 char(64) NOT NULL,\n"
         "  model " +
         text +
         " NOT NULL,\n"
         "  row_counts " +
         text +
         " NOT NULL,\n"
         "  loaded_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),\n"
         "  load_seconds double precision NOT NULL,\n"
         "  newest_source_change timestamp\n"
         ")";
}

Result<std::vector<std::string>> view_sql(const model::Dataset& dataset) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  const fs::path dir = dataset.dir / "views";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".sql") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return make_error("ModelError", f.string() + ": cannot read the view definition");
    std::ostringstream text;
    text << in.rdbuf();
    std::string sql = text.str();
    while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
      sql.pop_back();
    if (sql.find("CREATE OR REPLACE VIEW") == std::string::npos) {
      return make_error("ModelError",
                        f.string() + ": a view file must hold one CREATE OR REPLACE VIEW statement");
    }
    out.push_back(std::move(sql));
  }
  return out;
}

}  // namespace dwh::load
