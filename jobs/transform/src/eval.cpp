// A model's column expressions evaluated on one parsed record, into Parquet column values.
// Called once per record from parallel pipeline stages: no locks, no shared mutable state.
#include <charconv>
#include <cstring>

#include "dwh/model/calendar.hpp"
#include "dwh/model/values.hpp"
#include "internal.hpp"

namespace dwh::transform::detail {
namespace {

using parquet::LogicalType;

int index_of(const SourceTable& t, std::string_view column) {
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

Error model_error(const Model& m, const std::string& what) {
  return make_error("ModelError", m.file.string() + ": " + what);
}

bool set_error(std::string& reason, ValueError e) {
  reason = std::string(value_error_message(e));
  return false;
}

bool is_integer_like(LogicalType t) {
  return t != LogicalType::String && t != LogicalType::Double;
}

// The landed value as the output column's type (Copy, and the inputs of the other kinds).
bool convert_value(const Value& v, SourceType type, const parquet::ColumnSchema& col, OutValue& out,
                   std::string& reason) {
  switch (col.type) {
    case LogicalType::Int32: {
      std::int32_t x = 0;
      ValueError e = v.kind == Value::Kind::Int    ? check_int32(v.i, x)
                     : v.kind == Value::Kind::Text ? parse_int32(v.text, x)
                                                   : ValueError::BadNumber;
      if (e != ValueError::None) return set_error(reason, e);
      out.i = x;
      return true;
    }
    case LogicalType::Int64: {
      if (v.kind == Value::Kind::Int) {
        out.i = v.i;
        return true;
      }
      if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadNumber);
      if (auto e = parse_int64(v.text, out.i); e != ValueError::None) return set_error(reason, e);
      return true;
    }
    case LogicalType::Boolean:
      if (v.kind != Value::Kind::Bool) {
        reason = "not a boolean";
        return false;
      }
      out.i = v.i;
      return true;
    case LogicalType::Double: {
      if (v.kind == Value::Kind::Double)
        out.d = v.d;
      else if (v.kind == Value::Kind::Int)
        out.d = static_cast<double>(v.i);
      else {
        const auto r = std::from_chars(v.text.data(), v.text.data() + v.text.size(), out.d);
        if (r.ec != std::errc() || r.ptr != v.text.data() + v.text.size())
          return set_error(reason, ValueError::BadNumber);
      }
      return true;
    }
    case LogicalType::String:
      if (v.kind == Value::Kind::Bool)
        out.s = v.i ? "true" : "false";
      else
        out.s = v.text;
      return true;
    case LogicalType::Date: {
      if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadDateFormat);
      if (type == SourceType::Timestamp) {
        std::int64_t us = 0;
        if (auto e = parse_timestamp_micros(v.text, us); e != ValueError::None) return set_error(reason, e);
        out.i = timestamp_date_days(us);
        return true;
      }
      std::int32_t d = 0;
      if (auto e = parse_date_days(v.text, d); e != ValueError::None) return set_error(reason, e);
      out.i = d;
      return true;
    }
    case LogicalType::TimestampMicros:
    case LogicalType::TimestampMillis: {
      if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadTimestampFormat);
      std::int64_t us = 0;
      if (auto e = parse_timestamp_micros(v.text, us); e != ValueError::None) return set_error(reason, e);
      out.i = col.type == LogicalType::TimestampMillis ? us / 1000 : us;
      return true;
    }
    case LogicalType::TimeMicros:
    case LogicalType::TimeMillis: {
      if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadTimestampFormat);
      std::int64_t us = 0;
      if (auto e = parse_timestamp_micros(v.text, us); e != ValueError::None) return set_error(reason, e);
      const std::int64_t t = timestamp_time_micros(us);
      out.i = col.type == LogicalType::TimeMillis ? t / 1000 : t;
      return true;
    }
    case LogicalType::Decimal: {
      ValueError e = v.kind == Value::Kind::Int    ? integer_to_decimal(v.i, col.precision, col.scale, out.i)
                     : v.kind == Value::Kind::Text ? parse_decimal(v.text, col.precision, col.scale, out.i)
                                                   : ValueError::BadNumber;
      if (e != ValueError::None) return set_error(reason, e);
      return true;
    }
  }
  reason = "unsupported output type";
  return false;
}

std::string format_time(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld.%06lld", static_cast<long long>(us / 3'600'000'000LL),
                static_cast<long long>(us / 60'000'000 % 60), static_cast<long long>(us / 1'000'000 % 60),
                static_cast<long long>(us % 1'000'000));
  return buf;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 27);
}

}  // namespace

bool convert_text(std::string_view text, const parquet::ColumnSchema& col, OutValue& out,
                  std::string& reason) {
  Value v;
  v.kind = Value::Kind::Text;
  v.text = text;
  if (col.type == LogicalType::Boolean) {
    if (text != "true" && text != "false") {
      reason = "not a boolean";
      return false;
    }
    out.i = text == "true";
    return true;
  }
  return convert_value(v, SourceType::Text, col, out, reason);
}

LookupIndex::LookupIndex(const Lookup& lookup, const CurrentTable& table, std::vector<Part> parts)
    : lookup_(&lookup), table_(&table), parts_(std::move(parts)) {
  std::vector<int> key_columns;
  for (const auto& [from, to] : lookup.on) key_columns.push_back(index_of(*table.source, to));
  for (const auto& [k, row] : table.rows) index_[key_of(row.values, key_columns)] = &row;
}

const CurrentRow* LookupIndex::find(std::string_view key) const {
  const auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : it->second;
}

Result<std::unique_ptr<Evaluator>> Evaluator::create(const Dataset& dataset, const Model& model,
                                                     const std::map<std::string, CurrentTable>& current) {
  auto ev = std::unique_ptr<Evaluator>(new Evaluator());
  ev->model_ = &model;
  ev->source_ = dataset.source(model.source);
  if (!ev->source_) return model_error(model, "source: unknown source table '" + model.source + "'");
  const SourceTable& src = *ev->source_;
  ev->schema_ = parquet_schema(model);
  ev->needed_.assign(src.columns.size(), false);
  for (const auto& k : src.primary_key) {
    const int i = index_of(src, k);
    if (i < 0) return model_error(model, "primary key column '" + k + "' is not a column of " + src.name);
    ev->primary_key_.push_back(i);
    ev->needed_[static_cast<std::size_t>(i)] = true;
  }
  ev->cursor_ = index_of(src, src.cursor);
  if (ev->cursor_ >= 0) ev->needed_[static_cast<std::size_t>(ev->cursor_)] = true;

  for (const auto& l : model.lookups) {
    const auto it = current.find(l.table);
    if (it == current.end())
      return model_error(model, "lookup." + l.name + ": table '" + l.table + "' is not kept");
    std::vector<LookupIndex::Part> parts;
    for (std::size_t k = 0; k < l.on.size(); ++k) {
      const auto& [from, to] = l.on[k];
      LookupIndex::Part part;
      const SourceTable* from_table = &src;
      const std::string via = k < l.on_lookup.size() ? l.on_lookup[k] : "";
      if (!via.empty()) {
        for (std::size_t j = 0; j < ev->lookups_.size(); ++j) {
          if (ev->lookups_[j]->lookup().name == via) part.lookup = static_cast<int>(j);
        }
        if (part.lookup < 0)
          return model_error(model, "lookup." + l.name + ".on: unknown lookup '" + via + "'");
        from_table = ev->lookups_[static_cast<std::size_t>(part.lookup)]->table().source;
      }
      part.column = index_of(*from_table, from);
      if (part.column < 0 || index_of(*it->second.source, to) < 0) {
        return model_error(
            model, "lookup." + l.name + ".on: unknown column '" + (part.column < 0 ? from : to) + "'");
      }
      if (part.lookup < 0) ev->needed_[static_cast<std::size_t>(part.column)] = true;
      parts.push_back(part);
    }
    ev->lookups_.push_back(std::make_unique<LookupIndex>(l, it->second, std::move(parts)));
  }

  for (const auto& mc : model.columns) {
    if (mc.name == model.surrogate_key && !model.surrogate_key.empty()) continue;
    Column c;
    c.model = &mc;
    const auto& e = mc.expr;
    if (e.kind == ColumnExpr::Kind::Calendar) {
      return model_error(model, "column." + mc.name + ": a calendar part outside a calendar model");
    }
    if (e.kind != ColumnExpr::Kind::Constant) {
      const SourceTable* table = &src;
      if (!e.lookup.empty()) {
        for (std::size_t i = 0; i < ev->lookups_.size(); ++i) {
          if (ev->lookups_[i]->lookup().name == e.lookup) c.lookup = static_cast<int>(i);
        }
        if (c.lookup < 0)
          return model_error(model, "column." + mc.name + ": unknown lookup '" + e.lookup + "'");
        table = ev->lookups_[static_cast<std::size_t>(c.lookup)]->table().source;
      }
      c.index = index_of(*table, e.column);
      if (c.index < 0) return model_error(model, "column." + mc.name + ": unknown column '" + e.column + "'");
      c.type = table->columns[static_cast<std::size_t>(c.index)].type;
      if (c.lookup < 0) ev->needed_[static_cast<std::size_t>(c.index)] = true;
    }
    const std::size_t out_index = ev->columns_.size();
    if (!mc.references_table.empty() && mc.parquet.type == LogicalType::Date) {
      const Model* target = dataset.model(mc.references_table);
      if (target && target->kind == ModelKind::Calendar)
        ev->calendar_columns_.emplace_back(out_index, target->table);
    }
    ev->columns_.push_back(c);
  }
  if (ev->columns_.size() != ev->schema_.columns.size()) {
    return model_error(model, "the Parquet schema has " + std::to_string(ev->schema_.columns.size()) +
                                  " columns, the model " + std::to_string(ev->columns_.size()));
  }
  std::vector<std::string> unique = model.unique_key;
  if (unique.empty()) {
    unique = model.natural_key;
    if (model.kind == ModelKind::Fact)
      unique.insert(unique.end(), model.version_columns.begin(), model.version_columns.end());
  }
  for (const auto& u : unique) {
    bool found = false;
    for (std::size_t i = 0; i < ev->schema_.columns.size(); ++i) {
      if (ev->schema_.columns[i].name == u) {
        ev->unique_columns_.push_back(i);
        found = true;
      }
    }
    if (!found) return model_error(model, "unique_key: unknown column '" + u + "'");
  }
  return ev;
}

bool Evaluator::resolve(const std::vector<Value>& values, std::vector<const CurrentRow*>& rows,
                        std::string& scratch, Problem& problem) const {
  rows.assign(lookups_.size(), nullptr);
  for (std::size_t l = 0; l < lookups_.size(); ++l) {
    const LookupIndex& li = *lookups_[l];
    scratch.clear();
    bool null_key = false;
    for (const auto& part : li.parts()) {
      const Value* v = nullptr;
      if (part.lookup < 0) {
        v = &values[static_cast<std::size_t>(part.column)];
      } else {
        const CurrentRow* via = rows[static_cast<std::size_t>(part.lookup)];
        if (!via) {
          null_key = true;
          break;
        }
        v = &via->values[static_cast<std::size_t>(part.column)];
      }
      if (v->kind == Value::Kind::Null || v->kind == Value::Kind::Missing) {
        null_key = true;
        break;
      }
      append_key(scratch, *v);
    }
    if (null_key) continue;  // no row: its columns read as null
    rows[l] = li.find(scratch);
    if (rows[l]) continue;
    std::string cols, vals;
    for (std::size_t k = 0; k < li.parts().size(); ++k) {
      const auto& part = li.parts()[k];
      const SourceTable& t =
          part.lookup < 0 ? *source_ : *lookups_[static_cast<std::size_t>(part.lookup)]->table().source;
      const Value& v =
          part.lookup < 0
              ? values[static_cast<std::size_t>(part.column)]
              : rows[static_cast<std::size_t>(part.lookup)]->values[static_cast<std::size_t>(part.column)];
      cols += (k ? "," : "") + (part.lookup < 0 ? "" : t.name + ".") +
              t.columns[static_cast<std::size_t>(part.column)].name;
      vals += (k ? "," : "") + value_text(v);
    }
    problem.column = cols;
    problem.value = vals;
    problem.reason =
        "lookup miss: no " + li.table().source->name + " row with that key (" + model_->table + ")";
    return false;
  }
  return true;
}

bool Evaluator::evaluate(const std::vector<Value>& values, std::vector<OutValue>& out, std::string& scratch,
                         Problem& problem) const {
  thread_local std::vector<const CurrentRow*> rows;
  if (!lookups_.empty() && !resolve(values, rows, scratch, problem)) return false;
  out.resize(columns_.size());
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const Column& c = columns_[i];
    const ModelColumn& mc = *c.model;
    const auto& col = schema_.columns[i];
    const auto& e = mc.expr;
    OutValue& o = out[i];
    o = OutValue{};
    std::string reason;
    // The column named in messages: the source's, or "<lookup table>.<column>".
    auto column_name = [&]() -> std::string {
      if (c.lookup < 0) return source_->columns[static_cast<std::size_t>(c.index < 0 ? 0 : c.index)].name;
      return lookups_[static_cast<std::size_t>(c.lookup)]->table().source->name + "." + e.column;
    };
    auto bad = [&](std::string column, std::string value, std::string why) {
      problem.column = std::move(column);
      problem.value = std::move(value);
      problem.reason = std::move(why) + " (" + model_->table + "." + mc.name + ")";
      return false;
    };
    if (e.kind == ColumnExpr::Kind::Constant) {
      if (!convert_text(e.constant, col, o, reason))
        return bad(mc.name, e.constant, "bad constant: " + reason);
      continue;
    }
    const Value* v = nullptr;
    static const Value kNull{Value::Kind::Null, 0, 0, {}};
    if (c.lookup >= 0) {
      const CurrentRow* row = rows[static_cast<std::size_t>(c.lookup)];
      v = row ? &row->values[static_cast<std::size_t>(c.index)] : &kNull;
    } else {
      v = &values[static_cast<std::size_t>(c.index)];
    }
    if (v->kind == Value::Kind::Null || v->kind == Value::Kind::Missing) {
      if (e.if_null) {
        if (!convert_text(*e.if_null, col, o, reason))
          return bad(column_name(), *e.if_null, "bad if_null: " + reason);
        continue;
      }
      if (!col.nullable) return bad(column_name(), "null", "null in a NOT NULL column");
      o.null = true;
      continue;
    }
    bool ok = true;
    switch (e.kind) {
      case ColumnExpr::Kind::Copy:
        ok = convert_value(*v, c.type, col, o, reason);
        break;
      case ColumnExpr::Kind::TimestampDate:
      case ColumnExpr::Kind::TimestampTime: {
        std::int64_t us = 0;
        if (v->kind != Value::Kind::Text) {
          ok = set_error(reason, ValueError::BadTimestampFormat);
          break;
        }
        if (auto err = parse_timestamp_micros(v->text, us); err != ValueError::None) {
          ok = set_error(reason, err);
          break;
        }
        if (e.kind == ColumnExpr::Kind::TimestampDate) {
          o.i = timestamp_date_days(us);
        } else {
          const std::int64_t t = timestamp_time_micros(us);
          o.i = col.type == LogicalType::TimeMillis ? t / 1000 : t;
        }
        break;
      }
      case ColumnExpr::Kind::ParseDate: {
        std::int32_t d = 0;
        if (v->kind != Value::Kind::Text) {
          ok = set_error(reason, ValueError::BadDateFormat);
        } else if (auto err = parse_date_days(v->text, d); err != ValueError::None) {
          ok = set_error(reason, err);
        } else {
          o.i = d;
        }
        break;
      }
      case ColumnExpr::Kind::Map: {
        const std::string number = v->kind == Value::Kind::Text ? std::string() : value_text(*v);
        const std::string_view label = v->kind == Value::Kind::Text ? v->text : std::string_view(number);
        const std::string* to = nullptr;
        for (const auto& [from, target] : e.map) {
          if (from == label) to = &target;
        }
        if (!to) return bad(column_name(), std::string(label), "unknown label: not in the model's map");
        ok = convert_text(*to, col, o, reason);
        break;
      }
      case ColumnExpr::Kind::Constant:
      case ColumnExpr::Kind::Calendar:
        break;
    }
    if (!ok) return bad(column_name(), value_text(*v), "bad value: " + reason);
  }
  return true;
}

parquet::ColumnBatch empty_batch(const parquet::Schema& schema) {
  parquet::ColumnBatch b;
  b.columns.resize(schema.columns.size());
  return b;
}

void append_row(const parquet::Schema& schema, const std::vector<OutValue>& row,
                parquet::ColumnBatch& batch) {
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    auto& c = batch.columns[i];
    const OutValue& v = row[i];
    if (v.null) {
      if (c.valid.empty()) c.valid.assign(batch.rows, 1);
      c.valid.push_back(0);
    } else if (!c.valid.empty()) {
      c.valid.push_back(1);
    }
    switch (schema.columns[i].type) {
      case LogicalType::String:
        if (!v.null) c.bytes.append(v.s);
        c.offsets.push_back(static_cast<std::uint32_t>(c.bytes.size()));
        break;
      case LogicalType::Double:
        c.doubles.push_back(v.null ? 0.0 : v.d);
        break;
      default:
        c.ints.push_back(v.null ? 0 : v.i);
    }
  }
  ++batch.rows;
}

std::uint64_t row_key_hash(const std::vector<OutValue>& row, const std::vector<std::size_t>& columns) {
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  for (std::size_t c : columns) {
    const OutValue& v = row[c];
    if (v.null)
      h = mix(h, 0x5bd1e995);
    else if (!v.s.empty())
      h = mix(h, std::hash<std::string_view>{}(v.s));
    else {
      std::uint64_t bits = 0;
      std::memcpy(&bits, &v.d, sizeof bits);
      h = mix(mix(h, static_cast<std::uint64_t>(v.i)), bits);
    }
  }
  return h;
}

std::string row_key_text(const parquet::Schema& schema, const std::vector<OutValue>& row,
                         const std::vector<std::size_t>& columns) {
  std::string out;
  for (std::size_t c : columns) {
    const auto& col = schema.columns[c];
    const OutValue& v = row[c];
    out += (out.empty() ? "" : ", ") + col.name + "=";
    if (v.null)
      out += "null";
    else if (col.type == LogicalType::String)
      out += std::string(v.s);
    else if (col.type == LogicalType::Double)
      out += std::to_string(v.d);
    else if (col.type == LogicalType::Date)
      out += format_date(v.i);
    else if (col.type == LogicalType::TimeMicros)
      out += format_time(v.i);
    else if (col.type == LogicalType::TimeMillis)
      out += format_time(v.i * 1000);
    else if (is_integer_like(col.type))
      out += std::to_string(v.i);
  }
  return out;
}

}  // namespace dwh::transform::detail
