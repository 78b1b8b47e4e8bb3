#pragma once
// Decoders for the encodings other writers use in v2 files (DuckDB's PARQUET_VERSION V2):
// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and BYTE_STREAM_SPLIT. Our writer does not
// produce them; the reader accepts them so it can read those files too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dwh::parquet {

// Decodes `count` integers; `used` gets the bytes consumed. False with `error` when malformed.
bool delta_binary_packed(std::string_view data, std::size_t count, std::vector<std::int64_t>& out,
                         std::size_t& used, std::string& error);

}  // namespace dwh::parquet
