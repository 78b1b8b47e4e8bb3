// Which source columns a model reads, record identities (keys) and owned current rows.
#include <cstring>

#include "internal.hpp"

namespace dwh::transform::detail {

int RecordParser::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

RecordParser::RecordParser(const SourceTable& table, std::vector<bool> needed)
    : table_(&table), needed_(std::move(needed)) {
  if (needed_.empty()) needed_.assign(table.columns.size(), true);
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    index_[table.columns[i].name] = static_cast<int>(i);
    if (needed_[i]) ++needed_count_;
  }
}

void append_key(std::string& out, const Value& v) {
  switch (v.kind) {
    case Value::Kind::Int:
    case Value::Kind::Bool: {
      out += 'i';
      char b[8];
      std::memcpy(b, &v.i, 8);
      out.append(b, 8);
      break;
    }
    case Value::Kind::Double: {
      out += 'd';
      char b[8];
      std::memcpy(b, &v.d, 8);
      out.append(b, 8);
      break;
    }
    case Value::Kind::Text:
      out += 's';
      out.append(v.text);
      out += '\0';
      break;
    default:
      out += 'n';
  }
}

std::string key_of(const std::vector<Value>& values, const std::vector<int>& columns) {
  std::string k;
  for (int c : columns) append_key(k, values[static_cast<std::size_t>(c)]);
  return k;
}

std::string value_text(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Missing:
      return "(missing)";
    case Value::Kind::Null:
      return "null";
    case Value::Kind::Bool:
      return v.i ? "true" : "false";
    case Value::Kind::Int:
      return std::to_string(v.i);
    default:
      return std::string(v.text);
  }
}

bool parse_current_row(LineParser& parser, std::string_view line, CurrentRow& row, Problem& problem) {
  row.line.assign(line);
  std::string padded(line);
  padded.append(kJsonPadding, '\0');
  std::vector<Value> values;
  if (!parser.parse(std::string_view(padded.data(), line.size()), padded.size(), values, problem))
    return false;
  // Own the text: first gather it, then point the values at the final buffer.
  row.storage.clear();
  std::vector<std::pair<std::size_t, std::size_t>> spans(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    spans[i] = {row.storage.size(), values[i].text.size()};
    row.storage.append(values[i].text);
  }
  row.values = std::move(values);
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    row.values[i].text = std::string_view(row.storage).substr(spans[i].first, spans[i].second);
  }
  return true;
}

}  // namespace dwh::transform::detail
