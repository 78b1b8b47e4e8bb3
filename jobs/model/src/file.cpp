// One model file (<warehouse_table>.toml): everything that can be checked without the other
// models. docs/models.md describes every key.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "read.hpp"
#include "types.hpp"

namespace dwh::model::detail {
namespace {

using Kind = ColumnExpr::Kind;

const SourceTable* find_source(const std::vector<SourceTable>& sources, std::string_view name) {
  for (const SourceTable& s : sources)
    if (s.name == name) return &s;
  return nullptr;
}

const SourceColumn* find_column(const SourceTable& t, std::string_view name) {
  for (const SourceColumn& c : t.columns)
    if (c.name == name) return &c;
  return nullptr;
}

std::optional<Kind> parse_op(std::string_view op) {
  if (op == "copy") return Kind::Copy;
  if (op == "date_part") return Kind::TimestampDate;
  if (op == "time_part") return Kind::TimestampTime;
  if (op == "parse_date") return Kind::ParseDate;
  if (op == "map") return Kind::Map;
  if (op == "constant") return Kind::Constant;
  if (op == "calendar") return Kind::Calendar;
  return std::nullopt;
}
constexpr std::string_view kOpNames = "copy, date_part, time_part, parse_date, map, constant, calendar";

std::optional<CalendarPart> parse_part(std::string_view part) {
  if (part == "date") return CalendarPart::Date;
  if (part == "year") return CalendarPart::Year;
  if (part == "month") return CalendarPart::Month;
  if (part == "day") return CalendarPart::Day;
  if (part == "iso_day_of_week") return CalendarPart::IsoDayOfWeek;
  if (part == "day_name") return CalendarPart::DayName;
  if (part == "month_name") return CalendarPart::MonthName;
  if (part == "quarter") return CalendarPart::Quarter;
  return std::nullopt;
}
constexpr std::string_view kPartNames =
    "date, year, month, day, iso_day_of_week, day_name, month_name, quarter";

bool part_fits(CalendarPart part, parquet::LogicalType t) {
  switch (part) {
    case CalendarPart::Date:
      return t == parquet::LogicalType::Date;
    case CalendarPart::DayName:
    case CalendarPart::MonthName:
      return t == parquet::LogicalType::String;
    default:
      return t == parquet::LogicalType::Int32 || t == parquet::LogicalType::Int64;
  }
}

// A column of the source row ("staff_id") or of a lookup's row ("department.location").
struct Resolved {
  std::string lookup;  // "" = the model's source row
  const SourceColumn* column = nullptr;
};

class ModelReader {
 public:
  ModelReader(const TomlFile& f, const std::string& table, const std::vector<SourceTable>& sources)
      : f_(f), sources_(sources) {
    m_.file = f.name();
    m_.table = table;
  }

  Model read() {
    const toml::table& root = f_.root();
    f_.check_keys(root, "",
                  {"kind", "source", "natural_key", "version_columns", "surrogate_key", "unique_key",
                   "lookup", "column"});
    read_kind(root);
    if (m_.kind == ModelKind::Calendar) {
      forbid(root, "source", "a calendar model has no source table");
      forbid(root, "lookup", "a calendar model has no lookups");
    } else {
      m_.source = *f_.string(root, "", "source", true);
      source_ = find_source(sources_, m_.source);
      if (!source_)
        f_.fail("source", "unknown source table '" + m_.source + "' (not in sources.toml)",
                root.get("source"));
      read_lookups(root);
    }
    for (const toml::table* c : f_.table_array(root, "", "column", true)) read_column(*c);
    read_keys(root);
    return std::move(m_);
  }

 private:
  void forbid(const toml::table& t, std::string_view key, std::string_view why) {
    if (const toml::node* n = t.get(key)) f_.fail(key, why, n);
  }

  void read_kind(const toml::table& root) {
    const std::string kind = *f_.string(root, "", "kind", true);
    if (kind == "dimension") {
      m_.kind = ModelKind::Dimension;
    } else if (kind == "fact") {
      m_.kind = ModelKind::Fact;
    } else if (kind == "calendar") {
      m_.kind = ModelKind::Calendar;
    } else {
      f_.fail("kind", "unknown kind '" + kind + "' (expected dimension, fact or calendar)", root.get("kind"));
    }
  }

  [[nodiscard]] const Lookup* lookup(std::string_view name) const {
    for (const Lookup& l : m_.lookups)
      if (l.name == name) return &l;
    return nullptr;
  }

  // "col" or "lookup.col", as written in `from` and in a lookup's `on`.
  Resolved resolve(std::string_view ref, const std::string& path, const toml::node* at) const {
    Resolved r;
    const auto dot = ref.find('.');
    if (dot == std::string_view::npos) {
      r.column = find_column(*source_, ref);
      if (!r.column) {
        f_.fail(path, "unknown column '" + std::string(ref) + "' in source table '" + source_->name + "'",
                at);
      }
      return r;
    }
    r.lookup = std::string(ref.substr(0, dot));
    const std::string_view column = ref.substr(dot + 1);
    const Lookup* l = lookup(r.lookup);
    if (!l) f_.fail(path, "unknown lookup '" + r.lookup + "' in '" + std::string(ref) + "'", at);
    r.column = find_column(*find_source(sources_, l->table), column);
    if (!r.column) {
      f_.fail(path,
              "unknown column '" + std::string(ref) + "' (lookup '" + r.lookup + "' reads source table '" +
                  l->table + "')",
              at);
    }
    return r;
  }

  void read_lookups(const toml::table& root) {
    const toml::table* lt = f_.table(root, "", "lookup", false);
    if (!lt) return;
    // Names and tables first, so that `on` can name any lookup of the file.
    std::vector<std::pair<const toml::table*, const toml::table*>> specs;  // (lookup, its `on`)
    for (const auto& [name, node] : keys_in_file_order(*lt)) {
      const std::string path = "lookup." + name;
      if (!is_identifier(name)) f_.fail(path, "lookup name must be an identifier", node);
      if (!node->is_table()) f_.fail(path, "must be a table", node);
      const toml::table& t = *node->as_table();
      f_.check_keys(t, path, {"table", "on"});
      Lookup l;
      l.name = name;
      l.table = *f_.string(t, path, "table", true);
      if (!find_source(sources_, l.table)) {
        f_.fail(path + ".table", "unknown source table '" + l.table + "' (not in sources.toml)",
                t.get("table"));
      }
      m_.lookups.push_back(std::move(l));
      specs.emplace_back(&t, f_.table(t, path, "on", true));
      on_nodes_[name] = specs.back().second;
    }
    for (std::size_t i = 0; i < m_.lookups.size(); ++i) read_on(m_.lookups[i], *specs[i].second);
    order_lookups();
  }

  // on = { <key column of the lookup's table> = "<column of the source row, or lookup.column>" }
  void read_on(Lookup& l, const toml::table& on) {
    const std::string path = "lookup." + l.name + ".on";
    const SourceTable& target = *find_source(sources_, l.table);
    std::map<std::string, std::pair<std::string, std::string>> given;  // key column -> (lookup, column)
    for (const auto& [key, node] : keys_in_file_order(on)) {
      const std::string kpath = path + "." + key;
      const SourceColumn* key_column = find_column(target, key);
      if (!key_column) f_.fail(kpath, "unknown column '" + key + "' in source table '" + l.table + "'", node);
      if (std::find(target.primary_key.begin(), target.primary_key.end(), key) == target.primary_key.end()) {
        f_.fail(kpath, "'" + key + "' is not a primary key column of '" + l.table + "'", node);
      }
      if (!node->is_string()) f_.fail(kpath, "must be a string naming a column", node);
      const std::string ref = node->as_string()->get();
      const Resolved r = resolve(ref, kpath, node);
      if (r.column->type != key_column->type) {
        f_.fail(kpath,
                "type mismatch: '" + ref + "' is " + std::string(source_type_name(r.column->type)) + ", '" +
                    l.table + "." + key + "' is " + std::string(source_type_name(key_column->type)),
                node);
      }
      given[key] = {r.lookup, r.column->name};
    }
    for (const std::string& k : target.primary_key) {
      const auto it = given.find(k);
      if (it == given.end()) {
        f_.fail(path, "must give every primary key column of '" + l.table + "' (missing '" + k + "')", &on);
      }
      l.on.emplace_back(it->second.second, k);
      l.on_lookup.push_back(it->second.first);
    }
  }

  // A cycle: a lookup whose key needs, directly or through other lookups, its own row
  // (a.on names b.x and b.on names a.y; or a.on names a.x). Orders the rest so every lookup
  // comes after the lookups its key reads.
  void order_lookups() {
    enum class Mark { None, Visiting, Done };
    std::map<std::string, Mark> mark;
    std::vector<std::string> stack;
    std::vector<Lookup> ordered;
    const std::function<void(const Lookup&)> visit = [&](const Lookup& l) {
      const Mark state = mark[l.name];
      if (state == Mark::Done) return;
      if (state == Mark::Visiting) {
        std::string chain;
        auto it = std::find(stack.begin(), stack.end(), l.name);
        for (; it != stack.end(); ++it) chain += *it + " -> ";
        chain += l.name;
        f_.fail("lookup." + l.name + ".on", "lookup cycle: " + chain, on_nodes_[l.name]);
      }
      mark[l.name] = Mark::Visiting;
      stack.push_back(l.name);
      for (const std::string& dep : l.on_lookup)
        if (!dep.empty()) visit(*lookup(dep));
      stack.pop_back();
      mark[l.name] = Mark::Done;
      ordered.push_back(l);
    };
    for (const Lookup& l : m_.lookups) visit(l);
    m_.lookups = std::move(ordered);
  }

  void read_column(const toml::table& c) {
    ModelColumn col;
    // The name first, so that every other message can say which column.
    col.name = f_.string(c, "column", "name", false).value_or("");
    const std::string path = col.name.empty() ? "column" : "column." + col.name;
    f_.check_keys(
        c, path, {"name", "type", "nullable", "op", "from", "map", "value", "part", "if_null", "references"});
    if (col.name.empty()) f_.fail("column.name", "missing (required)", &c);
    if (!is_identifier(col.name))
      f_.fail(path + ".name", "'" + col.name + "' is not an identifier", c.get("name"));
    if (m_.column(col.name))
      f_.fail(path + ".name", "duplicate column name '" + col.name + "'", c.get("name"));
    const std::string type = *f_.string(c, path, "type", true);
    const auto sql = parse_sql_type(type);
    if (!sql) {
      f_.fail(path + ".type", "bad type '" + type + "' (expected one of " + std::string(kSqlTypeNames) + ")",
              c.get("type"));
    }
    col.sql_type = sql->sql;
    col.parquet.name = col.name;
    col.parquet.type = sql->type;
    col.parquet.precision = sql->precision;
    col.parquet.scale = sql->scale;
    col.parquet.nullable = f_.boolean(c, path, "nullable", true);

    const std::string op = f_.string(c, path, "op", false).value_or("copy");
    const auto kind = parse_op(op);
    if (!kind)
      f_.fail(path + ".op", "unknown op '" + op + "' (expected one of " + std::string(kOpNames) + ")",
              c.get("op"));
    col.expr.kind = *kind;
    const bool calendar_model = m_.kind == ModelKind::Calendar;
    if (calendar_model && *kind != Kind::Calendar && *kind != Kind::Constant) {
      f_.fail(path + ".op", "a calendar model's columns use op = \"calendar\" or \"constant\"", c.get("op"));
    }
    if (!calendar_model && *kind == Kind::Calendar) {
      f_.fail(path + ".op", "op = \"calendar\" is only for kind = \"calendar\"", c.get("op"));
    }
    const bool reads_source = *kind != Kind::Constant && *kind != Kind::Calendar;
    only_with(c, path, "from", reads_source, op);
    only_with(c, path, "map", *kind == Kind::Map, op);
    only_with(c, path, "value", *kind == Kind::Constant, op);
    only_with(c, path, "part", *kind == Kind::Calendar, op);
    only_with(c, path, "if_null", reads_source, op);

    if (reads_source) read_from(c, path, col);
    if (*kind == Kind::Map) read_map(c, path, col);
    if (*kind == Kind::Constant) {
      col.expr.constant = *f_.string(c, path, "value", true);
      check_literal(col.expr.constant, col, path + ".value", c.get("value"));
    }
    if (*kind == Kind::Calendar) {
      const std::string part = *f_.string(c, path, "part", true);
      const auto p = parse_part(part);
      if (!p) {
        f_.fail(path + ".part",
                "unknown part '" + part + "' (expected one of " + std::string(kPartNames) + ")",
                c.get("part"));
      }
      if (!part_fits(*p, col.parquet.type)) {
        f_.fail(path + ".type", "part '" + part + "' does not fit type '" + col.sql_type + "'",
                c.get("type"));
      }
      col.expr.calendar = *p;
    }
    if (const auto if_null = f_.string(c, path, "if_null", false)) {
      check_literal(*if_null, col, path + ".if_null", c.get("if_null"));
      col.expr.if_null = *if_null;
    }
    if (const auto ref = f_.string(c, path, "references", false)) {
      const auto dot = ref->find('.');
      if (dot == std::string::npos || !is_identifier(ref->substr(0, dot)) ||
          !is_identifier(ref->substr(dot + 1))) {
        f_.fail(path + ".references", "must be 'table.column', not '" + *ref + "'", c.get("references"));
      }
      col.references_table = ref->substr(0, dot);
      col.references_column = ref->substr(dot + 1);
    }
    m_.columns.push_back(std::move(col));
  }

  void only_with(const toml::table& c, const std::string& path, std::string_view key, bool allowed,
                 const std::string& op) {
    if (allowed) return;
    if (const toml::node* n = c.get(key)) {
      f_.fail(key_path(path, key), "does not apply to op = \"" + op + "\"", n);
    }
  }

  void check_literal(const std::string& text, const ModelColumn& col, const std::string& path,
                     const toml::node* at) {
    if (const auto why = literal_error(text, col.parquet)) {
      f_.fail(path, "'" + text + "' is not a valid " + col.sql_type + ": " + *why, at);
    }
  }

  void read_from(const toml::table& c, const std::string& path, ModelColumn& col) {
    const std::string from = *f_.string(c, path, "from", true);
    const Resolved r = resolve(from, path + ".from", c.get("from"));
    col.expr.lookup = r.lookup;
    col.expr.column = r.column->name;
    const SourceType st = r.column->type;
    const auto mismatch = [&](std::string_view what) {
      f_.fail(path + ".from",
              std::string(what) + " ('" + from + "' is " + std::string(source_type_name(st)) +
                  ", the column is " + col.sql_type + ")",
              c.get("from"));
    };
    const parquet::LogicalType t = col.parquet.type;
    switch (col.expr.kind) {
      case Kind::Copy:
        if (!copy_allowed(st, col.parquet)) mismatch("cannot copy this source type into this column type");
        break;
      case Kind::TimestampDate:
        if (st != SourceType::Timestamp || t != parquet::LogicalType::Date) {
          mismatch("date_part needs a timestamp source and a date column");
        }
        break;
      case Kind::TimestampTime:
        if (st != SourceType::Timestamp ||
            (t != parquet::LogicalType::TimeMicros && t != parquet::LogicalType::TimeMillis)) {
          mismatch("time_part needs a timestamp source and a time column");
        }
        break;
      case Kind::ParseDate:
        if (st != SourceType::Text || t != parquet::LogicalType::Date) {
          mismatch("parse_date needs a text source and a date column");
        }
        break;
      case Kind::Map:
        if (st != SourceType::Text) mismatch("map needs a text source");
        break;
      case Kind::Constant:
      case Kind::Calendar:
        break;
    }
  }

  void read_map(const toml::table& c, const std::string& path, ModelColumn& col) {
    const toml::table* map = f_.table(c, path, "map", true);
    for (const auto& [from, node] : keys_in_file_order(*map)) {
      if (!node->is_string()) f_.fail(path + ".map." + from, "must be a string", node);
      const std::string to = node->as_string()->get();
      check_literal(to, col, path + ".map." + from, node);
      col.expr.map.emplace_back(from, to);
    }
    if (col.expr.map.empty()) f_.fail(path + ".map", "must not be empty", map);
  }

  // natural_key, version_columns, surrogate_key, unique_key.
  void read_keys(const toml::table& root) {
    const auto columns_of = [&](std::string_view key, bool required) {
      std::vector<std::string> names = f_.string_list(root, "", key, required);
      for (const std::string& n : names) {
        if (!m_.column(n)) {
          f_.fail(key, "'" + n + "' is not a column of " + m_.table, root.get(key));
        }
      }
      return names;
    };
    if (m_.kind == ModelKind::Calendar) {
      read_calendar_keys(root, columns_of("natural_key", false));
    } else {
      m_.natural_key = columns_of("natural_key", true);
      check_natural_key(root);
    }
    if (m_.kind == ModelKind::Fact) {
      m_.version_columns = columns_of("version_columns", true);
      for (const std::string& v : m_.version_columns) {
        const ColumnExpr& e = m_.column(v)->expr;
        if (!e.lookup.empty() || e.column != source_->cursor) {
          f_.fail("version_columns",
                  "'" + v + "' must be read from the source's cursor column '" + source_->cursor + "'",
                  root.get("version_columns"));
        }
      }
      if (const auto s = f_.string(root, "", "surrogate_key", false)) {
        if (!is_identifier(*s))
          f_.fail("surrogate_key", "'" + *s + "' is not an identifier", root.get("surrogate_key"));
        if (m_.column(*s)) {
          f_.fail("surrogate_key", "'" + *s + "' is assigned by the warehouse and must not be a column",
                  root.get("surrogate_key"));
        }
        m_.surrogate_key = *s;
      }
    } else {
      forbid(root, "version_columns", "only a fact has version columns");
      forbid(root, "surrogate_key", "only a fact has a surrogate key");
    }
    m_.unique_key = columns_of("unique_key", false);
    if (m_.unique_key.empty() && m_.kind != ModelKind::Fact) m_.unique_key = m_.natural_key;
  }

  // The versions of a dimension's row, and a fact row's id, are those of its source row: the
  // natural key must copy the source's primary key.
  void check_natural_key(const toml::table& root) {
    std::set<std::string> covered;
    for (const std::string& k : m_.natural_key) {
      if (m_.column(k)->parquet.nullable) {
        f_.fail("natural_key", "key column '" + k + "' must be nullable = false", root.get("natural_key"));
      }
      const ColumnExpr& e = m_.column(k)->expr;
      const auto& pk = source_->primary_key;
      if (e.kind != Kind::Copy || !e.lookup.empty() ||
          std::find(pk.begin(), pk.end(), e.column) == pk.end()) {
        f_.fail("natural_key",
                "'" + k + "' must copy a primary key column of source table '" + source_->name + "'",
                root.get("natural_key"));
      }
      covered.insert(e.column);
    }
    for (const std::string& p : source_->primary_key) {
      if (!covered.count(p)) {
        f_.fail("natural_key",
                "does not cover primary key column '" + p + "' of source table '" + source_->name + "'",
                root.get("natural_key"));
      }
    }
  }

  void read_calendar_keys(const toml::table& root, std::vector<std::string> natural_key) {
    std::string date_column;
    for (const ModelColumn& c : m_.columns) {
      if (c.expr.kind != Kind::Calendar || c.expr.calendar != CalendarPart::Date) continue;
      if (!date_column.empty()) {
        f_.fail("column." + c.name + ".part",
                "a calendar model has one date column (already '" + date_column + "')", nullptr);
      }
      date_column = c.name;
    }
    if (date_column.empty()) {
      f_.fail("column", "a calendar model needs a date column (op = \"calendar\", part = \"date\")", nullptr);
    }
    if (m_.column(date_column)->parquet.nullable) {
      f_.fail("column." + date_column + ".nullable", "the date column must be nullable = false", nullptr);
    }
    if (natural_key.empty()) natural_key = {date_column};
    if (natural_key != std::vector<std::string>{date_column}) {
      f_.fail("natural_key", "a calendar model's natural key is its date column '" + date_column + "'",
              root.get("natural_key"));
    }
    m_.natural_key = std::move(natural_key);
  }

  const TomlFile& f_;
  const std::vector<SourceTable>& sources_;
  const SourceTable* source_ = nullptr;
  std::map<std::string, const toml::node*> on_nodes_;  // lookup name -> its `on`, for line numbers
  Model m_;
};

}  // namespace

Model read_model(const TomlFile& file, const std::string& table, const std::vector<SourceTable>& sources) {
  return ModelReader(file, table, sources).read();
}

}  // namespace dwh::model::detail
