#pragma once
// Decoded Parquet rows as PostgreSQL COPY text format (tab-separated, \N for NULL, backslash
// escapes), the input of `COPY ... FROM STDIN`. Text rather than binary: the values are already
// exact (decimals are unscaled integers, times and dates are counts), and text needs no
// per-type binary layouts (numeric's base-10000 digits) that would be ours to get wrong.
#include <string>

#include "dwh/core/result.hpp"
#include "dwh/parquet/column_batch.hpp"

namespace dwh::load::detail {

// Appends rows [begin, end) of `batch` to `out`. Fails only on a value PostgreSQL could not take
// back exactly (a date outside years 1..9999), naming the column.
Status append_copy_text(const parquet::Schema& schema, const parquet::ColumnBatch& batch, std::size_t begin,
                        std::size_t end, std::string& out);

}  // namespace dwh::load::detail
