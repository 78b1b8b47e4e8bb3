#include "dwh/source/generate_model.hpp"

#include <algorithm>
#include <cmath>

#include "generate_rng.hpp"
#include "generate_words.hpp"

namespace dwh::source::gen {
namespace {

// Shapes measured on the real data (reference/totesys_transform.md, section 4).
constexpr double kInitialDesignShare = 40.0 / 472.0;  // designs present from the first day
constexpr int kStaff = 20;
constexpr int kCurrencies = 3;
constexpr std::uint32_t kLateDeliveryPerMillion = 8'000;  // ~90 of 11k orders agree delivery 8-624 days out
// Real: 9,648 of the 15,753 payments dated up to the snapshot are paid (61%). Same-day payments
// (1 in 7) can never be paid by the 07:55 batch, so the others are paid with 0.612 * 7/6.
constexpr std::uint32_t kPaidPerMillion = 714'000;
constexpr std::int64_t kSettlementMs = 7 * kMsPerHour + 55 * 60'000;  // 07:55

}  // namespace

Model::Model(const TableCounts& counts, std::uint64_t seed)
    : counts_(counts),
      seed_(seed),
      orders_(counts.sales_order + counts.purchase_order),
      purchases_(counts.purchase_order),
      initial_designs_(
          std::clamp<std::int64_t>(std::llround(static_cast<double>(counts.design) * kInitialDesignShare), 1,
                                   std::max<std::int64_t>(counts.design, 1))) {}

std::int64_t Model::created_offset(std::int64_t k, std::uint32_t jitter) const {
  // Order k owns the slot [k, k+1) of N equal slots over working time; the jitter (16 bits)
  // places it inside, so offsets never decrease with k.
  const auto& time = WorkingTime::instance();
  const auto position = (static_cast<unsigned __int128>(k) << 16) + jitter;
  const auto offset = position * static_cast<unsigned __int128>(time.span()) /
                      (static_cast<unsigned __int128>(orders_) << 16);
  return time.begin() + static_cast<std::int64_t>(offset);
}

Moment Model::created(std::int64_t k) const {
  Rng rng(seed_, Stream::Order, static_cast<std::uint64_t>(k));
  return WorkingTime::instance().at(created_offset(k, static_cast<std::uint32_t>(rng.next() >> 48)));
}

std::int64_t Model::designs_available(std::int64_t offset) const {
  // Design j >= D0 arrives inside slot j - D0 of (D - D0) equal slots; every design whose slot
  // has ended by `offset` has certainly arrived.
  const std::int64_t later = counts_.design - initial_designs_;
  if (later <= 0) return counts_.design;
  const auto& time = WorkingTime::instance();
  const auto elapsed = static_cast<unsigned __int128>(offset - time.begin());
  return initial_designs_ + static_cast<std::int64_t>(elapsed * static_cast<unsigned __int128>(later) /
                                                      static_cast<unsigned __int128>(time.span()));
}

Moment Model::design_created(std::int64_t j) const {
  if (j < initial_designs_) return {kFirstOrderDay, kSeedTimeMs};
  const std::int64_t later = counts_.design - initial_designs_;
  Rng rng(seed_, Stream::Design, static_cast<std::uint64_t>(j));
  const auto& time = WorkingTime::instance();
  const auto position = (static_cast<unsigned __int128>(j - initial_designs_) << 16) + (rng.next() >> 48);
  const auto offset =
      position * static_cast<unsigned __int128>(time.span()) / (static_cast<unsigned __int128>(later) << 16);
  return time.at(time.begin() + static_cast<std::int64_t>(offset));
}

std::int64_t Model::settlement_ms(int day) const {
  Rng rng(seed_, Stream::SettlementTime, static_cast<std::uint64_t>(day));
  return kSettlementMs + rng.below(60'000);
}

Order Model::order(std::int64_t k) const {
  Rng rng(seed_, Stream::Order, static_cast<std::uint64_t>(k));
  Order o;
  o.purchase = is_purchase(k);
  o.id = order_id(k);
  o.transaction_id = k + 1;
  const std::int64_t offset =
      created_offset(k, static_cast<std::uint32_t>(rng.next() >> 48));  // first draw, as in created()
  o.created = WorkingTime::instance().at(offset);
  o.staff_id = static_cast<int>(rng.between(1, kStaff));
  o.counterparty_id = static_cast<int>(rng.between(1, counts_.counterparty));
  o.currency_id = static_cast<int>(rng.between(1, kCurrencies));
  o.location_id = static_cast<int>(rng.between(1, counts_.address));
  const bool late_delivery = rng.chance(kLateDeliveryPerMillion);
  o.delivery_day = o.created.day + static_cast<int>(late_delivery ? rng.between(8, 624) : rng.between(0, 7));
  o.payment_day = o.created.day + static_cast<int>(rng.between(0, 6));
  if (o.purchase) {
    constexpr std::string_view kCodeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (char& c : o.item_code) c = kCodeChars[rng.below(static_cast<std::uint32_t>(kCodeChars.size()))];
    o.quantity = static_cast<int>(rng.between(1, 999));
    o.price_cents = static_cast<int>(rng.between(300, 100'000));
  } else {
    o.design_id = static_cast<int>(rng.between(1, designs_available(offset)));
    o.quantity = static_cast<int>(rng.between(1'000, 100'000));
    o.price_cents = static_cast<int>(rng.between(200, 400));
  }
  // The daily batch pays what is due: only from the day after creation (it runs at 07:55,
  // before any order of the day) and only up to the snapshot; some due payments stay unpaid.
  const bool due = o.payment_day > o.created.day && o.payment_day <= kSnapshotDay;
  o.paid = rng.chance(kPaidPerMillion) && due;
  if (o.paid) o.settled = {o.payment_day, settlement_ms(o.payment_day)};
  o.company_ac_number = static_cast<int>(rng.between(10'000'000, 99'999'999));
  o.counterparty_ac_number = static_cast<int>(rng.between(10'000'000, 99'999'999));
  return o;
}

}  // namespace dwh::source::gen
