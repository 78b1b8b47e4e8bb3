#pragma once
// Values in COPY's text format, for the small tables (the big ones go in binary format, see
// copy_binary.hpp). Each writer takes the write position and returns the next one; the caller
// sizes the buffer. std::to_chars for integers, table look-ups for dates and two-digit groups.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "dwh/source/generate_calendar.hpp"

namespace dwh::source::gen {

inline char* put(char* p, char c) {
  *p = c;
  return p + 1;
}

inline char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline char* put_int(char* p, std::int64_t v) {
  return std::to_chars(p, p + 24, v).ptr;
}

inline char* put_two_digits(char* p, unsigned v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  std::memcpy(p, kPairs + 2 * v, 2);
  return p + 2;
}

inline char* put_date(char* p, int day) {
  std::memcpy(p, DateTexts::instance().at(day), 10);
  return p + 10;
}

// timestamp(3): "YYYY-MM-DD HH:MM:SS.mmm".
inline char* put_timestamp(char* p, int day, std::int64_t ms_of_day) {
  p = put_date(p, day);
  *p++ = ' ';
  const auto ms = static_cast<unsigned>(ms_of_day);
  p = put_two_digits(p, ms / 3'600'000);
  *p++ = ':';
  p = put_two_digits(p, ms / 60'000 % 60);
  *p++ = ':';
  p = put_two_digits(p, ms / 1000 % 60);
  *p++ = '.';
  const unsigned frac = ms % 1000;
  *p++ = static_cast<char>('0' + frac / 100);
  return put_two_digits(p, frac % 100);
}

inline char* put_timestamp(char* p, Moment m) {
  return put_timestamp(p, m.day, m.ms);
}

// Text that may hold COPY's special characters (backslash, tab, newline, carriage return).
// Names from the word lists do not, but escaping keeps any future entry safe.
inline char* put_escaped(char* p, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        *p++ = '\\';
        *p++ = '\\';
        break;
      case '\t':
        *p++ = '\\';
        *p++ = 't';
        break;
      case '\n':
        *p++ = '\\';
        *p++ = 'n';
        break;
      case '\r':
        *p++ = '\\';
        *p++ = 'r';
        break;
      default:
        *p++ = c;
    }
  }
  return p;
}

}  // namespace dwh::source::gen
