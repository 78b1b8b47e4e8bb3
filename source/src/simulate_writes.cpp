#include "simulate_writes.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <thread>

#include "simulate_values.hpp"

namespace dwh::source::sim {
namespace {

using std::chrono::milliseconds;

// Real value ranges (totesys_transform.md §4 and the ERD notes).
constexpr std::int64_t kMinUnitsSold = 1'000;
constexpr std::int64_t kMaxUnitsSold = 100'000;
constexpr std::int64_t kMinUnitPriceCents = 200;
constexpr std::int64_t kMaxUnitPriceCents = 400;
constexpr std::int64_t kMinItemQuantity = 1;
constexpr std::int64_t kMaxItemQuantity = 999;
constexpr std::int64_t kMinItemPriceCents = 332;
constexpr std::int64_t kMaxItemPriceCents = 99'907;
constexpr std::int64_t kMaxDeliveryDays = 7;
constexpr double kDeliveryOutlierShare = 0.006;  // ~90 of 15.8 k orders are agreed up to 624 days out
constexpr std::int64_t kMaxOutlierDeliveryDays = 624;
constexpr std::int64_t kMaxPaymentDays = 6;
constexpr double kSalesShareOfAmendments = 0.7;
constexpr int kAmendmentPicks = 8;
constexpr int kAnyOrderPicks = 2;
constexpr std::uint64_t kSettledPercent = 61;  // 9,648 of 15,836 real payments are paid
constexpr milliseconds kHoldSlice{50};

// Updates move last_updated forward even when the clock has not (two writes in one millisecond,
// or base rows stamped later than now), so that every update is visible to a watermark.
constexpr const char* kMovedLastUpdated =
    "GREATEST($1::timestamp(3), last_updated + interval '1 millisecond')";

struct OrderValues {
  bool sales = true;
  std::int64_t design_id = 0, staff_id = 0, counterparty_id = 0, currency_id = 0, location_id = 0;
  std::int64_t quantity = 0, price_cents = 0;
  std::string item_code;
  std::string delivery_date, payment_date;
  std::int64_t company_ac = 0, counterparty_ac = 0;
  std::int64_t payment_type_id = 0;
};

OrderValues order_values(bool sales, Rng& rng, const WriteContext& ctx) {
  Pools& p = ctx.pools;
  OrderValues v;
  v.sales = sales;
  if (sales) v.design_id = p.pick(rng, p.designs);
  v.staff_id = p.pick(rng, p.staff);
  v.counterparty_id = p.pick(rng, p.counterparties);
  v.currency_id = p.pick(rng, p.currencies);
  v.location_id = p.pick(rng, p.addresses);
  if (sales) {
    v.quantity = rng.between(kMinUnitsSold, kMaxUnitsSold);
    v.price_cents = rng.between(kMinUnitPriceCents, kMaxUnitPriceCents);
  } else {
    v.item_code = item_code(rng);
    v.quantity = rng.between(kMinItemQuantity, kMaxItemQuantity);
    v.price_cents = rng.between(kMinItemPriceCents, kMaxItemPriceCents);
  }
  const std::int64_t delivery = rng.chance(kDeliveryOutlierShare)
                                    ? rng.between(kMaxDeliveryDays + 1, kMaxOutlierDeliveryDays)
                                    : rng.between(0, kMaxDeliveryDays);
  v.delivery_date = iso_date(ctx.sim_day + delivery);
  v.payment_date = iso_date(ctx.sim_day + rng.between(0, kMaxPaymentDays));
  v.company_ac = account_number(rng);
  v.counterparty_ac = account_number(rng);
  {
    std::lock_guard lock(p.mu);
    v.payment_type_id = sales ? p.sales_receipt_type : p.purchase_payment_type;
  }
  return v;
}

struct InsertedOrder {
  std::int64_t order_id = 0;
};

// One statement: the order, its transaction and its payment (amount = quantity × price,
// payment_date = agreed_payment_date, the order's counterparty and currency), all stamped `ts`.
InsertedOrder insert_order(pqxx::work& w, const OrderValues& v, const std::string& ts) {
  const std::string amount = money(v.quantity * v.price_cents);
  const std::string price = money(v.price_cents);
  pqxx::result r;
  if (v.sales) {
    r = w.exec_params(
        "WITH o AS (INSERT INTO sales_order (created_at, last_updated, design_id, staff_id, counterparty_id, "
        "  units_sold, unit_price, currency_id, agreed_delivery_date, agreed_payment_date, "
        "  agreed_delivery_location_id) "
        "  VALUES ($1::timestamp(3), $1::timestamp(3), $2::int, $3::int, $4::int, $5::int, $6::numeric, "
        "$7::int, "
        "  $8::text, $9::text, $10::int) RETURNING sales_order_id), "
        "t AS (INSERT INTO transaction (transaction_type, sales_order_id, purchase_order_id, created_at, "
        "  last_updated) SELECT 'SALE', sales_order_id, NULL, $1::timestamp(3), $1::timestamp(3) FROM o "
        "  RETURNING transaction_id) "
        "INSERT INTO payment (created_at, last_updated, transaction_id, counterparty_id, payment_amount, "
        "  currency_id, payment_type_id, paid, payment_date, company_ac_number, counterparty_ac_number) "
        "SELECT $1::timestamp(3), $1::timestamp(3), transaction_id, $4::int, $11::numeric, $7::int, "
        "$12::int, "
        "  false, $9::text, $13::int, $14::int FROM t "
        "RETURNING (SELECT sales_order_id FROM o)",
        ts, v.design_id, v.staff_id, v.counterparty_id, v.quantity, price, v.currency_id, v.delivery_date,
        v.payment_date, v.location_id, amount, v.payment_type_id, v.company_ac, v.counterparty_ac);
  } else {
    r = w.exec_params(
        "WITH o AS (INSERT INTO purchase_order (created_at, last_updated, staff_id, counterparty_id, "
        "item_code, "
        "  item_quantity, item_unit_price, currency_id, agreed_delivery_date, agreed_payment_date, "
        "  agreed_delivery_location_id) "
        "  VALUES ($1::timestamp(3), $1::timestamp(3), $2::int, $3::int, $4::text, $5::int, $6::numeric, "
        "  $7::int, $8::text, $9::text, $10::int) RETURNING purchase_order_id), "
        "t AS (INSERT INTO transaction (transaction_type, sales_order_id, purchase_order_id, created_at, "
        "  last_updated) SELECT 'PURCHASE', NULL, purchase_order_id, $1::timestamp(3), $1::timestamp(3) FROM "
        "o "
        "  RETURNING transaction_id) "
        "INSERT INTO payment (created_at, last_updated, transaction_id, counterparty_id, payment_amount, "
        "  currency_id, payment_type_id, paid, payment_date, company_ac_number, counterparty_ac_number) "
        "SELECT $1::timestamp(3), $1::timestamp(3), transaction_id, $3::int, $11::numeric, $7::int, "
        "$12::int, "
        "  false, $9::text, $13::int, $14::int FROM t "
        "RETURNING (SELECT purchase_order_id FROM o)",
        ts, v.staff_id, v.counterparty_id, v.item_code, v.quantity, price, v.currency_id, v.delivery_date,
        v.payment_date, v.location_id, amount, v.payment_type_id, v.company_ac, v.counterparty_ac);
  }
  return {r[0][0].as<std::int64_t>()};
}

SimulationCounts order_counts(bool sales) {
  SimulationCounts c;
  (sales ? c.sales_orders : c.purchase_orders) = 1;
  c.transactions = 1;
  c.payments = 1;
  return c;
}

SimulationCounts insert_order_op(pqxx::connection& conn, bool sales, Rng& rng, const WriteContext& ctx) {
  const OrderValues v = order_values(sales, rng, ctx);
  pqxx::work w(conn);
  insert_order(w, v, timestamp_ms(now_ms()));
  w.commit();
  return order_counts(sales);
}

// An order that existed at the start and has not been amended in this run, reserved for the
// caller; nullopt when none is found in a few tries. Open orders (payment not yet settled) come
// first, as customers amend what is still open; the last tries take any order.
std::optional<std::int64_t> reserve_amendment_target(pqxx::connection& conn, bool sales, Rng& rng, Pools& p) {
  std::int64_t lo = 0, hi = 0;
  {
    std::lock_guard lock(p.mu);
    lo = sales ? p.sales_min : p.purchase_min;
    hi = sales ? p.sales_max : p.purchase_max;
  }
  if (hi == 0) return std::nullopt;
  const std::string key = sales ? "sales_order_id" : "purchase_order_id";
  // ORDER BY ... LIMIT 1 walks the key's index from `from`, whatever the table's size.
  const std::string any_order = "SELECT " + key + " FROM " + (sales ? "sales_order" : "purchase_order") +
                                " WHERE " + key + " BETWEEN $1 AND $2 ORDER BY 1 LIMIT 1";
  const std::string open_order = "SELECT t." + key +
                                 " FROM transaction t JOIN payment p USING (transaction_id) "
                                 "WHERE t." +
                                 key + " BETWEEN $1 AND $2 AND NOT p.paid ORDER BY 1 LIMIT 1";
  for (int attempt = 0; attempt < kAmendmentPicks; ++attempt) {
    const std::int64_t from = rng.between(lo, hi);
    pqxx::nontransaction q(conn);
    const bool open_only = attempt < kAmendmentPicks - kAnyOrderPicks;
    const pqxx::result r = q.exec_params(open_only ? open_order : any_order, from, hi);
    if (r.empty()) continue;  // none above `from`: draw again
    const auto id = r[0][0].as<std::int64_t>();
    std::lock_guard lock(p.mu);
    auto& amended = sales ? p.amended_sales : p.amended_purchases;
    if (amended.insert(id).second) return id;
  }
  return std::nullopt;
}

}  // namespace

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Rotation::Rotation(std::vector<std::int64_t> ids, std::uint64_t seed) : ids_(std::move(ids)), rng_(seed) {
  rng_.shuffle(ids_);
}

std::optional<std::int64_t> Rotation::next() {
  if (ids_.empty()) return std::nullopt;
  if (pos_ == ids_.size()) {
    rng_.shuffle(ids_);
    pos_ = 0;
  }
  return ids_[pos_++];
}

std::int64_t Pools::pick(Rng& rng, const std::vector<std::int64_t>& ids) {
  std::lock_guard lock(mu);
  return rng.pick(ids);
}

SimulationCounts insert_sales_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  return insert_order_op(conn, true, rng, ctx);
}

SimulationCounts insert_purchase_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  return insert_order_op(conn, false, rng, ctx);
}

// A customer changes an order: the quantity (and with it the amount of the still unpaid payment),
// or a later delivery date. Each order is amended at most once per run.
SimulationCounts amend_order(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  bool sales = rng.chance(kSalesShareOfAmendments);
  auto id = reserve_amendment_target(conn, sales, rng, ctx.pools);
  if (!id) {
    sales = !sales;
    id = reserve_amendment_target(conn, sales, rng, ctx.pools);
  }
  if (!id) return {};
  const bool change_quantity = rng.chance(0.5);
  const std::int64_t postpone_days = rng.between(1, kMaxDeliveryDays);
  const double factor = 0.5 + rng.unit();

  const std::string table = sales ? "sales_order" : "purchase_order";
  const std::string key = table + "_id";
  const std::string quantity_col = sales ? "units_sold" : "item_quantity";
  const std::string price_col = sales ? "unit_price" : "item_unit_price";

  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  const pqxx::result order =
      w.exec_params("SELECT o." + quantity_col + ", (o." + price_col + " * 100)::bigint, p.payment_id FROM " +
                        table + " o LEFT JOIN transaction t ON t." + key + " = o." + key +
                        " LEFT JOIN payment p ON p.transaction_id = t.transaction_id WHERE o." + key +
                        " = $1 FOR UPDATE OF o",
                    *id);
  const auto quantity = order[0][0].as<std::int64_t>();
  const auto price_cents = order[0][1].as<std::int64_t>();
  std::optional<std::int64_t> unpaid_payment;
  if (!order[0][2].is_null()) {
    const auto payment_id = order[0][2].as<std::int64_t>();
    const pqxx::result pay =
        w.exec_params("SELECT paid FROM payment WHERE payment_id = $1 FOR UPDATE", payment_id);
    if (!pay[0][0].as<bool>()) unpaid_payment = payment_id;
  }

  SimulationCounts c;
  c.amendments = 1;
  // A settled payment keeps its amount, so its order only gets a new delivery date.
  if (change_quantity && unpaid_payment) {
    const std::int64_t lo = sales ? kMinUnitsSold : kMinItemQuantity;
    const std::int64_t hi = sales ? kMaxUnitsSold : kMaxItemQuantity;
    std::int64_t changed =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(static_cast<double>(quantity) * factor), lo, hi);
    if (changed == quantity) changed = quantity == hi ? quantity - 1 : quantity + 1;
    w.exec_params("UPDATE " + table + " SET " + quantity_col +
                      " = $2::int, last_updated = " + kMovedLastUpdated + " WHERE " + key + " = $3",
                  ts, changed, *id);
    w.exec_params("UPDATE payment SET payment_amount = $2::numeric, last_updated = " +
                      std::string(kMovedLastUpdated) + " WHERE payment_id = $3",
                  ts, money(changed * price_cents), *unpaid_payment);
    c.amended_payments = 1;
  } else {
    w.exec_params(
        "UPDATE " + table +
            " SET agreed_delivery_date = to_char(agreed_delivery_date::date + $2::int, 'YYYY-MM-DD'), "
            "last_updated = " +
            kMovedLastUpdated + " WHERE " + key + " = $3",
        ts, postpone_days, *id);
  }
  w.commit();
  return c;
}

SimulationCounts insert_design(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const DesignValues d = design_values(rng, now_ms() / 86'400'000);
  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  const pqxx::result r = w.exec_params(
      "INSERT INTO design (created_at, design_name, file_location, file_name, last_updated) "
      "VALUES ($1::timestamp(3), $2, $3, $4, $1::timestamp(3)) RETURNING design_id",
      ts, d.design_name, d.file_location, d.file_name);
  w.commit();
  {
    std::lock_guard lock(ctx.pools.mu);
    ctx.pools.designs.push_back(r[0][0].as<std::int64_t>());
  }
  SimulationCounts c;
  c.designs = 1;
  return c;
}

SimulationCounts insert_staff(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const PersonName name = person_name(rng);
  const std::int64_t department = ctx.pools.pick(rng, ctx.pools.departments);
  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  const pqxx::result r = w.exec_params(
      "INSERT INTO staff (first_name, last_name, department_id, email_address, created_at, last_updated) "
      "VALUES ($1, $2, $3::int, $4, $5::timestamp(3), $5::timestamp(3)) RETURNING staff_id",
      name.first, name.last, department, staff_email(name), ts);
  w.commit();
  {
    std::lock_guard lock(ctx.pools.mu);
    ctx.pools.staff.push_back(r[0][0].as<std::int64_t>());
  }
  SimulationCounts c;
  c.staff = 1;
  return c;
}

// A new counterparty, with a new legal address half of the time (real counterparties share
// addresses: 20 of them on 14).
SimulationCounts insert_counterparty(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const bool new_address = rng.chance(0.5);
  const AddressValues a = address_values(rng);
  const std::string legal_name = counterparty_legal_name(rng);
  const std::string commercial = contact_name(rng);
  const std::string delivery = contact_name(rng);
  std::int64_t address_id = ctx.pools.pick(rng, ctx.pools.addresses);

  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  if (new_address) {
    const pqxx::result r = w.exec_params(
        "INSERT INTO address (address_line_1, address_line_2, district, city, postal_code, country, phone, "
        "created_at, last_updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamp(3), $8::timestamp(3)) "
        "RETURNING address_id",
        a.address_line_1, a.address_line_2, a.district, a.city, a.postal_code, a.country, a.phone, ts);
    address_id = r[0][0].as<std::int64_t>();
  }
  const pqxx::result r = w.exec_params(
      "INSERT INTO counterparty (counterparty_legal_name, legal_address_id, commercial_contact, "
      "delivery_contact, "
      "created_at, last_updated) VALUES ($1, $2::int, $3, $4, $5::timestamp(3), $5::timestamp(3)) "
      "RETURNING counterparty_id",
      legal_name, address_id, commercial, delivery, ts);
  w.commit();
  {
    std::lock_guard lock(ctx.pools.mu);
    ctx.pools.counterparties.push_back(r[0][0].as<std::int64_t>());
    if (new_address) ctx.pools.addresses.push_back(address_id);
  }
  SimulationCounts c;
  c.counterparties = 1;
  c.addresses = new_address ? 1 : 0;
  return c;
}

namespace {

// Two different values, so that `CASE WHEN col = a THEN b ELSE a END` always changes the column.
std::pair<std::string, std::string> two_different(Rng& rng, std::string (*make)(Rng&)) {
  std::string a = make(rng);
  std::string b = make(rng);
  while (b == a) b = make(rng);
  return {a, b};
}

std::optional<std::int64_t> next_target(Pools& p, Rotation Pools::*rotation) {
  std::lock_guard lock(p.mu);
  return (p.*rotation).next();
}

}  // namespace

// A department renamed, or moved to another city: dim_staff must be rewritten for its staff.
SimulationCounts change_department(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const auto id = next_target(ctx.pools, &Pools::department_rotation);
  if (!id) return {};
  const bool rename = rng.chance(0.5);
  const auto [a, b] = two_different(rng, rename ? &department_name : &department_location);
  const std::string col = rename ? "department_name" : "location";
  pqxx::work w(conn);
  const pqxx::result r = w.exec_params("UPDATE department SET " + col + " = CASE WHEN " + col +
                                           " = $2 THEN $3 ELSE $2 END, last_updated = " + kMovedLastUpdated +
                                           " WHERE department_id = $4",
                                       timestamp_ms(now_ms()), a, b, *id);
  w.commit();
  SimulationCounts c;
  c.department_changes = static_cast<std::int64_t>(r.affected_rows());
  return c;
}

// An address changes its phone number, or its street and postcode: dim_location and every
// counterparty on it in dim_counterparty must follow.
SimulationCounts change_address(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const auto id = next_target(ctx.pools, &Pools::address_rotation);
  if (!id) return {};
  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  pqxx::result r;
  if (rng.chance(0.5)) {
    const auto [a, b] = two_different(rng, &phone_number);
    r = w.exec_params("UPDATE address SET phone = CASE WHEN phone = $2 THEN $3 ELSE $2 END, last_updated = " +
                          std::string(kMovedLastUpdated) + " WHERE address_id = $4",
                      ts, a, b, *id);
  } else {
    const auto [a, b] = two_different(rng, &street_line);
    r = w.exec_params(
        "UPDATE address SET address_line_1 = CASE WHEN address_line_1 = $2 THEN $3 ELSE $2 END, "
        "postal_code = $4, last_updated = " +
            std::string(kMovedLastUpdated) + " WHERE address_id = $5",
        ts, a, b, postal_code(rng), *id);
  }
  w.commit();
  SimulationCounts c;
  c.address_changes = static_cast<std::int64_t>(r.affected_rows());
  return c;
}

// A counterparty gets a new commercial or delivery contact.
SimulationCounts change_counterparty(pqxx::connection& conn, Rng& rng, const WriteContext& ctx) {
  const auto id = next_target(ctx.pools, &Pools::counterparty_rotation);
  if (!id) return {};
  const std::string col = rng.chance(0.5) ? "commercial_contact" : "delivery_contact";
  const auto [a, b] = two_different(rng, &contact_name);
  pqxx::work w(conn);
  const pqxx::result r =
      w.exec_params("UPDATE counterparty SET " + col + " = CASE WHEN " + col +
                        " IS NOT DISTINCT FROM $2 THEN $3 ELSE $2 END, " +
                        "last_updated = " + kMovedLastUpdated + " WHERE counterparty_id = $4",
                    timestamp_ms(now_ms()), a, b, *id);
  w.commit();
  SimulationCounts c;
  c.counterparty_changes = static_cast<std::int64_t>(r.affected_rows());
  return c;
}

SimulationCounts run_operation(pqxx::connection& conn, OperationKind kind, Rng& rng,
                               const WriteContext& ctx) {
  switch (kind) {
    case OperationKind::SalesOrder:
      return insert_sales_order(conn, rng, ctx);
    case OperationKind::PurchaseOrder:
      return insert_purchase_order(conn, rng, ctx);
    case OperationKind::Amendment:
      return amend_order(conn, rng, ctx);
    case OperationKind::NewDesign:
      return insert_design(conn, rng, ctx);
    case OperationKind::NewStaff:
      return insert_staff(conn, rng, ctx);
    case OperationKind::NewCounterparty:
      return insert_counterparty(conn, rng, ctx);
    case OperationKind::DepartmentChange:
      return change_department(conn, rng, ctx);
    case OperationKind::AddressChange:
      return change_address(conn, rng, ctx);
    case OperationKind::CounterpartyChange:
      return change_counterparty(conn, rng, ctx);
  }
  return {};
}

SimulationCounts settle_payments(pqxx::connection& conn, std::int64_t first_day, std::int64_t sim_day,
                                 std::uint64_t seed) {
  const std::uint64_t selector = derive_seed(seed, 0x5E771E);
  pqxx::work w(conn);
  const std::string ts = timestamp_ms(now_ms());
  // payment_date is 'YYYY-MM-DD' text, so text order is date order.
  const pqxx::result due = w.exec_params(
      "SELECT payment_id FROM payment WHERE NOT paid AND payment_date BETWEEN $1 AND $2 ORDER BY payment_id",
      iso_date(first_day), iso_date(sim_day));
  std::string ids = "{";
  for (const auto& row : due) {
    const auto id = row[0].as<std::int64_t>();
    if (splitmix64(static_cast<std::uint64_t>(id) ^ selector) % 100 >= kSettledPercent) continue;
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(id);
  }
  ids += '}';
  SimulationCounts c;
  c.settlement_batches = 1;
  if (ids.size() > 2) {
    const pqxx::result r =
        w.exec_params("UPDATE payment SET paid = true, last_updated = " + std::string(kMovedLastUpdated) +
                          " WHERE payment_id = ANY($2::int[]) AND NOT paid",
                      ts, ids);
    c.payments_settled = static_cast<std::int64_t>(r.affected_rows());
  }
  w.commit();
  return c;
}

LongTransactionResult run_long_transaction(pqxx::connection& conn, OperationKind kind, Rng& rng,
                                           const WriteContext& ctx, milliseconds hold,
                                           const std::function<bool()>& stop) {
  const bool sales = kind == OperationKind::SalesOrder;
  const OrderValues v = order_values(sales, rng, ctx);
  pqxx::work w(conn);
  // The application stamps the rows when the transaction starts, not when it commits.
  const std::string stamped = timestamp_ms(now_ms());
  const auto until = std::chrono::steady_clock::now() + hold;
  const InsertedOrder order = insert_order(w, v, stamped);
  while (!stop()) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= milliseconds(0)) break;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kHoldSlice));
  }
  // Read committed: this sees what other writers committed while we held, and our own rows,
  // which carry `stamped` exactly and so never match.
  const pqxx::result newer = w.exec_params(
      "SELECT tbl, id, to_char(last_updated, 'YYYY-MM-DD HH24:MI:SS.MS') FROM ("
      "  SELECT 'sales_order' AS tbl, sales_order_id AS id, last_updated FROM sales_order "
      "    WHERE last_updated > $1::timestamp(3) "
      "  UNION ALL SELECT 'purchase_order', purchase_order_id, last_updated FROM purchase_order "
      "    WHERE last_updated > $1::timestamp(3) "
      "  UNION ALL SELECT 'payment', payment_id, last_updated FROM payment "
      "    WHERE last_updated > $1::timestamp(3)) x "
      "ORDER BY last_updated DESC, tbl, id LIMIT 1",
      stamped);
  w.commit();

  LongTransactionResult result;
  result.counts = order_counts(sales);
  result.counts.long_transactions = 1;
  if (!newer.empty()) {
    result.counts.late_commits = 1;
    LateCommit late;
    late.table = sales ? "sales_order" : "purchase_order";
    late.id = order.order_id;
    late.last_updated = stamped;
    late.overtaken_by_table = newer[0][0].as<std::string>();
    late.overtaken_by_id = newer[0][1].as<std::int64_t>();
    late.overtaken_by_last_updated = newer[0][2].as<std::string>();
    result.late = std::move(late);
  }
  return result;
}

}  // namespace dwh::source::sim
