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

// Converters of one landed value to one output type, the pieces of convert_value (a per-record
// hot path: file-local so the compiler inlines them into its switch). Each fills `out` or sets
// `reason` and returns false.

bool to_int32(const Value& v, OutValue& out, std::string& reason) {
  std::int32_t x = 0;
  ValueError e = v.kind == Value::Kind::Int    ? check_int32(v.i, x)
                 : v.kind == Value::Kind::Text ? parse_int32(v.text, x)
                                               : ValueError::BadNumber;
  if (e != ValueError::None) return set_error(reason, e);
  out.i = x;
  return true;
}

bool to_int64(const Value& v, OutValue& out, std::string& reason) {
  if (v.kind == Value::Kind::Int) {
    out.i = v.i;
    return true;
  }
  if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadNumber);
  if (auto e = parse_int64(v.text, out.i); e != ValueError::None) return set_error(reason, e);
  return true;
}

bool to_double(const Value& v, OutValue& out, std::string& reason) {
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

bool to_decimal(const Value& v, const parquet::ColumnSchema& col, OutValue& out, std::string& reason) {
  ValueError e = v.kind == Value::Kind::Int    ? integer_to_decimal(v.i, col.precision, col.scale, out.i)
                 : v.kind == Value::Kind::Text ? parse_decimal(v.text, col.precision, col.scale, out.i)
                                               : ValueError::BadNumber;
  if (e != ValueError::None) return set_error(reason, e);
  return true;
}

// Dates and times land as text only (a number is not taken as one).

// A landed timestamp in microseconds since the epoch.
bool text_timestamp(const Value& v, std::int64_t& us, std::string& reason) {
  if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadTimestampFormat);
  if (auto e = parse_timestamp_micros(v.text, us); e != ValueError::None) return set_error(reason, e);
  return true;
}

// A landed date ("YYYY-MM-DD") in days since the epoch.
bool text_date(const Value& v, OutValue& out, std::string& reason) {
  if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadDateFormat);
  std::int32_t d = 0;
  if (auto e = parse_date_days(v.text, d); e != ValueError::None) return set_error(reason, e);
  out.i = d;
  return true;
}

// The time of day of a timestamp, in the unit of the output column.
std::int64_t time_of_day(std::int64_t us, LogicalType type) {
  const std::int64_t t = timestamp_time_micros(us);
  return type == LogicalType::TimeMillis ? t / 1000 : t;
}

// A date column takes a date, or the day of a timestamp when the source column is one.
bool to_date(const Value& v, SourceType type, OutValue& out, std::string& reason) {
  if (v.kind != Value::Kind::Text) return set_error(reason, ValueError::BadDateFormat);
  if (type != SourceType::Timestamp) return text_date(v, out, reason);
  std::int64_t us = 0;
  if (!text_timestamp(v, us, reason)) return false;
  out.i = timestamp_date_days(us);
  return true;
}

bool to_timestamp(const Value& v, LogicalType type, OutValue& out, std::string& reason) {
  std::int64_t us = 0;
  if (!text_timestamp(v, us, reason)) return false;
  out.i = type == LogicalType::TimestampMillis ? us / 1000 : us;
  return true;
}

bool to_time(const Value& v, LogicalType type, OutValue& out, std::string& reason) {
  std::int64_t us = 0;
  if (!text_timestamp(v, us, reason)) return false;
  out.i = time_of_day(us, type);
  return true;
}

// The landed value as the output column's type (Copy, and the inputs of the other kinds).
bool convert_value(const Value& v, SourceType type, const parquet::ColumnSchema& col, OutValue& out,
                   std::string& reason) {
  switch (col.type) {
    case LogicalType::Int32:
      return to_int32(v, out, reason);
    case LogicalType::Int64:
      return to_int64(v, out, reason);
    case LogicalType::Boolean:
      if (v.kind != Value::Kind::Bool) {
        reason = "not a boolean";
        return false;
      }
      out.i = v.i;
      return true;
    case LogicalType::Double:
      return to_double(v, out, reason);
    case LogicalType::String:
      if (v.kind == Value::Kind::Bool)
        out.s = v.i ? "true" : "false";
      else
        out.s = v.text;
      return true;
    case LogicalType::Date:
      return to_date(v, type, out, reason);
    case LogicalType::TimestampMicros:
    case LogicalType::TimestampMillis:
      return to_timestamp(v, col.type, out, reason);
    case LogicalType::TimeMicros:
    case LogicalType::TimeMillis:
      return to_time(v, col.type, out, reason);
    case LogicalType::Decimal:
      return to_decimal(v, col, out, reason);
  }
  reason = "unsupported output type";
  return false;
}

// What a column of a lookup that found no row reads.
constexpr Value kNullValue{Value::Kind::Null, 0, 0, {}};

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
  auto ev = std::make_unique<Evaluator>();
  ev->model_ = &model;
  ev->source_ = dataset.source(model.source);
  if (!ev->source_) return model_error(model, "source: unknown source table '" + model.source + "'");
  ev->schema_ = parquet_schema(model);
  ev->needed_.assign(ev->source_->columns.size(), false);
  // In this order: the columns may read lookups, and lookups may read earlier lookups.
  if (auto s = ev->index_keys(); !s) return std::move(s).error();
  if (auto s = ev->index_lookups(current); !s) return std::move(s).error();
  if (auto s = ev->index_columns(dataset); !s) return std::move(s).error();
  if (auto s = ev->index_unique_key(); !s) return std::move(s).error();
  return ev;
}

Status Evaluator::index_keys() {
  const SourceTable& src = *source_;
  for (const auto& k : src.primary_key) {
    const int i = index_of(src, k);
    if (i < 0) return model_error(*model_, "primary key column '" + k + "' is not a column of " + src.name);
    primary_key_.push_back(i);
    needed_[static_cast<std::size_t>(i)] = true;
  }
  cursor_ = index_of(src, src.cursor);
  if (cursor_ >= 0) needed_[static_cast<std::size_t>(cursor_)] = true;
  return {};
}

int Evaluator::lookup_named(std::string_view name) const {
  int found = -1;
  for (std::size_t j = 0; j < lookups_.size(); ++j) {
    if (lookups_[j]->lookup().name == name) found = static_cast<int>(j);
  }
  return found;
}

Status Evaluator::index_lookups(const std::map<std::string, CurrentTable>& current) {
  for (const auto& l : model_->lookups) {
    const auto it = current.find(l.table);
    if (it == current.end())
      return model_error(*model_, "lookup." + l.name + ": table '" + l.table + "' is not kept");
    auto parts = lookup_parts(l, *it->second.source);
    if (!parts) return std::move(parts).error();
    lookups_.push_back(std::make_unique<LookupIndex>(l, it->second, std::move(parts).value()));
  }
  return {};
}

Result<std::vector<LookupIndex::Part>> Evaluator::lookup_parts(const Lookup& l, const SourceTable& target) {
  std::vector<LookupIndex::Part> parts;
  for (std::size_t k = 0; k < l.on.size(); ++k) {
    const auto& [from, to] = l.on[k];
    LookupIndex::Part part;
    const SourceTable* from_table = source_;
    const std::string via = k < l.on_lookup.size() ? l.on_lookup[k] : "";
    if (!via.empty()) {
      part.lookup = lookup_named(via);
      if (part.lookup < 0)
        return model_error(*model_, "lookup." + l.name + ".on: unknown lookup '" + via + "'");
      from_table = lookups_[static_cast<std::size_t>(part.lookup)]->table().source;
    }
    part.column = index_of(*from_table, from);
    if (part.column < 0 || index_of(target, to) < 0) {
      return model_error(*model_,
                         "lookup." + l.name + ".on: unknown column '" + (part.column < 0 ? from : to) + "'");
    }
    if (part.lookup < 0) needed_[static_cast<std::size_t>(part.column)] = true;
    parts.push_back(part);
  }
  return parts;
}

Status Evaluator::index_columns(const Dataset& dataset) {
  const Model& model = *model_;
  for (const auto& mc : model.columns) {
    if (mc.name == model.surrogate_key && !model.surrogate_key.empty()) continue;
    auto c = resolve_column(mc);
    if (!c) return std::move(c).error();
    const std::size_t out_index = columns_.size();
    if (!mc.references_table.empty() && mc.parquet.type == LogicalType::Date) {
      const Model* target = dataset.model(mc.references_table);
      if (target && target->kind == ModelKind::Calendar)
        calendar_columns_.emplace_back(out_index, target->table);
    }
    columns_.push_back(*c);
  }
  if (columns_.size() != schema_.columns.size()) {
    return model_error(model, "the Parquet schema has " + std::to_string(schema_.columns.size()) +
                                  " columns, the model " + std::to_string(columns_.size()));
  }
  return {};
}

Result<Evaluator::Column> Evaluator::resolve_column(const ModelColumn& mc) {
  Column c;
  c.model = &mc;
  const auto& e = mc.expr;
  if (e.kind == ColumnExpr::Kind::Calendar) {
    return model_error(*model_, "column." + mc.name + ": a calendar part outside a calendar model");
  }
  if (e.kind == ColumnExpr::Kind::Constant) return c;
  const SourceTable* table = source_;
  if (!e.lookup.empty()) {
    c.lookup = lookup_named(e.lookup);
    if (c.lookup < 0)
      return model_error(*model_, "column." + mc.name + ": unknown lookup '" + e.lookup + "'");
    table = lookups_[static_cast<std::size_t>(c.lookup)]->table().source;
  }
  c.index = index_of(*table, e.column);
  if (c.index < 0) return model_error(*model_, "column." + mc.name + ": unknown column '" + e.column + "'");
  c.type = table->columns[static_cast<std::size_t>(c.index)].type;
  if (c.lookup < 0) needed_[static_cast<std::size_t>(c.index)] = true;
  return c;
}

Status Evaluator::index_unique_key() {
  const Model& model = *model_;
  std::vector<std::string> unique = model.unique_key;
  if (unique.empty()) {
    unique = model.natural_key;
    if (model.kind == ModelKind::Fact)
      unique.insert(unique.end(), model.version_columns.begin(), model.version_columns.end());
  }
  for (const auto& u : unique) {
    bool found = false;
    for (std::size_t i = 0; i < schema_.columns.size(); ++i) {
      if (schema_.columns[i].name == u) {
        unique_columns_.push_back(i);
        found = true;
      }
    }
    if (!found) return model_error(model, "unique_key: unknown column '" + u + "'");
  }
  return {};
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
    const auto& col = schema_.columns[i];
    const auto& e = c.model->expr;
    OutValue& o = out[i];
    o = OutValue{};
    if (e.kind == ColumnExpr::Kind::Constant) {
      std::string reason;
      if (!convert_text(e.constant, col, o, reason))
        return reject(c, c.model->name, e.constant, "bad constant: " + reason, problem);
      continue;
    }
    const Value* v = &kNullValue;  // a lookup that found no row reads as null
    if (c.lookup < 0) {
      v = &values[static_cast<std::size_t>(c.index)];
    } else if (const CurrentRow* row = rows[static_cast<std::size_t>(c.lookup)]) {
      v = &row->values[static_cast<std::size_t>(c.index)];
    }
    const bool ok = v->kind == Value::Kind::Null || v->kind == Value::Kind::Missing
                        ? take_null(c, col, o, problem)
                        : apply_expression(c, col, *v, o, problem);
    if (!ok) return false;
  }
  return true;
}

inline bool Evaluator::take_null(const Column& c, const parquet::ColumnSchema& col, OutValue& o,
                                 Problem& problem) const {
  const auto& e = c.model->expr;
  if (e.if_null) {
    std::string reason;
    if (!convert_text(*e.if_null, col, o, reason))
      return reject(c, column_name(c), *e.if_null, "bad if_null: " + reason, problem);
    return true;
  }
  if (!col.nullable) return reject(c, column_name(c), "null", "null in a NOT NULL column", problem);
  o.null = true;
  return true;
}

inline bool Evaluator::apply_expression(const Column& c, const parquet::ColumnSchema& col, const Value& v,
                                        OutValue& o, Problem& problem) const {
  const auto& e = c.model->expr;
  std::string reason;
  bool ok = true;
  switch (e.kind) {
    case ColumnExpr::Kind::Copy:
      ok = convert_value(v, c.type, col, o, reason);
      break;
    case ColumnExpr::Kind::TimestampDate:
    case ColumnExpr::Kind::TimestampTime: {
      std::int64_t us = 0;
      ok = text_timestamp(v, us, reason);
      if (ok)
        o.i = e.kind == ColumnExpr::Kind::TimestampDate ? timestamp_date_days(us) : time_of_day(us, col.type);
      break;
    }
    case ColumnExpr::Kind::ParseDate:
      ok = text_date(v, o, reason);
      break;
    case ColumnExpr::Kind::Map: {
      const std::string number = v.kind == Value::Kind::Text ? std::string() : value_text(v);
      const std::string_view label = v.kind == Value::Kind::Text ? v.text : std::string_view(number);
      const std::string* to = nullptr;
      for (const auto& [from, target] : e.map) {
        if (from == label) to = &target;
      }
      if (!to)
        return reject(c, column_name(c), std::string(label), "unknown label: not in the model's map",
                      problem);
      ok = convert_text(*to, col, o, reason);
      break;
    }
    case ColumnExpr::Kind::Constant:
    case ColumnExpr::Kind::Calendar:
      break;
  }
  if (!ok) return reject(c, column_name(c), value_text(v), "bad value: " + reason, problem);
  return true;
}

std::string Evaluator::column_name(const Column& c) const {
  if (c.lookup < 0) return source_->columns[static_cast<std::size_t>(c.index < 0 ? 0 : c.index)].name;
  return lookups_[static_cast<std::size_t>(c.lookup)]->table().source->name + "." + c.model->expr.column;
}

bool Evaluator::reject(const Column& c, std::string column, std::string value, std::string why,
                       Problem& problem) const {
  problem.column = std::move(column);
  problem.value = std::move(value);
  problem.reason = std::move(why) + " (" + model_->table + "." + c.model->name + ")";
  return false;
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
