#pragma once
// Thrift compact protocol, the encoding of Parquet's footer and page headers.
// Hand-written because no Debian package fits: libthrift's C++ library needs code generated from
// parquet.thrift (and the project generates no code), and Debian has no C++ Parquet library.
// Only what Parquet uses: structs, i8/i16/i32/i64, bool, double, binary and lists.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dwh::parquet::thrift {

enum class Type : std::uint8_t {
  Stop = 0,
  BoolTrue = 1,
  BoolFalse = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
};

// Appends to a string. Fields must be written in increasing id order within a struct (the compact
// protocol encodes id deltas; Parquet's field ids are small, so one byte per header).
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}

  void begin_struct();  // a nested struct value (after a struct field header or as a list element)
  void end_struct();    // writes the stop byte

  void field_i32(int id, std::int32_t v);
  void field_i64(int id, std::int64_t v);
  void field_i8(int id, std::int8_t v);
  void field_i16(int id, std::int16_t v);
  void field_bool(int id, bool v);
  void field_binary(int id, std::string_view v);
  void field_struct_begin(int id);  // then the struct's fields, then end_struct()
  void field_list_begin(int id, Type element, std::size_t size);

  // List elements.
  void i32(std::int32_t v) { varint(zigzag(v)); }
  void binary(std::string_view v);

 private:
  void field_header(int id, Type t);
  void varint(std::uint64_t v);
  static std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }

  std::string& out_;
  std::vector<int> last_ids_{0};
};

// Reads from a bounded buffer. Every read checks bounds; on malformed input `ok()` turns false,
// reads return zero values from then on, and `error()` says what went wrong. Callers check ok()
// after parsing a struct.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::size_t position() const { return pos_; }

  // Struct reading: call begin_struct(), then next_field() until it returns false, handling or
  // skip()-ing each field, then end_struct().
  void begin_struct();
  void end_struct();
  // False at the stop byte (or on error). Sets field_id() / field_type().
  bool next_field();
  [[nodiscard]] int field_id() const { return field_id_; }
  [[nodiscard]] Type field_type() const { return field_type_; }

  // Field values; the type must match the field header (checked).
  std::int32_t read_i32();
  std::int64_t read_i64();
  std::int8_t read_i8();
  std::int16_t read_i16();
  bool read_bool();
  double read_double();
  std::string_view read_binary();
  // A list header: returns the size and element type. The size is checked against the bytes
  // left (each element takes at least one byte), so a caller may reserve it.
  std::size_t read_list_begin(Type& element);
  // List elements.
  std::int32_t list_i32();
  std::string_view list_binary();
  bool list_bool();

  // Skips the current field's value (any type, nested up to a depth limit).
  void skip();
  void fail(std::string message);

 private:
  std::uint64_t varint();
  std::int64_t zigzag_varint();
  std::uint8_t byte();
  bool expect(Type t);
  void skip_value(Type t, int depth);

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
  std::vector<int> last_ids_;
  int field_id_ = 0;
  Type field_type_ = Type::Stop;
  bool bool_value_ = false;  // compact protocol puts a bool field's value in its header
};

}  // namespace dwh::parquet::thrift
