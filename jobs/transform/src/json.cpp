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

class SimdLineParser final : public LineParser {
 public:
  explicit SimdLineParser(const RecordParser& spec) : spec_(spec) {}

  bool parse(std::string_view line, std::size_t capacity, std::vector<Value>& values,
             Problem& problem) override {
    const auto& cols = spec_.table().columns;
    values.assign(cols.size(), Value{});
    auto fail = [&](std::string column, std::string value, std::string reason) {
      problem.column = std::move(column);
      problem.value = std::move(value);
      problem.reason = std::move(reason);
      return false;
    };
    auto malformed = [&](simdjson::error_code e) {
      return fail("", std::string(line.substr(0, kMaxRecordInMessage)),
                  std::string("malformed JSON: ") + simdjson::error_message(e));
    };
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    od::document doc;
    if (auto e = parser_.iterate(simdjson::padded_string_view(line.data(), line.size(), capacity)).get(doc);
        e) {
      return malformed(e);
    }
    od::object obj;
    if (auto e = doc.get_object().get(obj); e) return malformed(e);
    std::size_t found = 0;
    std::size_t hint = 0;  // ingest writes the columns in table order: try the next one first
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field); e) return malformed(e);
      std::string_view name;
      if (auto e = field.unescaped_key().get(name); e) return malformed(e);
      const int idx =
          hint < cols.size() && cols[hint].name == name ? static_cast<int>(hint) : spec_.find(name);
      if (idx < 0) continue;  // a column the model does not know (ingest may land added ones)
      hint = static_cast<std::size_t>(idx) + 1;
      if (!spec_.needed(static_cast<std::size_t>(idx))) continue;
      const SourceColumn& col = cols[static_cast<std::size_t>(idx)];
      Value& out = values[static_cast<std::size_t>(idx)];
      if (out.kind != Value::Kind::Missing)
        return fail(col.name, "", "the column appears twice in the record");
      od::value v = field.value();
      od::json_type jt;
      if (auto e = v.type().get(jt); e) return malformed(e);
      std::string_view raw = trim(v.raw_json_token());
      if (jt == od::json_type::null) {
        if (!col.nullable) return fail(col.name, "null", "null in a column that cannot be null");
        out.kind = Value::Kind::Null;
        ++found;
        continue;
      }
      auto wrong = [&] { return std::string("wrong type: expected ") + std::string(type_name(col.type)); };
      switch (col.type) {
        case SourceType::Integer: {
          if (jt != od::json_type::number) return fail(col.name, std::string(raw), wrong());
          std::int64_t i = 0;
          if (v.get_int64().get(i)) return fail(col.name, std::string(raw), wrong());
          out.kind = Value::Kind::Int;
          out.i = i;
          out.text = raw;
          break;
        }
        case SourceType::Decimal: {
          if (jt == od::json_type::number) {
            out.kind = Value::Kind::Text;  // exact text of the number
            out.text = raw;
          } else if (jt == od::json_type::string) {
            std::string_view s;
            if (v.get_string().get(s)) return malformed(simdjson::STRING_ERROR);
            out.kind = Value::Kind::Text;
            out.text = s;
          } else {
            return fail(col.name, std::string(raw), wrong());
          }
          break;
        }
        case SourceType::Double: {
          if (jt != od::json_type::number) return fail(col.name, std::string(raw), wrong());
          double d = 0;
          if (v.get_double().get(d)) return fail(col.name, std::string(raw), wrong());
          out.kind = Value::Kind::Double;
          out.d = d;
          out.text = raw;
          break;
        }
        case SourceType::Boolean: {
          if (jt != od::json_type::boolean) return fail(col.name, std::string(raw), wrong());
          bool b = false;
          if (v.get_bool().get(b)) return fail(col.name, std::string(raw), wrong());
          out.kind = Value::Kind::Bool;
          out.i = b ? 1 : 0;
          out.text = raw;
          break;
        }
        case SourceType::Text:
        case SourceType::Timestamp:
        case SourceType::Date: {
          if (jt != od::json_type::string) return fail(col.name, std::string(raw), wrong());
          std::string_view s;
          if (v.get_string().get(s)) return malformed(simdjson::STRING_ERROR);
          out.kind = Value::Kind::Text;
          out.text = s;
          break;
        }
      }
      ++found;
    }
    if (found < spec_.needed_count()) {
      for (std::size_t i = 0; i < cols.size(); ++i) {
        if (spec_.needed(i) && values[i].kind == Value::Kind::Missing)
          return fail(cols[i].name, "", "missing column");
      }
    }
    return true;
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
