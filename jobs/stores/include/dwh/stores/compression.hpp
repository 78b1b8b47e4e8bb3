#pragma once
// Landing objects are compressed chunk by chunk: each chunk becomes one complete gzip member
// (RFC 1952) or zstd frame. Concatenated members/frames are one valid stream for gunzip, zcat,
// zlib's gzread, Python's gzip and zstd, so chunks can be compressed in parallel.
#include <optional>
#include <string>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::stores {

enum class Compression { Gzip, Zstd };

std::string_view compression_name(Compression c);    // "gzip" / "zstd"
std::string_view compression_suffix(Compression c);  // ".gz" / ".zst"
std::optional<Compression> parse_compression(std::string_view name);
// False when this build has no zstd (libzstd-dev was missing).
bool compression_available(Compression c);

// Appends one member/frame holding `data` to `out`. Level 1: landing favours speed.
Status compress_chunk(Compression c, std::string_view data, std::string& out);
// Decompresses a whole object of concatenated members/frames (tests, readers).
Result<std::string> decompress(Compression c, std::string_view data);

}  // namespace dwh::stores
