#include "format/thrift.hpp"

#include <bit>
#include <cstring>

namespace dwh::parquet::thrift {
namespace {

constexpr int kMaxNesting = 32;  // Parquet's metadata nests 5 deep; more is a corrupt file
constexpr int kMaxVarintBytes = 10;

bool valid_type(std::uint8_t t) {
  return t <= static_cast<std::uint8_t>(Type::Struct);
}

}  // namespace

// ---- Encoder ----

void Encoder::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void Encoder::field_header(int id, Type t) {
  const int delta = id - last_ids_.back();
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(t)));
  } else {
    out_.push_back(static_cast<char>(t));
    varint(zigzag(id));
  }
  last_ids_.back() = id;
}

void Encoder::begin_struct() {
  last_ids_.push_back(0);
}

void Encoder::end_struct() {
  out_.push_back(static_cast<char>(Type::Stop));
  last_ids_.pop_back();
}

void Encoder::field_i32(int id, std::int32_t v) {
  field_header(id, Type::I32);
  varint(zigzag(v));
}

void Encoder::field_i64(int id, std::int64_t v) {
  field_header(id, Type::I64);
  varint(zigzag(v));
}

void Encoder::field_i16(int id, std::int16_t v) {
  field_header(id, Type::I16);
  varint(zigzag(v));
}

void Encoder::field_i8(int id, std::int8_t v) {
  field_header(id, Type::Byte);
  out_.push_back(static_cast<char>(v));
}

void Encoder::field_bool(int id, bool v) {
  field_header(id, v ? Type::BoolTrue : Type::BoolFalse);
}

void Encoder::field_binary(int id, std::string_view v) {
  field_header(id, Type::Binary);
  binary(v);
}

void Encoder::binary(std::string_view v) {
  varint(v.size());
  out_.append(v);
}

void Encoder::field_struct_begin(int id) {
  field_header(id, Type::Struct);
  begin_struct();
}

void Encoder::field_list_begin(int id, Type element, std::size_t size) {
  field_header(id, Type::List);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<std::size_t>(element)));
  } else {
    out_.push_back(static_cast<char>(0xf0 | static_cast<int>(element)));
    varint(size);
  }
}

// ---- Decoder ----

void Decoder::fail(std::string message) {
  if (error_.empty()) error_ = std::move(message) + " at byte " + std::to_string(pos_);
  pos_ = in_.size();
}

std::uint8_t Decoder::byte() {
  if (pos_ >= in_.size()) {
    fail("truncated Thrift data");
    return 0;
  }
  return static_cast<std::uint8_t>(in_[pos_++]);
}

std::uint64_t Decoder::varint() {
  std::uint64_t v = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    const std::uint8_t b = byte();
    if (!ok()) return 0;
    v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  fail("Thrift varint too long");
  return 0;
}

std::int64_t Decoder::zigzag_varint() {
  const std::uint64_t v = varint();
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void Decoder::begin_struct() {
  if (last_ids_.size() >= kMaxNesting) {
    fail("Thrift structs nested too deeply");
    return;
  }
  last_ids_.push_back(0);
}

void Decoder::end_struct() {
  if (!last_ids_.empty()) last_ids_.pop_back();
}

bool Decoder::next_field() {
  if (!ok() || last_ids_.empty()) return false;
  const std::uint8_t header = byte();
  if (!ok()) return false;
  const std::uint8_t type = header & 0x0f;
  if (type == 0) return false;
  if (!valid_type(type)) {
    fail("bad Thrift field type " + std::to_string(type));
    return false;
  }
  const int delta = header >> 4;
  const std::int64_t id = delta != 0 ? last_ids_.back() + delta : zigzag_varint();
  if (!ok()) return false;
  if (id < -32768 || id > 32767) {
    fail("bad Thrift field id");
    return false;
  }
  field_id_ = static_cast<int>(id);
  last_ids_.back() = field_id_;
  field_type_ = static_cast<Type>(type);
  if (field_type_ == Type::BoolTrue || field_type_ == Type::BoolFalse)
    bool_value_ = field_type_ == Type::BoolTrue;
  return true;
}

bool Decoder::expect(Type t) {
  if (!ok()) return false;
  const bool match = field_type_ == t || (t == Type::BoolTrue && field_type_ == Type::BoolFalse);
  if (!match) {
    fail("Thrift field " + std::to_string(field_id_) + " has type " +
         std::to_string(static_cast<int>(field_type_)) + ", expected " + std::to_string(static_cast<int>(t)));
  }
  return match;
}

std::int32_t Decoder::read_i32() {
  if (!expect(Type::I32)) return 0;
  const std::int64_t v = zigzag_varint();
  if (v < INT32_MIN || v > INT32_MAX) {
    fail("Thrift i32 out of range");
    return 0;
  }
  return static_cast<std::int32_t>(v);
}

std::int64_t Decoder::read_i64() {
  return expect(Type::I64) ? zigzag_varint() : 0;
}

std::int16_t Decoder::read_i16() {
  if (!expect(Type::I16)) return 0;
  const std::int64_t v = zigzag_varint();
  if (v < INT16_MIN || v > INT16_MAX) {
    fail("Thrift i16 out of range");
    return 0;
  }
  return static_cast<std::int16_t>(v);
}

std::int8_t Decoder::read_i8() {
  return expect(Type::Byte) ? static_cast<std::int8_t>(byte()) : 0;
}

bool Decoder::read_bool() {
  return expect(Type::BoolTrue) && bool_value_;
}

double Decoder::read_double() {
  if (!expect(Type::Double)) return 0;
  if (in_.size() - pos_ < 8) {
    fail("truncated Thrift double");
    return 0;
  }
  std::uint64_t bits = 0;
  std::memcpy(&bits, in_.data() + pos_, 8);  // little-endian on the wire; the targets are little-endian
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

std::string_view Decoder::read_binary() {
  return expect(Type::Binary) ? list_binary() : std::string_view{};
}

std::string_view Decoder::list_binary() {
  const std::uint64_t size = varint();
  if (!ok()) return {};
  if (size > in_.size() - pos_) {
    fail("Thrift binary length " + std::to_string(size) + " runs past the end");
    return {};
  }
  const std::string_view v = in_.substr(pos_, size);
  pos_ += size;
  return v;
}

std::int32_t Decoder::list_i32() {
  const std::int64_t v = zigzag_varint();
  if (v < INT32_MIN || v > INT32_MAX) {
    fail("Thrift i32 out of range");
    return 0;
  }
  return static_cast<std::int32_t>(v);
}

bool Decoder::list_bool() {
  // Apache Thrift writes 1 (true) / 2 (false); some writers use 0 / 1.
  return byte() == 1;
}

std::size_t Decoder::read_list_begin(Type& element) {
  if (!ok() || (field_type_ != Type::List && field_type_ != Type::Set)) {
    fail("Thrift field " + std::to_string(field_id_) + " is not a list");
    return 0;
  }
  const std::uint8_t header = byte();
  std::uint64_t size = header >> 4;
  if (size == 15) size = varint();
  const std::uint8_t type = header & 0x0f;
  if (!ok()) return 0;
  if (!valid_type(type)) {
    fail("bad Thrift list element type");
    return 0;
  }
  element = static_cast<Type>(type);
  // Every element takes at least one byte (bools too), so a larger count is a lie.
  if (size > in_.size() - pos_) {
    fail("Thrift list of " + std::to_string(size) + " elements runs past the end");
    return 0;
  }
  return static_cast<std::size_t>(size);
}

void Decoder::skip() {
  skip_value(field_type_, 0);
}

void Decoder::skip_value(Type t, int depth) {
  if (!ok()) return;
  if (depth > kMaxNesting) {
    fail("Thrift values nested too deeply");
    return;
  }
  switch (t) {
    case Type::BoolTrue:
    case Type::BoolFalse:
      return;  // a bool field's value is in its header
    case Type::Byte:
      byte();
      return;
    case Type::I16:
    case Type::I32:
    case Type::I64:
      varint();
      return;
    case Type::Double:
      if (in_.size() - pos_ < 8)
        fail("truncated Thrift double");
      else
        pos_ += 8;
      return;
    case Type::Binary:
      list_binary();
      return;
    case Type::List:
    case Type::Set: {
      const Type saved = field_type_;
      field_type_ = Type::List;
      Type element = Type::Stop;
      const std::size_t n = read_list_begin(element);
      field_type_ = saved;
      for (std::size_t i = 0; i < n && ok(); ++i) {
        if (element == Type::BoolTrue || element == Type::BoolFalse)
          byte();
        else
          skip_value(element, depth + 1);
      }
      return;
    }
    case Type::Map: {
      const std::uint64_t n = varint();
      if (n == 0 || !ok()) return;
      const std::uint8_t types = byte();
      const std::uint8_t kt = types >> 4, vt = types & 0x0f;
      if (!valid_type(kt) || !valid_type(vt) || n > in_.size() - pos_) {
        fail("bad Thrift map");
        return;
      }
      for (std::uint64_t i = 0; i < n && ok(); ++i) {
        for (const std::uint8_t et : {kt, vt}) {
          if (et == 1 || et == 2)
            byte();
          else
            skip_value(static_cast<Type>(et), depth + 1);
        }
      }
      return;
    }
    case Type::Struct: {
      const Type saved = field_type_;
      const int saved_id = field_id_;
      begin_struct();
      while (next_field()) skip_value(field_type_, depth + 1);
      end_struct();
      field_type_ = saved;
      field_id_ = saved_id;
      return;
    }
    case Type::Stop:
      fail("unexpected Thrift stop");
      return;
  }
}

}  // namespace dwh::parquet::thrift
