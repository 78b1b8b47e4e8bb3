// sources.toml: the landed source tables.
#include <algorithm>

#include "read.hpp"
#include "types.hpp"

namespace dwh::model::detail {
namespace {

SourceTable read_source(const TomlFile& f, const std::string& name, const toml::table& t) {
  const std::string path = "source." + name;
  if (!is_identifier(name)) f.fail(path, "table name must be an identifier", &t);
  f.check_keys(t, path, {"primary_key", "cursor", "columns"});
  SourceTable out;
  out.name = name;
  for (const toml::table* c : f.table_array(t, path, "columns", true)) {
    const std::string cpath_base = path + ".columns";
    f.check_keys(*c, cpath_base, {"name", "type", "nullable"});
    SourceColumn col;
    col.name = *f.string(*c, cpath_base, "name", true);
    const std::string cpath = key_path(cpath_base, col.name);
    if (!is_identifier(col.name)) f.fail(cpath + ".name", "'" + col.name + "' is not an identifier", c);
    const bool duplicate = std::any_of(out.columns.begin(), out.columns.end(),
                                       [&](const SourceColumn& o) { return o.name == col.name; });
    if (duplicate) f.fail(cpath + ".name", "duplicate column name '" + col.name + "'", c);
    const std::string type = *f.string(*c, cpath, "type", true);
    const auto parsed = parse_source_type(type);
    if (!parsed) {
      f.fail(cpath + ".type",
             "bad type '" + type + "' (expected one of " + std::string(kSourceTypeNames) + ")", c);
    }
    col.type = *parsed;
    col.nullable = f.boolean(*c, cpath, "nullable", true);
    out.columns.push_back(std::move(col));
  }
  const auto find = [&](const std::string& column) -> const SourceColumn* {
    for (const SourceColumn& c : out.columns)
      if (c.name == column) return &c;
    return nullptr;
  };
  out.primary_key = f.string_list(t, path, "primary_key", true);
  for (const std::string& k : out.primary_key) {
    const SourceColumn* c = find(k);
    if (!c)
      f.fail(path + ".primary_key", "unknown column '" + k + "' in source table '" + name + "'",
             t.get("primary_key"));
    if (c->nullable)
      f.fail(path + ".primary_key", "key column '" + k + "' is nullable", t.get("primary_key"));
  }
  out.cursor = *f.string(t, path, "cursor", true);
  const SourceColumn* cursor = find(out.cursor);
  if (!cursor)
    f.fail(path + ".cursor", "unknown column '" + out.cursor + "' in source table '" + name + "'",
           t.get("cursor"));
  if (cursor->type != SourceType::Timestamp && cursor->type != SourceType::Date &&
      cursor->type != SourceType::Integer) {
    f.fail(path + ".cursor", "cursor column '" + out.cursor + "' must be a timestamp, date or integer",
           t.get("cursor"));
  }
  if (cursor->nullable)
    f.fail(path + ".cursor", "cursor column '" + out.cursor + "' is nullable", t.get("cursor"));
  return out;
}

}  // namespace

std::vector<SourceTable> read_sources(const TomlFile& f) {
  f.check_keys(f.root(), "", {"source"});
  const toml::table* tables = f.table(f.root(), "", "source", true);
  std::vector<SourceTable> out;
  for (const auto& [name, node] : keys_in_file_order(*tables)) {
    if (!node->is_table()) f.fail("source." + name, "must be a table", node);
    out.push_back(read_source(f, name, *node->as_table()));
  }
  if (out.empty()) f.fail("source", "no source tables", tables);
  return out;
}

}  // namespace dwh::model::detail
