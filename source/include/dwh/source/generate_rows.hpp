#pragma once
// The generated rows for COPY: the small tables whole, in text format; the four big tables one
// chunk of the order stream at a time, in binary format (see copy_binary.hpp for why).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dwh/source/generate_model.hpp"

namespace dwh::source::gen {

// The tables that grow with the scale, loaded in parallel streams.
enum class BigTable { SalesOrder, PurchaseOrder, Transaction, Payment };
inline constexpr BigTable kBigTables[] = {BigTable::SalesOrder, BigTable::PurchaseOrder,
                                          BigTable::Transaction, BigTable::Payment};
std::string_view table_name(BigTable table);

// Every row of a small table ("address", "counterparty", "currency", "department", "design",
// "staff", "payment_type"), in id order.
std::string small_table_rows(std::string_view table, const Model& model);

// COPY binary format's file header (signature, flags, extension length) and trailer (a field
// count of -1), sent before and after the chunks.
inline constexpr std::string_view kBinaryCopyHeader{"PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19};
inline constexpr std::string_view kBinaryCopyTrailer{"\377\377", 2};

// Bytes one row of the table can take at most; a chunk buffer of rows * this never overflows.
inline constexpr std::size_t kMaxRowBytes = 256;

// Writes the table's rows (binary COPY tuples, without the file header and trailer) for orders
// k in [k_begin, k_end) to `out`, which must hold (k_end - k_begin) * kMaxRowBytes bytes.
// Returns the number of bytes written.
std::size_t format_chunk(BigTable table, const Model& model, std::int64_t k_begin, std::int64_t k_end,
                         char* out);

}  // namespace dwh::source::gen
