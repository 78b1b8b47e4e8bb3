// The generator's model and row encoding, without a database: sizes per scale, the shapes the
// reference data has, determinism, and that chunking (what makes generation parallel) does not
// change a single byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <string>

#include "dwh/source/generate.hpp"
#include "dwh/source/generate_calendar.hpp"
#include "dwh/source/generate_model.hpp"
#include "dwh/source/generate_rows.hpp"

namespace {

using namespace dwh::source;
using gen::Model;
using gen::Moment;

int iso_weekday(int day) {
  // Independent of the code under test: 1970-01-01 was a Thursday (ISO 4).
  return ((day % 7) + 7 + 3) % 7 + 1;
}

std::string chunk(const Model& model, gen::BigTable table, std::int64_t begin, std::int64_t end) {
  auto buffer = std::make_unique<char[]>(static_cast<std::size_t>(end - begin) * gen::kMaxRowBytes);
  const std::size_t n = gen::format_chunk(table, model, begin, end, buffer.get());
  return std::string(buffer.get(), n);
}

TEST(SourceScale, ScaleOneIsTheRealDatabase) {
  const TableCounts c = counts_for_scale(1);
  EXPECT_EQ(c.sales_order, 11187);
  EXPECT_EQ(c.purchase_order, 4649);
  EXPECT_EQ(c.transaction, 15836);
  EXPECT_EQ(c.payment, 15836);
  EXPECT_EQ(c.design, 472);
  EXPECT_EQ(c.staff, 20);
  EXPECT_EQ(c.address, 30);
  EXPECT_EQ(c.currency, 3);
  EXPECT_EQ(c.department, 8);
  EXPECT_EQ(c.counterparty, 20);
  EXPECT_EQ(c.payment_type, 4);
  EXPECT_EQ(c.total(), 11187 + 4649 + 2 * 15836 + 472 + 20 + 30 + 3 + 8 + 20 + 4);
}

TEST(SourceScale, OrdersGrowLinearlyDimensionsSubLinearly) {
  const TableCounts one = counts_for_scale(1);
  const TableCounts two = counts_for_scale(2);
  const TableCounts tenth = counts_for_scale(0.1);
  EXPECT_EQ(two.sales_order, 2 * one.sales_order);
  EXPECT_EQ(two.purchase_order, 2 * one.purchase_order);
  EXPECT_EQ(two.payment, 2 * one.payment);
  EXPECT_EQ(tenth.sales_order, 1119);  // 1118.7 rounded
  EXPECT_EQ(tenth.transaction, tenth.sales_order + tenth.purchase_order);
  // sqrt: 472 * 1.414 = 667.5, 20 * 1.414 = 28.3, 30 * 1.414 = 42.4
  EXPECT_EQ(two.design, 668);
  EXPECT_EQ(two.counterparty, 28);
  EXPECT_EQ(two.address, 42);
  EXPECT_EQ(two.staff, 20);
  EXPECT_EQ(two.currency, 3);
  EXPECT_GE(tenth.counterparty, 1);
  EXPECT_GE(tenth.address, 1);
  // The benchmark's scale: 10 M sales orders.
  EXPECT_NEAR(static_cast<double>(counts_for_scale(894).sales_order), 10e6, 5e3);
}

TEST(SourceScale, RejectsScalesThatAreNotPositiveOrTooLarge) {
  for (double bad :
       {0.0, -1.0, -0.001, std::nan(""), std::numeric_limits<double>::infinity(), kMaxScale * 2}) {
    GenerateOptions o;
    o.scale = bad;
    auto v = validate(o);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code, "InvalidArgument");
    EXPECT_NE(v.error().message.find("--scale"), std::string::npos);
    EXPECT_EQ(v.error().kind(), dwh::ErrorKind::BadInput);
  }
  GenerateOptions ok;
  ok.scale = 0.01;
  EXPECT_TRUE(validate(ok));
  // The largest scale still fits PostgreSQL integer ids.
  EXPECT_LT(counts_for_scale(kMaxScale).transaction, 2147483647LL);
}

TEST(SourceCalendar, DateTextsAreCivilDates) {
  const auto& texts = gen::DateTexts::instance();
  EXPECT_EQ(std::string(texts.at(0 + 19358), 10), "2023-01-01");  // 19358 days after 1970-01-01
  EXPECT_EQ(std::string(texts.at(gen::kFirstOrderDay), 10), "2022-11-03");
  EXPECT_EQ(std::string(texts.at(gen::kSnapshotDay), 10), "2024-11-14");
  EXPECT_EQ(std::string(texts.at(gen::days_from_civil(2024, 2, 29)), 10), "2024-02-29");
  EXPECT_EQ(iso_weekday(gen::kFirstOrderDay), 4);  // a Thursday
}

class SourceModel : public ::testing::Test {
 protected:
  SourceModel() : model_(counts_for_scale(1), 42) {}
  Model model_;
};

TEST_F(SourceModel, OrdersAreOnWeekdaysInOfficeHoursInOrder) {
  Moment previous{0, 0};
  for (std::int64_t k = 0; k < model_.orders(); ++k) {
    const Moment m = model_.created(k);
    ASSERT_LE(iso_weekday(m.day), 5) << k;
    ASSERT_GE(m.ms, 8 * 3'600'000) << k;
    ASSERT_LT(m.ms, 19 * 3'600'000) << k;
    ASSERT_GE(m.day, gen::kFirstOrderDay);
    ASSERT_LE(m.day, gen::kSnapshotDay);
    ASSERT_TRUE(m.day > previous.day || (m.day == previous.day && m.ms >= previous.ms))
        << "created_at decreased at " << k;
    previous = m;
  }
  // The first order comes after the reference's first timestamp; the last before the snapshot.
  const Moment first = model_.created(0);
  EXPECT_EQ(first.day, gen::kFirstOrderDay);
  EXPECT_GE(first.ms, gen::kFirstOrderMs);
  EXPECT_EQ(model_.created(model_.orders() - 1).day, gen::kSnapshotDay);
}

TEST_F(SourceModel, IdsAreDenseAndTransactionsFollowTheOrderStream) {
  std::set<std::int64_t> sales, purchases;
  for (std::int64_t k = 0; k < model_.orders(); ++k) {
    const auto o = model_.order(k);
    ASSERT_EQ(o.transaction_id, k + 1);
    ASSERT_EQ(o.purchase, model_.is_purchase(k));
    ASSERT_EQ(o.id, model_.order_id(k));
    (o.purchase ? purchases : sales).insert(o.id);
  }
  ASSERT_EQ(static_cast<std::int64_t>(sales.size()), model_.counts().sales_order);
  ASSERT_EQ(static_cast<std::int64_t>(purchases.size()), model_.counts().purchase_order);
  EXPECT_EQ(*sales.begin(), 1);
  EXPECT_EQ(*sales.rbegin(), model_.counts().sales_order);
  EXPECT_EQ(*purchases.begin(), 1);
  EXPECT_EQ(*purchases.rbegin(), model_.counts().purchase_order);
}

TEST_F(SourceModel, ValuesHaveTheReferenceShapes) {
  const auto& counts = model_.counts();
  int late_deliveries = 0, paid = 0;
  std::set<int> currencies;
  for (std::int64_t k = 0; k < model_.orders(); ++k) {
    const auto o = model_.order(k);
    ASSERT_EQ(o.created.day, model_.created(k).day);
    ASSERT_EQ(o.created.ms, model_.created(k).ms);
    if (o.purchase) {
      ASSERT_GE(o.quantity, 1);
      ASSERT_LE(o.quantity, 999);
      ASSERT_GE(o.price_cents, 300);
      ASSERT_LE(o.price_cents, 100'000);
      for (char c : o.item_code) ASSERT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
      ASSERT_EQ(o.payment_type_id(), 3);
      ASSERT_EQ(o.design_id, 0);
    } else {
      ASSERT_GE(o.quantity, 1'000);
      ASSERT_LE(o.quantity, 100'000);
      ASSERT_GE(o.price_cents, 200);
      ASSERT_LE(o.price_cents, 400);
      ASSERT_EQ(o.payment_type_id(), 1);
      ASSERT_GE(o.design_id, 1);
      ASSERT_LE(o.design_id, counts.design);
      // The design existed when the order was made.
      const Moment d = model_.design_created(o.design_id - 1);
      ASSERT_TRUE(d.day < o.created.day || (d.day == o.created.day && d.ms <= o.created.ms)) << k;
    }
    ASSERT_EQ(o.amount_cents(), static_cast<std::int64_t>(o.quantity) * o.price_cents);
    ASSERT_GE(o.staff_id, 1);
    ASSERT_LE(o.staff_id, counts.staff);
    ASSERT_GE(o.counterparty_id, 1);
    ASSERT_LE(o.counterparty_id, counts.counterparty);
    ASSERT_GE(o.location_id, 1);
    ASSERT_LE(o.location_id, counts.address);
    currencies.insert(o.currency_id);
    ASSERT_GE(o.delivery_day, o.created.day);
    ASSERT_LE(o.delivery_day - o.created.day, 624);
    if (o.delivery_day - o.created.day > 7) ++late_deliveries;
    ASSERT_GE(o.payment_day, o.created.day);
    ASSERT_LE(o.payment_day - o.created.day, 6);
    ASSERT_GE(o.company_ac_number, 10'000'000);
    ASSERT_LE(o.company_ac_number, 99'999'999);
    ASSERT_GE(o.counterparty_ac_number, 10'000'000);
    if (o.paid) {
      ++paid;
      // Paid by the daily batch (07:55) on the payment date, after creation, up to the snapshot.
      ASSERT_EQ(o.settled.day, o.payment_day);
      ASSERT_GT(o.settled.day, o.created.day);
      ASSERT_LE(o.settled.day, gen::kSnapshotDay);
      ASSERT_GE(o.settled.ms, (7 * 60 + 55) * 60'000);
      ASSERT_LT(o.settled.ms, (7 * 60 + 56) * 60'000);
    }
  }
  EXPECT_EQ(currencies, (std::set<int>{1, 2, 3}));
  // The reference: ~90 of 11k orders agree delivery more than a week out; 61% of due payments paid.
  EXPECT_GT(late_deliveries, 50);
  EXPECT_LT(late_deliveries, 250);
  EXPECT_NEAR(static_cast<double>(paid) / static_cast<double>(model_.orders()), 0.61, 0.03);
}

TEST_F(SourceModel, DesignsArriveOverTime) {
  const auto& counts = model_.counts();
  EXPECT_EQ(model_.design_created(0).day, gen::kFirstOrderDay);
  Moment previous = model_.design_created(model_.initial_designs());
  for (std::int64_t j = model_.initial_designs() + 1; j < counts.design; ++j) {
    const Moment m = model_.design_created(j);
    ASSERT_TRUE(m.day > previous.day || (m.day == previous.day && m.ms >= previous.ms));
    previous = m;
  }
  EXPECT_GE(previous.day, gen::kSnapshotDay - 30);
}

TEST(SourceRows, ChunkingDoesNotChangeTheBytes) {
  const Model model(counts_for_scale(0.3), 7);
  for (gen::BigTable table : gen::kBigTables) {
    const std::string whole = chunk(model, table, 0, model.orders());
    std::string pieces;
    // Uneven boundaries, in a different order of generation than of concatenation.
    const std::int64_t cuts[] = {0, 1, 17, 1000, 1001, 2500, model.orders()};
    std::vector<std::string> parts;
    for (std::size_t i = 1; i < std::size(cuts); ++i)
      parts.push_back(chunk(model, table, cuts[i - 1], cuts[i]));
    for (const auto& p : parts) pieces += p;
    EXPECT_EQ(whole, pieces) << gen::table_name(table);
  }
}

TEST(SourceRows, SameSeedSameBytesOtherSeedOtherBytes) {
  const TableCounts counts = counts_for_scale(0.2);
  const Model a(counts, 11), b(counts, 11), c(counts, 12);
  for (gen::BigTable table : gen::kBigTables) {
    const std::string ta = chunk(a, table, 0, a.orders());
    EXPECT_EQ(ta, chunk(b, table, 0, b.orders()));
    EXPECT_NE(ta, chunk(c, table, 0, c.orders()));
  }
  for (const char* table : {"address", "counterparty", "design"}) {
    EXPECT_EQ(gen::small_table_rows(table, a), gen::small_table_rows(table, b)) << table;
    EXPECT_NE(gen::small_table_rows(table, a), gen::small_table_rows(table, c)) << table;
  }
}

TEST(SourceRows, RowsFitTheirBuffer) {
  const Model model(counts_for_scale(0.5), 3);
  for (gen::BigTable table : gen::kBigTables) {
    const std::int64_t n = model.orders();
    const std::string bytes = chunk(model, table, 0, n);
    EXPECT_LE(bytes.size(), static_cast<std::size_t>(n) * gen::kMaxRowBytes);
    EXPECT_GT(bytes.size(), 0u);
  }
}

TEST(SourceRows, SmallTablesInCopyText) {
  const Model model(counts_for_scale(1), 1);
  const std::string staff = gen::small_table_rows("staff", model);
  EXPECT_NE(staff.find("1\tJeremie\tFraney\t2\tjeremie.franey@terrifictotes.com\t2022-11-03 14:20:51.563\t"),
            std::string::npos);
  EXPECT_NE(staff.find("irving.o'keefe@terrifictotes.com"), std::string::npos);
  EXPECT_EQ(std::count(staff.begin(), staff.end(), '\n'), 20);
  const std::string departments = gen::small_table_rows("department", model);
  EXPECT_NE(departments.find("4\tDispatch\tLeds\tMark Hanna\t"), std::string::npos);
  EXPECT_EQ(gen::small_table_rows("currency", model).substr(0, 6), "1\tGBP\t");
  const std::string addresses = gen::small_table_rows("address", model);
  EXPECT_EQ(std::count(addresses.begin(), addresses.end(), '\n'), 30);
  EXPECT_NE(addresses.find("\\N"), std::string::npos);  // nullable address_line_2 / district
  const std::string designs = gen::small_table_rows("design", model);
  EXPECT_EQ(std::count(designs.begin(), designs.end(), '\n'), 472);
  EXPECT_NE(designs.find(".json\t"), std::string::npos);
}

}  // namespace
