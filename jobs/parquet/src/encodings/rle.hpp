#pragma once
// Parquet's RLE / bit-packing hybrid (definition levels, dictionary indexes, RLE booleans) and
// plain bit packing. Hand-written: part of the Parquet format, which no Debian library implements.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dwh::parquet {

// Bits needed to store `max_value` (0 for 0).
int bit_width(std::uint64_t max_value);

// Appends the hybrid encoding of `values` (each < 2^bit_width, bit_width 0..32) to `out`, with no
// length prefix. Runs of 8 or more equal values become RLE runs, the rest bit-packed groups of 8
// (the last group padded with zeros, which readers ignore because they know the value count).
void rle_encode(const std::uint32_t* values, std::size_t count, int bit_width, std::string& out);

// Appends `count` values (0/1) bit-packed LSB first (Parquet's PLAIN booleans).
void bit_pack_bools(const std::uint8_t* values, std::size_t count, std::string& out);

class RleDecoder {
 public:
  RleDecoder(std::string_view data, int bit_width) : data_(data), bit_width_(bit_width) {}

  // Decodes exactly `count` values into `out`. False (with error()) when the data runs out, a
  // run is malformed or a value does not fit the bit width.
  bool get(std::uint32_t* out, std::size_t count);
  [[nodiscard]] const char* error() const { return error_; }

 private:
  bool next_run();

  std::string_view data_;
  std::size_t pos_ = 0;
  int bit_width_;
  // Current run.
  bool literal_ = false;
  std::uint64_t remaining_ = 0;  // values left in the run
  std::uint32_t repeated_ = 0;   // RLE value
  std::size_t literal_bit_ = 0;  // next bit of a literal run, relative to pos_ at its start
  std::size_t literal_start_ = 0;
  const char* error_ = "";
};

}  // namespace dwh::parquet
