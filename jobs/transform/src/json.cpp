// One landed JSON line into typed values, with simdjson's on-demand parser: only the columns a
// model needs are decoded; the rest are skipped without being materialised. The structural
// scan (stage 1) runs the kernels the CPU supports, chosen at run time by the library.
#include <simdjson.h>

#include "internal.hpp"

namespace dwh::transform::detail {
namespace {

namespace od = simdjson::ondemand;
static_assert(simdjson::SIMDJSON_PADDING <= kJsonPadding);

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t' ||
                        s.back() == ',' || s.back() == '}')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view type_name(SourceType t) {
  switch (t) {
    case SourceType::Integer:
      return "an integer";
    case SourceType::Decimal:
      return "a decimal";
    case SourceType::Double:
      return "a number";
    case SourceType::Boolean:
      return "a boolean";
    case SourceType::Text:
      return "a string";
    case SourceType::Timestamp:
      return "a timestamp string";
    case SourceType::Date:
      return "a date string";
  }
  return "a value";
}

constexpr std::size_t kMaxRecordInMessage = 300;

// Fills `problem` and returns false: the record is rejected (the cold path).
bool fail(Problem& problem, std::string column, std::string value, std::string reason) {
  problem.column = std::move(column);
  problem.value = std::move(value);
  problem.reason = std::move(reason);
  return false;
}

bool malformed(Problem& problem, std::string_view line, simdjson::error_code e) {
  return fail(problem, "", std::string(line.substr(0, kMaxRecordInMessage)),
              std::string("malformed JSON: ") + simdjson::error_message(e));
}

bool wrong_type(Problem& problem, const SourceColumn& col, std::string_view raw) {
  return fail(problem, col.name, std::string(raw),
              std::string("wrong type: expected ") + std::string(type_name(col.type)));
}

// One non-null field's value as its column's type into `out`. Called once per field of every
// record: file-local with one caller, so it is inlined into the field loop. `raw` is the
// field's JSON text, `line` the record (for messages).
bool decode_value(const SourceColumn& col, od::value& v, od::json_type jt, std::string_view raw,
                  std::string_view line, Value& out, Problem& problem) {
  switch (col.type) {
    case SourceType::Integer: {
      std::int64_t i = 0;
      if (jt != od::json_type::number || v.get_int64().get(i)) return wrong_type(problem, col, raw);
      out.kind = Value::Kind::Int;
      out.i = i;
      out.text = raw;
      return true;
    }
    case SourceType::Decimal: {
      if (jt == od::json_type::number) {
        out.kind = Value::Kind::Text;  // exact text of the number
        out.text = raw;
        return true;
      }
      if (jt != od::json_type::string) return wrong_type(problem, col, raw);
      std::string_view s;
      if (v.get_string().get(s)) return malformed(problem, line, simdjson::STRING_ERROR);
      out.kind = Value::Kind::Text;
      out.text = s;
      return true;
    }
    case SourceType::Double: {
      double d = 0;
      if (jt != od::json_type::number || v.get_double().get(d)) return wrong_type(problem, col, raw);
      out.kind = Value::Kind::Double;
      out.d = d;
      out.text = raw;
      return true;
    }
    case SourceType::Boolean: {
      bool b = false;
      if (jt != od::json_type::boolean || v.get_bool().get(b)) return wrong_type(problem, col, raw);
      out.kind = Value::Kind::Bool;
      out.i = b ? 1 : 0;
      out.text = raw;
      return true;
    }
    case SourceType::Text:
    case SourceType::Timestamp:
    case SourceType::Date: {
      if (jt != od::json_type::string) return wrong_type(problem, col, raw);
      std::string_view s;
      if (v.get_string().get(s)) return malformed(problem, line, simdjson::STRING_ERROR);
      out.kind = Value::Kind::Text;
      out.text = s;
      return true;
    }
  }
  return true;
}

// After the fields: every needed column must have appeared (only searched for when too few did).
bool check_missing(const RecordParser& spec, std::size_t found, const std::vector<Value>& values,
                   Problem& problem) {
  if (found >= spec.needed_count()) return true;
  const auto& cols = spec.table().columns;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (spec.needed(i) && values[i].kind == Value::Kind::Missing)
      return fail(problem, cols[i].name, "", "missing column");
  }
  return true;
}

class SimdLineParser final : public LineParser {
 public:
  explicit SimdLineParser(const RecordParser& spec) : spec_(spec) {}

  bool parse(std::string_view line, std::size_t capacity, std::vector<Value>& values,
             Problem& problem) override {
    const auto& cols = spec_.table().columns;
    values.assign(cols.size(), Value{});
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    od::document doc;
    if (auto e = parser_.iterate(simdjson::padded_string_view(line.data(), line.size(), capacity)).get(doc);
        e) {
      return malformed(problem, line, e);
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj); e) return malformed(problem, line, e);
    std::size_t found = 0;
    std::size_t hint = 0;  // ingest writes the columns in table order: try the next one first
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field); e) return malformed(problem, line, e);
      std::string_view name;
      if (auto e = field.unescaped_key().get(name); e) return malformed(problem, line, e);
      const int idx =
          hint < cols.size() && cols[hint].name == name ? static_cast<int>(hint) : spec_.find(name);
      if (idx < 0) continue;  // a column the model does not know (ingest may land added ones)
      hint = static_cast<std::size_t>(idx) + 1;
      if (!spec_.needed(static_cast<std::size_t>(idx))) continue;
      const SourceColumn& col = cols[static_cast<std::size_t>(idx)];
      Value& out = values[static_cast<std::size_t>(idx)];
      if (out.kind != Value::Kind::Missing)
        return fail(problem, col.name, "", "the column appears twice in the record");
      od::value v = field.value();
      od::json_type jt;
      if (auto e = v.type().get(jt); e) return malformed(problem, line, e);
      std::string_view raw = trim(v.raw_json_token());
      if (jt == od::json_type::null) {
        if (!col.nullable) return fail(problem, col.name, "null", "null in a column that cannot be null");
        out.kind = Value::Kind::Null;
      } else if (!decode_value(col, v, jt, raw, line, out, problem)) {
        return false;
      }
      ++found;
    }
    return check_missing(spec_, found, values, problem);
  }

 private:
  const RecordParser& spec_;
  od::parser parser_;
};

}  // namespace

std::unique_ptr<LineParser> make_line_parser(const RecordParser& spec) {
  return std::make_unique<SimdLineParser>(spec);
}

}  // namespace dwh::transform::detail
