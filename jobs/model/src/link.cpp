// Checks across models: every `references` names a model's key column of the same type, and
// the models can be ordered so each comes after the models it references.
#include <algorithm>
#include <map>
#include <set>

#include "read.hpp"
#include "types.hpp"

namespace dwh::model::detail {
namespace {

// The `references` node of a column, for the line number in messages.
const toml::node* references_node(const TomlFile& f, std::string_view column) {
  const toml::array* columns = f.root().get_as<toml::array>("column");
  if (!columns) return nullptr;
  for (const toml::node& n : *columns) {
    const toml::table* t = n.as_table();
    if (!t) continue;
    const toml::node* name = t->get("name");
    if (name && name->is_string() && name->as_string()->get() == column) return t->get("references");
  }
  return nullptr;
}

bool same_type(const parquet::ColumnSchema& a, const parquet::ColumnSchema& b) {
  return a.type == b.type && a.precision == b.precision && a.scale == b.scale;
}

// deps[i]: the models model i references. Fails (TomlFile::fail) on a reference to an unknown
// table or column, to a column that is not the target's key, or of another type.
std::vector<std::set<std::size_t>> checked_references(const std::vector<LoadedModel>& models) {
  std::map<std::string, std::size_t> by_table;
  for (std::size_t i = 0; i < models.size(); ++i) by_table[models[i].model.table] = i;

  std::vector<std::set<std::size_t>> deps(models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    const TomlFile& f = *models[i].file;
    for (const ModelColumn& c : models[i].model.columns) {
      if (c.references_table.empty()) continue;
      const std::string path = "column." + c.name + ".references";
      const toml::node* at = references_node(f, c.name);
      const std::string target = c.references_table + "." + c.references_column;
      const auto it = by_table.find(c.references_table);
      if (it == by_table.end()) {
        f.fail(path, "unknown table '" + c.references_table + "' (no model " + c.references_table + ".toml)",
               at);
      }
      const Model& to = models[it->second].model;
      const ModelColumn* tc = to.column(c.references_column);
      if (!tc) f.fail(path, "unknown column '" + target + "'", at);
      if (to.natural_key != std::vector<std::string>{c.references_column}) {
        f.fail(path, "'" + target + "' is not the key of " + to.table + " (its natural_key)", at);
      }
      if (!same_type(c.parquet, tc->parquet)) {
        f.fail(path,
               "type mismatch: " + c.sql_type + " references " + tc->sql_type + " column '" + target + "'",
               at);
      }
      deps[i].insert(it->second);
    }
  }
  return deps;
}

}  // namespace

std::vector<Model> link_models(std::vector<LoadedModel> models) {
  const std::vector<std::set<std::size_t>> deps = checked_references(models);

  // Kahn's algorithm, taking ready models by table name so the order is stable.
  std::vector<std::size_t> waiting(models.size());
  std::vector<std::vector<std::size_t>> dependents(models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    waiting[i] = deps[i].size();
    for (std::size_t d : deps[i]) dependents[d].push_back(i);
  }
  std::set<std::pair<std::string, std::size_t>> ready;
  for (std::size_t i = 0; i < models.size(); ++i)
    if (waiting[i] == 0) ready.emplace(models[i].model.table, i);
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = ready.begin()->second;
    ready.erase(ready.begin());
    order.push_back(i);
    for (std::size_t d : dependents[i])
      if (--waiting[d] == 0) ready.emplace(models[d].model.table, d);
  }
  if (order.size() != models.size()) {
    // Walk references from a model left waiting until one repeats: that is a cycle.
    std::size_t at = 0;
    while (waiting[at] == 0) ++at;
    std::vector<std::size_t> path;
    while (std::find(path.begin(), path.end(), at) == path.end()) {
      path.push_back(at);
      for (std::size_t d : deps[at]) {
        if (waiting[d] != 0) {
          at = d;
          break;
        }
      }
    }
    const auto first = std::find(path.begin(), path.end(), at);
    std::string chain;
    for (auto it = first; it != path.end(); ++it) chain += models[*it].model.table + " -> ";
    chain += models[at].model.table;
    // Name the column of `at` that references the next model on the cycle.
    const std::string& next = models[first + 1 == path.end() ? at : *(first + 1)].model.table;
    std::string column;
    for (const ModelColumn& c : models[at].model.columns) {
      if (c.references_table == next) {
        column = c.name;
        break;
      }
    }
    models[at].file->fail("column." + column + ".references", "reference cycle: " + chain,
                          references_node(*models[at].file, column));
  }
  std::vector<Model> out;
  out.reserve(models.size());
  for (std::size_t i : order) out.push_back(std::move(models[i].model));
  return out;
}

}  // namespace dwh::model::detail
