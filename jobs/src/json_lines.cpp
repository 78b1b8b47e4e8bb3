#include "dwh/jobs/json_lines.hpp"

#include <array>

namespace dwh::jobs {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  if (c < 0x20 || c == 0x7f) {
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
    return;
  }
  out += static_cast<char>(c);
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// COPY text escapes (\b \f \n \r \t \v \\ \ddd \xhh; anything else stands for itself) decoded,
// each resulting byte handed to `emit`.
template <class Emit>
void decode_copy_field(std::string_view f, Emit emit) {
  for (std::size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    if (c != '\\' || i + 1 == f.size()) {
      emit(static_cast<unsigned char>(c));
      continue;
    }
    const char e = f[++i];
    switch (e) {
      case 'b': emit('\b'); break;
      case 'f': emit('\f'); break;
      case 'n': emit('\n'); break;
      case 'r': emit('\r'); break;
      case 't': emit('\t'); break;
      case 'v': emit('\v'); break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < f.size() && hex_value(f[i + 1]) >= 0) v = v * 16 + hex_value(f[++i]), ++n;
        if (n == 0) emit('x'); else emit(static_cast<unsigned char>(v));
        break;
      }
      default:
        if (is_octal(e)) {
          int v = e - '0', n = 1;
          while (n < 3 && i + 1 < f.size() && is_octal(f[i + 1])) v = v * 8 + (f[++i] - '0'), ++n;
          emit(static_cast<unsigned char>(v & 0xff));
        } else {
          emit(static_cast<unsigned char>(e));
        }
    }
  }
}

void append_text(std::string& out, std::string_view field) {
  out += '"';
  if (field.find('\\') == std::string_view::npos) {
    append_json_escaped(out, field);
  } else {
    decode_copy_field(field, [&](unsigned char c) { append_escaped_byte(out, c); });
  }
  out += '"';
}

bool is_digits(std::string_view s) {
  for (char c : s) if (c < '0' || c > '9') return false;
  return !s.empty();
}

// "2024-11-14 09:30:20.5" -> 2024-11-14T09:30:20.500 (returned without quotes); false when the
// text is not of that shape (infinity, BC dates, years past 9999), which then stays verbatim.
bool iso_timestamp(std::string_view t, bool with_zone, std::string& iso) {
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':') return false;
  if (!is_digits(t.substr(0, 4)) || !is_digits(t.substr(17, 2))) return false;
  iso.assign(t.substr(0, 10));
  iso += 'T';
  iso.append(t.substr(11, 8));
  std::size_t i = 19;
  std::size_t digits = 0;
  iso += '.';
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') iso += t[i++], ++digits;
  }
  for (; digits < 3; ++digits) iso += '0';
  const std::string_view zone = t.substr(i);
  if (with_zone) {
    if (zone == "+00") {
      iso += 'Z';
    } else if (zone.size() == 3 && (zone[0] == '+' || zone[0] == '-')) {
      iso.append(zone);
      iso += ":00";
    } else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
      iso.append(zone);
    } else {
      return false;
    }
  } else if (!zone.empty()) {
    return false;
  }
  return true;
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
    out.append(s.substr(start, i - start));
    append_escaped_byte(out, c);
    start = i + 1;
  }
  out.append(s.substr(start));
}

ColumnKind column_kind_for_type(std::string_view t) {
  if (t == "int2" || t == "int4" || t == "int8" || t == "oid") return ColumnKind::Integer;
  if (t == "numeric") return ColumnKind::Decimal;
  if (t == "float4" || t == "float8") return ColumnKind::Float;
  if (t == "bool") return ColumnKind::Bool;
  if (t == "timestamp") return ColumnKind::Timestamp;
  if (t == "timestamptz") return ColumnKind::TimestampTz;
  if (t == "date") return ColumnKind::Date;
  if (t == "json" || t == "jsonb") return ColumnKind::Json;
  return ColumnKind::Text;
}

void CursorRange::add(std::string_view v) {
  if (max.empty() || v > max) max.assign(v);
  if (min.empty() || v < min) min.assign(v);
}

void CursorRange::merge(const CursorRange& o) {
  if (o.empty()) return;
  add(o.min);
  add(o.max);
}

JsonLinesEncoder::JsonLinesEncoder(std::vector<ColumnSpec> columns, int cursor_column)
    : columns_(std::move(columns)), cursor_column_(cursor_column) {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    std::string p = i == 0 ? "{\"" : ",\"";
    append_json_escaped(p, columns_[i].name);
    p += "\":";
    prefixes_.push_back(std::move(p));
  }
}

Result<std::uint64_t> JsonLinesEncoder::encode(std::string_view text, std::string& out, CursorRange& range) const {
  std::uint64_t rows = 0;
  std::string iso;
  std::string decoded;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const auto tab = line.find('\t');
      if ((tab == std::string_view::npos) != (c + 1 == columns_.size())) {
        return make_error("BadCopyData", "COPY row " + std::to_string(rows + 1) + " does not have " +
                                             std::to_string(columns_.size()) + " fields");
      }
      const std::string_view f = line.substr(0, tab);
      line.remove_prefix(tab == std::string_view::npos ? line.size() : tab + 1);
      out += prefixes_[c];
      if (f == "\\N") {
        out += "null";
        continue;
      }
      std::string_view cursor_value = f;
      switch (columns_[c].kind) {
        case ColumnKind::Integer:
          out.append(f);
          break;
        case ColumnKind::Float:
          if (f == "NaN" || f == "Infinity" || f == "-Infinity") append_text(out, f); else out.append(f);
          break;
        case ColumnKind::Bool:
          out += f == "t" ? "true" : "false";
          break;
        case ColumnKind::Timestamp:
        case ColumnKind::TimestampTz:
          if (iso_timestamp(f, columns_[c].kind == ColumnKind::TimestampTz, iso)) {
            out += '"';
            out += iso;
            out += '"';
            cursor_value = iso;
          } else {
            append_text(out, f);
          }
          break;
        case ColumnKind::Json:
          decoded.clear();
          decode_copy_field(f, [&](unsigned char ch) { decoded += static_cast<char>(ch); });
          out += decoded;
          break;
        case ColumnKind::Decimal:
        case ColumnKind::Date:
        case ColumnKind::Text:
          append_text(out, f);
          break;
      }
      if (static_cast<int>(c) == cursor_column_) range.add(cursor_value);
    }
    out += "}\n";
    ++rows;
  }
  return rows;
}

}  // namespace dwh::jobs
