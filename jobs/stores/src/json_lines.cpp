#include "dwh/stores/json_lines.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace dwh::stores {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    default:
      break;
  }
  if (c < 0x20 || c == 0x7f) {
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
    return;
  }
  out += static_cast<char>(c);
}

bool is_octal(char c) {
  return c >= '0' && c <= '7';
}
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
      case 'b':
        emit('\b');
        break;
      case 'f':
        emit('\f');
        break;
      case 'n':
        emit('\n');
        break;
      case 'r':
        emit('\r');
        break;
      case 't':
        emit('\t');
        break;
      case 'v':
        emit('\v');
        break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < f.size() && hex_value(f[i + 1]) >= 0) v = v * 16 + hex_value(f[++i]), ++n;
        if (n == 0)
          emit('x');
        else
          emit(static_cast<unsigned char>(v));
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

char* put(char* w, std::string_view s) {
  std::memcpy(w, s.data(), s.size());
  return w + s.size();
}

// Bytes a field must not be copied verbatim with: COPY's escape character and what JSON escapes.
constexpr std::array<bool, 256> kNeedsCare = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  t['\\'] = t['"'] = t[0x7f] = true;
  return t;
}();

// The most output one input byte can become: a control byte written as \u00XX.
constexpr std::size_t kMaxBytesPerInputByte = 6;
// Per field on top of that: quotes, and what a short value can grow into ("t" -> false).
constexpr std::size_t kMaxFieldOverhead = 8;
constexpr std::size_t kMinGrowth = 64u << 10;

bool is_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// "2024-11-14 09:30:20.5" -> "2024-11-14T09:30:20.500" (with the quotes) written at `w`; returns
// the end of what it wrote, or nullptr when the text is not of that shape (infinity, BC dates,
// years past 9999), which then stays verbatim.
char* put_iso_timestamp(char* w, std::string_view t, bool with_zone) {
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':')
    return nullptr;
  if (!is_digits(t.substr(0, 4)) || !is_digits(t.substr(17, 2))) return nullptr;
  *w++ = '"';
  std::memcpy(w, t.data(), 19);
  w[10] = 'T';
  w += 19;
  *w++ = '.';
  std::size_t i = 19;
  std::size_t digits = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') *w++ = t[i++], ++digits;
  }
  for (; digits < 3; ++digits) *w++ = '0';
  const std::string_view zone = t.substr(i);
  if (with_zone) {
    if (zone == "+00") {
      *w++ = 'Z';
    } else if (zone.size() == 3 && (zone[0] == '+' || zone[0] == '-')) {
      w = put(w, zone);
      w = put(w, ":00");
    } else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
      w = put(w, zone);
    } else {
      return nullptr;
    }
  } else if (!zone.empty()) {
    return nullptr;
  }
  *w++ = '"';
  return w;
}

// One non-null value as JSON at w, returning the end of what was written: numbers and booleans
// bare, timestamps in ISO form, json as is, the rest as strings. `plain`: the field has nothing
// COPY or JSON would escape. `scratch` is reused across calls to spare allocations.
char* put_value(char* w, ColumnKind kind, std::string_view field, bool plain, std::string& scratch) {
  switch (kind) {
    case ColumnKind::Integer:
      w = put(w, field);
      break;
    case ColumnKind::Float:
      if (field == "NaN" || field == "Infinity" || field == "-Infinity") {
        *w++ = '"';
        w = put(w, field);
        *w++ = '"';
      } else {
        w = put(w, field);
      }
      break;
    case ColumnKind::Bool:
      w = field == "t" ? put(w, "true") : put(w, "false");
      break;
    case ColumnKind::Timestamp:
    case ColumnKind::TimestampTz:
      if (char* iso = put_iso_timestamp(w, field, kind == ColumnKind::TimestampTz)) {
        w = iso;
      } else {
        scratch.clear();
        append_text(scratch, field);
        w = put(w, scratch);
      }
      break;
    case ColumnKind::Json:
      if (field.find('\\') == std::string_view::npos) {
        w = put(w, field);
      } else {
        scratch.clear();
        decode_copy_field(field, [&](unsigned char ch) { scratch += static_cast<char>(ch); });
        w = put(w, scratch);
      }
      break;
    case ColumnKind::Decimal:
    case ColumnKind::Date:
    case ColumnKind::Text:
      if (plain) {
        *w++ = '"';
        w = put(w, field);
        *w++ = '"';
      } else {
        scratch.clear();
        append_text(scratch, field);
        w = put(w, scratch);
      }
      break;
  }
  return w;
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
    : columns_(std::move(columns)), cursor_column_(cursor_column), row_overhead_(2) {  // 2: "}\n"
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    std::string p = i == 0 ? "{\"" : ",\"";
    append_json_escaped(p, columns_[i].name);
    p += "\":";
    row_overhead_ += p.size() + kMaxFieldOverhead;
    prefixes_.push_back(std::move(p));
  }
}

Result<std::uint64_t> JsonLinesEncoder::encode(std::string_view text, std::string& out,
                                               CursorRange& range) const {
  // The hot loop of the ingest job: it writes through a raw pointer into `out`, grown per row to
  // a bound that no row can exceed (see row_bound), instead of appending piece by piece.
  // Escape-free fields, the common case, are one memcpy; the rest take the general path.
  const std::size_t ncols = columns_.size();
  std::size_t pos = out.size();
  std::uint64_t rows = 0;
  std::string scratch;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* eol = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (!eol) eol = end;
    const std::size_t bound = row_overhead_ + kMaxBytesPerInputByte * static_cast<std::size_t>(eol - p);
    if (out.size() - pos < bound) out.resize(std::max(out.size() * 2, pos + bound + kMinGrowth));
    char* const base = out.data();
    char* w = base + pos;
    const char* f = p;
    for (std::size_t c = 0; c < ncols; ++c) {
      const char* e = f;
      bool plain = true;  // nothing COPY or JSON would escape
      for (; e < eol && *e != '\t'; ++e) plain &= !kNeedsCare[static_cast<unsigned char>(*e)];
      if ((e == eol) != (c + 1 == ncols)) {
        out.resize(pos);
        return make_error("BadCopyData", "COPY row " + std::to_string(rows + 1) + " does not have " +
                                             std::to_string(ncols) + " fields");
      }
      const std::string_view field(f, static_cast<std::size_t>(e - f));
      f = e + 1;
      const std::string& prefix = prefixes_[c];
      std::memcpy(w, prefix.data(), prefix.size());
      w += prefix.size();
      if (field.size() == 2 && field[0] == '\\' && field[1] == 'N') {
        std::memcpy(w, "null", 4);
        w += 4;
        continue;
      }
      const char* value_start = w;
      w = put_value(w, columns_[c].kind, field, plain, scratch);
      if (static_cast<int>(c) == cursor_column_) {
        // The ISO text just written, without its quotes when it has them.
        std::string_view v(value_start, static_cast<std::size_t>(w - value_start));
        if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
        range.add(v);
      }
    }
    *w++ = '}';
    *w++ = '\n';
    pos = static_cast<std::size_t>(w - base);
    ++rows;
    p = eol == end ? end : eol + 1;
  }
  out.resize(pos);
  return rows;
}

}  // namespace dwh::stores
