#pragma once
// Page compression for Parquet: SNAPPY (raw snappy blocks, not framed), ZSTD (one frame) or none.
#include <cstddef>
#include <string>
#include <string_view>

#include "dwh/core/result.hpp"
#include "dwh/parquet/writer.hpp"
#include "format/format.hpp"

namespace dwh::parquet {

format::Codec codec_of(Compression c);

// Appends the compressed form of `in` to `out`.
Status compress_page(Compression c, int zstd_level, std::string_view in, std::string& out);

// Decompresses a page whose header says it holds `uncompressed_size` bytes into `out` (replaced).
// Corrupt data or a size mismatch is an error, never a partial page.
Status decompress_page(format::Codec codec, std::string_view in, std::size_t uncompressed_size,
                       std::string& out);

}  // namespace dwh::parquet
