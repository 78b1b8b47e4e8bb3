#include "format/format.hpp"

#include "format/thrift.hpp"

namespace dwh::parquet::format {
namespace {

using thrift::Decoder;
using thrift::Encoder;
using thrift::Type;

// ---- encoding ----

void encode_logical_type(Encoder& e, const LogicalTypeInfo& t) {
  e.field_struct_begin(static_cast<int>(t.kind));
  switch (t.kind) {
    case LogicalKind::Decimal:
      e.field_i32(1, t.decimal_scale);
      e.field_i32(2, t.decimal_precision);
      break;
    case LogicalKind::Time:
    case LogicalKind::Timestamp:
      e.field_bool(1, t.adjusted_to_utc);
      e.field_struct_begin(2);
      e.field_struct_begin(static_cast<int>(t.unit));
      e.end_struct();
      e.end_struct();
      break;
    case LogicalKind::Integer:
      e.field_i8(1, static_cast<std::int8_t>(t.bit_width));
      e.field_bool(2, t.is_signed);
      break;
    default:
      break;  // String, Date, ...: empty structs
  }
  e.end_struct();
}

void encode_schema_element(Encoder& e, const SchemaElement& s) {
  e.begin_struct();
  if (s.type) e.field_i32(1, static_cast<std::int32_t>(*s.type));
  if (s.type_length) e.field_i32(2, *s.type_length);
  if (s.repetition) e.field_i32(3, static_cast<std::int32_t>(*s.repetition));
  e.field_binary(4, s.name);
  if (s.num_children) e.field_i32(5, *s.num_children);
  if (s.converted_type) e.field_i32(6, static_cast<std::int32_t>(*s.converted_type));
  if (s.scale) e.field_i32(7, *s.scale);
  if (s.precision) e.field_i32(8, *s.precision);
  if (s.logical_type) {
    e.field_struct_begin(10);
    encode_logical_type(e, *s.logical_type);
    e.end_struct();
  }
  e.end_struct();
}

void encode_statistics(Encoder& e, int field, const Statistics& s) {
  e.field_struct_begin(field);
  if (s.max_legacy) e.field_binary(1, *s.max_legacy);
  if (s.min_legacy) e.field_binary(2, *s.min_legacy);
  if (s.null_count) e.field_i64(3, *s.null_count);
  if (s.max_value) e.field_binary(5, *s.max_value);
  if (s.min_value) e.field_binary(6, *s.min_value);
  e.end_struct();
}

void encode_column_meta(Encoder& e, const ColumnMetaData& m) {
  e.field_struct_begin(3);
  e.field_i32(1, static_cast<std::int32_t>(m.type));
  e.field_list_begin(2, Type::I32, m.encodings.size());
  for (const Encoding enc : m.encodings) e.i32(static_cast<std::int32_t>(enc));
  e.field_list_begin(3, Type::Binary, m.path_in_schema.size());
  for (const auto& p : m.path_in_schema) e.binary(p);
  e.field_i32(4, static_cast<std::int32_t>(m.codec));
  e.field_i64(5, m.num_values);
  e.field_i64(6, m.total_uncompressed_size);
  e.field_i64(7, m.total_compressed_size);
  e.field_i64(9, m.data_page_offset);
  if (m.dictionary_page_offset) e.field_i64(11, *m.dictionary_page_offset);
  if (m.statistics) encode_statistics(e, 12, *m.statistics);
  e.end_struct();
}

// ---- decoding ----

Error corrupt(const std::string& what, const Decoder& d) {
  return make_error("ParquetCorrupt",
                    what + ": " + (d.ok() ? std::string("missing required field") : d.error()));
}

template <class E>
E read_enum(Decoder& d) {
  return static_cast<E>(d.read_i32());
}

void decode_time_unit(Decoder& d, TimeUnit& unit) {
  d.begin_struct();
  while (d.next_field()) {
    if (d.field_type() == Type::Struct && d.field_id() >= 1 && d.field_id() <= 3)
      unit = static_cast<TimeUnit>(d.field_id());
    d.skip();
  }
  d.end_struct();
}

LogicalTypeInfo decode_logical_type(Decoder& d) {
  LogicalTypeInfo t;
  d.begin_struct();
  while (d.next_field()) {
    if (d.field_type() != Type::Struct) {
      d.skip();
      continue;
    }
    t.kind = static_cast<LogicalKind>(d.field_id());
    d.begin_struct();
    while (d.next_field()) {
      const int id = d.field_id();
      switch (t.kind) {
        case LogicalKind::Decimal:
          if (id == 1)
            t.decimal_scale = d.read_i32();
          else if (id == 2)
            t.decimal_precision = d.read_i32();
          else
            d.skip();
          break;
        case LogicalKind::Time:
        case LogicalKind::Timestamp:
          if (id == 1)
            t.adjusted_to_utc = d.read_bool();
          else if (id == 2 && d.field_type() == Type::Struct)
            decode_time_unit(d, t.unit);
          else
            d.skip();
          break;
        case LogicalKind::Integer:
          if (id == 1)
            t.bit_width = d.read_i8();
          else if (id == 2)
            t.is_signed = d.read_bool();
          else
            d.skip();
          break;
        default:
          d.skip();
      }
    }
    d.end_struct();
  }
  d.end_struct();
  return t;
}

SchemaElement decode_schema_element(Decoder& d) {
  SchemaElement s;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        s.type = read_enum<PhysicalType>(d);
        break;
      case 2:
        s.type_length = d.read_i32();
        break;
      case 3:
        s.repetition = read_enum<Repetition>(d);
        break;
      case 4:
        s.name = std::string(d.read_binary());
        break;
      case 5:
        s.num_children = d.read_i32();
        break;
      case 6:
        s.converted_type = read_enum<ConvertedType>(d);
        break;
      case 7:
        s.scale = d.read_i32();
        break;
      case 8:
        s.precision = d.read_i32();
        break;
      case 10:
        if (d.field_type() == Type::Struct)
          s.logical_type = decode_logical_type(d);
        else
          d.skip();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return s;
}

Statistics decode_statistics(Decoder& d) {
  Statistics s;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        s.max_legacy = std::string(d.read_binary());
        break;
      case 2:
        s.min_legacy = std::string(d.read_binary());
        break;
      case 3:
        s.null_count = d.read_i64();
        break;
      case 5:
        s.max_value = std::string(d.read_binary());
        break;
      case 6:
        s.min_value = std::string(d.read_binary());
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return s;
}

ColumnMetaData decode_column_meta(Decoder& d) {
  ColumnMetaData m;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        m.type = read_enum<PhysicalType>(d);
        break;
      case 2: {
        Type element{};
        const std::size_t n = d.read_list_begin(element);
        if (n > 0 && element != Type::I32) d.fail("encodings list is not i32");
        for (std::size_t i = 0; i < n && d.ok(); ++i)
          m.encodings.push_back(static_cast<Encoding>(d.list_i32()));
        break;
      }
      case 3: {
        Type element{};
        const std::size_t n = d.read_list_begin(element);
        if (n > 0 && element != Type::Binary) d.fail("path_in_schema is not a string list");
        for (std::size_t i = 0; i < n && d.ok(); ++i) m.path_in_schema.emplace_back(d.list_binary());
        break;
      }
      case 4:
        m.codec = read_enum<Codec>(d);
        break;
      case 5:
        m.num_values = d.read_i64();
        break;
      case 6:
        m.total_uncompressed_size = d.read_i64();
        break;
      case 7:
        m.total_compressed_size = d.read_i64();
        break;
      case 9:
        m.data_page_offset = d.read_i64();
        break;
      case 11:
        m.dictionary_page_offset = d.read_i64();
        break;
      case 12:
        if (d.field_type() == Type::Struct)
          m.statistics = decode_statistics(d);
        else
          d.skip();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return m;
}

ColumnChunk decode_column_chunk(Decoder& d) {
  ColumnChunk c;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        c.file_path = std::string(d.read_binary());
        break;
      case 2:
        c.file_offset = d.read_i64();
        break;
      case 3:
        if (d.field_type() == Type::Struct)
          c.meta_data = decode_column_meta(d);
        else
          d.skip();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return c;
}

RowGroup decode_row_group(Decoder& d) {
  RowGroup g;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1: {
        Type element{};
        const std::size_t n = d.read_list_begin(element);
        if (n > 0 && element != Type::Struct) d.fail("row group columns is not a struct list");
        for (std::size_t i = 0; i < n && d.ok(); ++i) g.columns.push_back(decode_column_chunk(d));
        break;
      }
      case 2:
        g.total_byte_size = d.read_i64();
        break;
      case 3:
        g.num_rows = d.read_i64();
        break;
      case 5:
        g.file_offset = d.read_i64();
        break;
      case 6:
        g.total_compressed_size = d.read_i64();
        break;
      case 7:
        g.ordinal = d.read_i16();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return g;
}

}  // namespace

void encode(const FileMetaData& m, std::string& out) {
  Encoder e(out);
  e.begin_struct();
  e.field_i32(1, m.version);
  e.field_list_begin(2, Type::Struct, m.schema.size());
  for (const auto& s : m.schema) encode_schema_element(e, s);
  e.field_i64(3, m.num_rows);
  e.field_list_begin(4, Type::Struct, m.row_groups.size());
  for (const auto& g : m.row_groups) {
    e.begin_struct();
    e.field_list_begin(1, Type::Struct, g.columns.size());
    for (const auto& c : g.columns) {
      e.begin_struct();
      if (c.file_path) e.field_binary(1, *c.file_path);
      e.field_i64(2, c.file_offset);
      if (c.meta_data) encode_column_meta(e, *c.meta_data);
      e.end_struct();
    }
    e.field_i64(2, g.total_byte_size);
    e.field_i64(3, g.num_rows);
    if (g.file_offset) e.field_i64(5, *g.file_offset);
    if (g.total_compressed_size) e.field_i64(6, *g.total_compressed_size);
    if (g.ordinal) e.field_i16(7, *g.ordinal);
    e.end_struct();
  }
  if (m.created_by) e.field_binary(6, *m.created_by);
  if (m.column_orders > 0) {
    e.field_list_begin(7, Type::Struct, m.column_orders);
    for (std::size_t i = 0; i < m.column_orders; ++i) {
      e.begin_struct();
      e.field_struct_begin(1);  // TYPE_ORDER
      e.end_struct();
      e.end_struct();
    }
  }
  e.end_struct();
}

void encode(const PageHeader& h, std::string& out) {
  Encoder e(out);
  e.begin_struct();
  e.field_i32(1, static_cast<std::int32_t>(h.type));
  e.field_i32(2, h.uncompressed_page_size);
  e.field_i32(3, h.compressed_page_size);
  if (h.data_page) {
    e.field_struct_begin(5);
    e.field_i32(1, h.data_page->num_values);
    e.field_i32(2, static_cast<std::int32_t>(h.data_page->encoding));
    e.field_i32(3, static_cast<std::int32_t>(h.data_page->definition_level_encoding));
    e.field_i32(4, static_cast<std::int32_t>(h.data_page->repetition_level_encoding));
    e.end_struct();
  }
  if (h.dictionary_page) {
    e.field_struct_begin(7);
    e.field_i32(1, h.dictionary_page->num_values);
    e.field_i32(2, static_cast<std::int32_t>(h.dictionary_page->encoding));
    e.end_struct();
  }
  if (h.data_page_v2) {
    const auto& v = *h.data_page_v2;
    e.field_struct_begin(8);
    e.field_i32(1, v.num_values);
    e.field_i32(2, v.num_nulls);
    e.field_i32(3, v.num_rows);
    e.field_i32(4, static_cast<std::int32_t>(v.encoding));
    e.field_i32(5, v.definition_levels_byte_length);
    e.field_i32(6, v.repetition_levels_byte_length);
    e.field_bool(7, v.is_compressed);
    e.end_struct();
  }
  e.end_struct();
}

namespace {

// The page header's nested headers, each read from the start of its struct.
DataPageHeader decode_data_page(Decoder& d) {
  DataPageHeader p;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        p.num_values = d.read_i32();
        break;
      case 2:
        p.encoding = read_enum<Encoding>(d);
        break;
      case 3:
        p.definition_level_encoding = read_enum<Encoding>(d);
        break;
      case 4:
        p.repetition_level_encoding = read_enum<Encoding>(d);
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return p;
}

DictionaryPageHeader decode_dictionary_page(Decoder& d) {
  DictionaryPageHeader p;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        p.num_values = d.read_i32();
        break;
      case 2:
        p.encoding = read_enum<Encoding>(d);
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return p;
}

DataPageHeaderV2 decode_data_page_v2(Decoder& d) {
  DataPageHeaderV2 p;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        p.num_values = d.read_i32();
        break;
      case 2:
        p.num_nulls = d.read_i32();
        break;
      case 3:
        p.num_rows = d.read_i32();
        break;
      case 4:
        p.encoding = read_enum<Encoding>(d);
        break;
      case 5:
        p.definition_levels_byte_length = d.read_i32();
        break;
      case 6:
        p.repetition_levels_byte_length = d.read_i32();
        break;
      case 7:
        p.is_compressed = d.read_bool();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  return p;
}

}  // namespace

Result<PageHeader> decode_page_header(std::string_view in, std::size_t& consumed) {
  Decoder d(in);
  PageHeader h;
  bool have_type = false, have_sizes = false;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        h.type = read_enum<PageType>(d);
        have_type = true;
        break;
      case 2:
        h.uncompressed_page_size = d.read_i32();
        break;
      case 3:
        h.compressed_page_size = d.read_i32();
        have_sizes = true;
        break;
      case 5:
        if (d.field_type() == Type::Struct)
          h.data_page = decode_data_page(d);
        else
          d.skip();
        break;
      case 7:
        if (d.field_type() == Type::Struct)
          h.dictionary_page = decode_dictionary_page(d);
        else
          d.skip();
        break;
      case 8:
        if (d.field_type() == Type::Struct)
          h.data_page_v2 = decode_data_page_v2(d);
        else
          d.skip();
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  if (!d.ok() || !have_type || !have_sizes) return corrupt("bad page header", d);
  consumed = d.position();
  return h;
}

Result<FileMetaData> decode_file_metadata(std::string_view in) {
  Decoder d(in);
  FileMetaData m;
  bool have_schema = false, have_rows = false;
  d.begin_struct();
  while (d.next_field()) {
    switch (d.field_id()) {
      case 1:
        m.version = d.read_i32();
        break;
      case 2: {
        Type element{};
        const std::size_t n = d.read_list_begin(element);
        if (n > 0 && element != Type::Struct) d.fail("schema is not a struct list");
        for (std::size_t i = 0; i < n && d.ok(); ++i) m.schema.push_back(decode_schema_element(d));
        have_schema = true;
        break;
      }
      case 3:
        m.num_rows = d.read_i64();
        have_rows = true;
        break;
      case 4: {
        Type element{};
        const std::size_t n = d.read_list_begin(element);
        if (n > 0 && element != Type::Struct) d.fail("row_groups is not a struct list");
        for (std::size_t i = 0; i < n && d.ok(); ++i) m.row_groups.push_back(decode_row_group(d));
        break;
      }
      case 6:
        m.created_by = std::string(d.read_binary());
        break;
      default:
        d.skip();
    }
  }
  d.end_struct();
  if (!d.ok() || !have_schema || !have_rows) return corrupt("bad file metadata", d);
  return m;
}

}  // namespace dwh::parquet::format
