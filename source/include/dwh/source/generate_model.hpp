#pragma once
// What the generated database contains, row by row, as pure functions of (counts, seed, index).
//
// Orders form one stream k = 0 .. N-1 (N = sales + purchase orders) in creation order. Order k
// is a purchase order when floor((k+1)P/N) > floor(kP/N), which spreads the P purchase orders
// evenly through the stream and makes every id a closed formula: purchase_order_id =
// floor(kP/N) + 1, sales_order_id = k - floor(kP/N) + 1, transaction_id = payment_id = k + 1.
// Its creation time is spread evenly over working time with a random jitter inside its own
// slot, so created_at never decreases with k. Everything else about order k comes from its own
// random stream. Any chunk of k can therefore be generated alone, on any thread, and the same
// seed always gives the same rows.
#include <array>
#include <cstdint>

#include "dwh/source/generate.hpp"
#include "dwh/source/generate_calendar.hpp"

namespace dwh::source::gen {

struct Order {
  bool purchase = false;
  std::int64_t id = 0;              // sales_order_id or purchase_order_id
  std::int64_t transaction_id = 0;  // also the payment_id
  Moment created{};                 // also last_updated: orders are never updated here
  int staff_id = 0;
  int counterparty_id = 0;
  int currency_id = 0;
  int location_id = 0;
  int design_id = 0;                // sales orders only
  int quantity = 0;                 // units_sold (1,000-100,000) or item_quantity (1-999)
  int price_cents = 0;              // unit_price 2.00-4.00 or item_unit_price 3.00-1,000.00
  std::array<char, 7> item_code{};  // purchase orders only
  int delivery_day = 0;             // agreed_delivery_date
  int payment_day = 0;              // agreed_payment_date = payment_date
  bool paid = false;
  Moment settled{};  // the payment's last_updated when paid
  int company_ac_number = 0;
  int counterparty_ac_number = 0;

  [[nodiscard]] std::int64_t amount_cents() const {
    return static_cast<std::int64_t>(quantity) * price_cents;
  }
  [[nodiscard]] int payment_type_id() const { return purchase ? 3 : 1; }  // PURCHASE_PAYMENT / SALES_RECEIPT
};

class Model {
 public:
  Model(const TableCounts& counts, std::uint64_t seed);

  [[nodiscard]] const TableCounts& counts() const { return counts_; }
  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  [[nodiscard]] std::int64_t orders() const { return orders_; }

  [[nodiscard]] bool is_purchase(std::int64_t k) const {
    return (k + 1) * purchases_ / orders_ != k * purchases_ / orders_;
  }
  // sales_order_id or purchase_order_id of order k.
  [[nodiscard]] std::int64_t order_id(std::int64_t k) const {
    const std::int64_t purchases_before = k * purchases_ / orders_;
    return is_purchase(k) ? purchases_before + 1 : k - purchases_before + 1;
  }
  [[nodiscard]] Moment created(std::int64_t k) const;
  [[nodiscard]] Order order(std::int64_t k) const;

  // Designs (0-based index j, design_id j + 1): the first ones exist from the start, the rest
  // arrive evenly over the period; an order only uses designs that existed when it was made.
  [[nodiscard]] Moment design_created(std::int64_t j) const;
  [[nodiscard]] std::int64_t initial_designs() const { return initial_designs_; }

  // The settlement batch's time on a day (about 07:55, as in the real data).
  [[nodiscard]] std::int64_t settlement_ms(int day) const;

 private:
  [[nodiscard]] std::int64_t created_offset(std::int64_t k, std::uint32_t jitter) const;
  [[nodiscard]] std::int64_t designs_available(std::int64_t offset) const;

  TableCounts counts_;
  std::uint64_t seed_;
  std::int64_t orders_;
  std::int64_t purchases_;
  std::int64_t initial_designs_;
};

}  // namespace dwh::source::gen
