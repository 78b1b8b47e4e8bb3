#pragma once
// The generated rows in COPY text format: the small tables whole, the four big tables one
// chunk of the order stream at a time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "generate_model.hpp"

namespace dwh::source::gen {

// The tables that grow with the scale, loaded in parallel streams.
enum class BigTable { SalesOrder, PurchaseOrder, Transaction, Payment };
inline constexpr BigTable kBigTables[] = {BigTable::SalesOrder, BigTable::PurchaseOrder, BigTable::Transaction,
                                          BigTable::Payment};
std::string_view table_name(BigTable table);

// Every row of a small table ("address", "counterparty", "currency", "department", "design",
// "staff", "payment_type"), in id order.
std::string small_table_rows(std::string_view table, const Model& model);

// Bytes one row of the table can take at most; a chunk buffer of rows * this never overflows.
inline constexpr std::size_t kMaxRowBytes = 256;

// Writes the table's rows for orders k in [k_begin, k_end) to `out`, which must hold
// (k_end - k_begin) * kMaxRowBytes bytes. Returns the number of bytes written.
std::size_t format_chunk(BigTable table, const Model& model, std::int64_t k_begin, std::int64_t k_end, char* out);

}  // namespace dwh::source::gen
