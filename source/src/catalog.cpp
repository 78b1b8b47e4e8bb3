// Reading a schema's catalog and comparing two of them. Only pg_catalog is used (not
// information_schema) because it alone shows FK actions, index definitions and enum labels
// in one rendering PostgreSQL itself guarantees to round-trip.
#include "dwh/source/catalog.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>

namespace dwh::source {
namespace {

std::string relation_kind(char relkind) {
  switch (relkind) {
    case 'r':
      return "table";
    case 'p':
      return "partitioned table";
    case 'v':
      return "view";
    case 'm':
      return "materialized view";
    case 'f':
      return "foreign table";
    default:
      return std::string("relation of kind ") + relkind;
  }
}

// pg_get_indexdef qualifies the table with its schema whatever search_path says; drop that so
// the same index in two schemas renders the same.
std::string strip_schema(std::string def, const std::string& schema) {
  for (const std::string& needle : {" ON " + schema + ".", " ON ONLY " + schema + "."}) {
    auto pos = def.find(needle);
    if (pos != std::string::npos) def.erase(pos + needle.size() - schema.size() - 1, schema.size() + 1);
  }
  return def;
}

void read_relations(pqxx::transaction_base& tx, const std::string& schema, Catalog& out) {
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','f')",
           schema)) {
    out.relations[row[0].as<std::string>()].kind = relation_kind(row[1].as<std::string>().at(0));
  }
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
           "  coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text || a.attgenerated::text, "
           "  CASE WHEN a.attcollation <> t.typcollation THEN coalesce(co.collname::text, '?') ELSE '' END "
           "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
           "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
           "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
           "WHERE n.nspname = $1 AND c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT "
           "a.attisdropped "
           "ORDER BY c.relname, a.attnum",
           schema)) {
    CatalogColumn col;
    col.name = row[1].as<std::string>();
    col.type = row[2].as<std::string>();
    col.not_null = row[3].as<bool>();
    col.default_expr = row[4].as<std::string>();
    col.generated = row[5].as<std::string>();
    col.collation = row[6].as<std::string>();
    out.relations[row[0].as<std::string>()].columns.push_back(std::move(col));
  }
  for (const auto& row :
       tx.exec_params("SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
                      "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = $1",
                      schema)) {
    out.relations[row[0].as<std::string>()].constraints[row[1].as<std::string>()] = row[2].as<std::string>();
  }
  for (const auto& row :
       tx.exec_params("SELECT c.relname, i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                      "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
                      schema)) {
    out.relations[row[0].as<std::string>()].indexes[row[1].as<std::string>()] =
        strip_schema(row[2].as<std::string>(), schema);
  }
  for (const auto& row :
       tx.exec_params("SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                      "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname = $1 AND NOT t.tgisinternal",
                      schema)) {
    out.relations[row[0].as<std::string>()].triggers[row[1].as<std::string>()] =
        strip_schema(row[2].as<std::string>(), schema);
  }
}

void read_types(pqxx::transaction_base& tx, const std::string& schema, Catalog& out) {
  // Row types of tables and the array types PostgreSQL makes for every type come with their
  // owners; only stand-alone types are objects of their own.
  for (const auto& row : tx.exec_params(
           "SELECT format_type(t.oid, NULL), t.typtype, "
           "  (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) "
           "   FROM pg_enum e WHERE e.enumtypid = t.oid), "
           "  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END "
           "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
           "WHERE n.nspname = $1 AND t.typcategory <> 'A' "
           "  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')",
           schema)) {
    const char kind = row[1].as<std::string>().at(0);
    std::string def;
    switch (kind) {
      case 'e':
        def = "enum (" + row[2].as<std::string>("") + ")";
        break;
      case 'd':
        def = "domain over " + row[3].as<std::string>("");
        break;
      case 'c':
        def = "composite type";
        break;
      case 'r':
        def = "range type";
        break;
      case 'm':
        def = "multirange type";
        break;
      default:
        def = "base type";
        break;
    }
    out.types[row[0].as<std::string>()] = def;
  }
}

void read_sequences(pqxx::transaction_base& tx, const std::string& schema, Catalog& out) {
  for (const auto& row : tx.exec_params(
           "SELECT c.relname, format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || "
           "  s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax || ' cache ' || s.seqcache || "
           "  CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END, "
           "  (SELECT tc.relname || '.' || a.attname FROM pg_depend d "
           "   JOIN pg_class tc ON tc.oid = d.refobjid "
           "   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
           "   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
           "     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') LIMIT 1) "
           "FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
           schema)) {
    std::string def = row[1].as<std::string>();
    if (!row[2].is_null()) def += ", owned by " + row[2].as<std::string>();
    out.sequences[row[0].as<std::string>()] = def;
  }
}

template <class Map, class Report>
void compare_named(const Map& expected, const Map& actual, Report report) {
  for (const auto& [name, def] : expected) {
    auto it = actual.find(name);
    if (it == actual.end())
      report(name, "missing (expected " + def + ")");
    else if (it->second != def)
      report(name, "is " + it->second + ", expected " + def);
  }
  for (const auto& [name, def] : actual)
    if (!expected.count(name)) report(name, "is not expected (" + def + ")");
}

void compare_columns(const std::string& where, const std::vector<CatalogColumn>& expected,
                     const std::vector<CatalogColumn>& actual, std::vector<std::string>& diffs) {
  auto find = [](const std::vector<CatalogColumn>& cols, const std::string& name) -> const CatalogColumn* {
    for (const auto& c : cols)
      if (c.name == name) return &c;
    return nullptr;
  };
  for (const auto& e : expected) {
    const CatalogColumn* a = find(actual, e.name);
    const std::string col = where + " column " + e.name + ": ";
    if (!a) {
      diffs.push_back(col + "missing (expected " + e.type + (e.not_null ? " NOT NULL" : "") + ")");
      continue;
    }
    if (a->type != e.type) diffs.push_back(col + "type is " + a->type + ", expected " + e.type);
    if (a->not_null != e.not_null)
      diffs.push_back(col + (a->not_null ? "NOT NULL, expected nullable" : "nullable, expected NOT NULL"));
    if (a->default_expr != e.default_expr) {
      auto show = [](const std::string& d) { return d.empty() ? std::string("no default") : "default " + d; };
      diffs.push_back(col + show(a->default_expr) + ", expected " + show(e.default_expr));
    }
    if (a->generated != e.generated) diffs.push_back(col + "identity/generated marker differs");
    if (a->collation != e.collation)
      diffs.push_back(col + "collation is " + (a->collation.empty() ? "the default" : a->collation) +
                      ", expected " + (e.collation.empty() ? "the default" : e.collation));
  }
  for (const auto& a : actual)
    if (!find(expected, a.name))
      diffs.push_back(where + " column " + a.name + ": is not expected (" + a.type + ")");

  // Order matters too (SELECT * and COPY depend on it); compare it over the shared columns only,
  // so a missing column is not reported twice.
  std::vector<std::string> e_order, a_order;
  for (const auto& e : expected)
    if (find(actual, e.name)) e_order.push_back(e.name);
  for (const auto& a : actual)
    if (find(expected, a.name)) a_order.push_back(a.name);
  if (e_order != a_order) {
    auto join = [](const std::vector<std::string>& v) {
      std::string s;
      for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    diffs.push_back(where + ": column order is (" + join(a_order) + "), expected (" + join(e_order) + ")");
  }
}

}  // namespace

Catalog read_catalog(pqxx::transaction_base& tx, const std::string& schema) {
  // Renderings (types, regclass in defaults, FK targets) come out unqualified only for objects
  // on the search path.
  tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema));
  Catalog catalog;
  read_types(tx, schema, catalog);
  read_relations(tx, schema, catalog);
  read_sequences(tx, schema, catalog);
  return catalog;
}

std::vector<std::string> compare_catalogs(const Catalog& expected, const Catalog& actual) {
  std::vector<std::string> diffs;
  compare_named(expected.types, actual.types, [&](const std::string& name, const std::string& what) {
    diffs.push_back("type " + name + ": " + what);
  });
  for (const auto& [name, e] : expected.relations) {
    auto it = actual.relations.find(name);
    const std::string where = e.kind + " " + name;
    if (it == actual.relations.end()) {
      diffs.push_back(where + ": missing");
      continue;
    }
    const CatalogRelation& a = it->second;
    if (a.kind != e.kind) {
      diffs.push_back(where + ": is a " + a.kind + ", expected a " + e.kind);
      continue;
    }
    compare_columns(where, e.columns, a.columns, diffs);
    auto sub = [&](const char* what) {
      return [&diffs, &where, what](const std::string& n, const std::string& m) {
        diffs.push_back(where + " " + what + " " + n + ": " + m);
      };
    };
    compare_named(e.constraints, a.constraints, sub("constraint"));
    compare_named(e.indexes, a.indexes, sub("index"));
    compare_named(e.triggers, a.triggers, sub("trigger"));
  }
  for (const auto& [name, a] : actual.relations)
    if (!expected.relations.count(name))
      diffs.push_back(a.kind + " " + name + ": is not part of the expected schema");
  compare_named(expected.sequences, actual.sequences, [&](const std::string& name, const std::string& what) {
    diffs.push_back("sequence " + name + ": " + what);
  });
  return diffs;
}

}  // namespace dwh::source
