// `dwh source generate` against a real PostgreSQL: counts per scale, every foreign key holding
// (checked by queries, not only by the constraints), the shapes of the reference data, the end
// schema equal to init's, byte-identical COPY output for the same seed, and the refusals.
#include <gtest/gtest.h>

#include <map>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "dwh/source/generate.hpp"
#include "dwh/source/schema_init.hpp"
#include "dwh/source/totesys_schema.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

using source::ExistingData;
using source::GenerateOptions;
using source::TableCounts;

TestDatabase initialised_database(const std::string& prefix) {
  auto db = PostgresFixture::instance().create_database(prefix);
  pqxx::connection conn(db.url);
  auto r = source::init_schema(conn);
  EXPECT_TRUE(r) << r.error().message;
  return db;
}

Result<source::GenerateReport> generate(const std::string& url, double scale, std::uint64_t seed,
                                        ExistingData existing = ExistingData::Refuse) {
  GenerateOptions o;
  o.url = url;
  o.scale = scale;
  o.seed = seed;
  o.existing = existing;
  return source::generate(o);
}

std::string value(const std::string& url, const std::string& sql) {
  return PostgresFixture::query_value(url, sql);
}
std::int64_t number(const std::string& url, const std::string& sql) {
  return std::stoll(value(url, sql));
}

// psql, an independent client, prints the table exactly as the server stores it.
std::string copy_out(const std::string& url, const std::string& table) {
  auto r =
      run_process({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", "COPY " + table + " TO STDOUT"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

void expect_counts(const std::string& url, const TableCounts& expected) {
  for (const auto& t : source::totesys_tables())
    EXPECT_EQ(number(url, "SELECT count(*) FROM " + std::string(t.name)), expected.of(t.name)) << t.name;
}

// Every foreign key, checked with an anti-join of our own rather than trusting the constraint.
void expect_foreign_keys_hold(const std::string& url) {
  int checked = 0;
  for (const auto& t : source::totesys_tables()) {
    for (const auto& fk : t.foreign_keys) {
      const std::string sql = "SELECT count(*) FROM " + std::string(t.name) + " c LEFT JOIN " +
                              std::string(fk.parent_table) + " p ON p." + std::string(fk.parent_column) +
                              " = c." + std::string(fk.column) + " WHERE c." + std::string(fk.column) +
                              " IS NOT NULL AND p." + std::string(fk.parent_column) + " IS NULL";
      EXPECT_EQ(number(url, sql), 0) << fk.name;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 17);
  EXPECT_EQ(number(url,
                   "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND NOT "
                   "convalidated"),
            0);
}

class SourceGenerateScale : public ::testing::TestWithParam<double> {};

TEST_P(SourceGenerateScale, CountsForeignKeysAndSchema) {
  const double scale = GetParam();
  const auto db = initialised_database("generate_scale");
  auto report = generate(db.url, scale, 1);
  ASSERT_TRUE(report) << report.error().message;
  const TableCounts expected = source::counts_for_scale(scale);
  EXPECT_EQ(report->counts.total(), expected.total());
  expect_counts(db.url, expected);
  expect_foreign_keys_hold(db.url);
  pqxx::connection conn(db.url);
  auto checked = source::check_schema(conn);
  EXPECT_TRUE(checked) << checked.error().message;
  // Sequences continue after the generated ids, so later inserts (the simulator) do not collide.
  EXPECT_EQ(number(db.url, "SELECT nextval('sales_order_sales_order_id_seq')"), expected.sales_order + 1);
  EXPECT_EQ(number(db.url, "SELECT nextval('payment_payment_id_seq')"), expected.payment + 1);
  EXPECT_EQ(number(db.url, "SELECT nextval('design_design_id_seq')"), expected.design + 1);
}

INSTANTIATE_TEST_SUITE_P(Scales, SourceGenerateScale, ::testing::Values(0.1, 1.0, 2.0),
                         [](const ::testing::TestParamInfo<double>& info) {
                           return info.param == 0.1   ? std::string("tenth")
                                  : info.param == 1.0 ? "one"
                                                      : "two";
                         });

TEST(SourceGenerate, ScaleOneLooksLikeTheRealDatabase) {
  const auto db = initialised_database("generate_shapes");
  ASSERT_TRUE(generate(db.url, 1, 5));
  const std::string& u = db.url;
  // About the real counts (11.2k sales orders, 4.6k purchase orders, 15.8k payments, 472 designs).
  EXPECT_NEAR(static_cast<double>(number(u, "SELECT count(*) FROM sales_order")), 11180, 100);
  EXPECT_NEAR(static_cast<double>(number(u, "SELECT count(*) FROM purchase_order")), 4640, 50);
  EXPECT_NEAR(static_cast<double>(number(u, "SELECT count(*) FROM payment")), 15836, 100);
  EXPECT_EQ(number(u, "SELECT count(*) FROM design"), 472);

  EXPECT_EQ(value(u, "SELECT min(units_sold) >= 1000 AND max(units_sold) <= 100000 FROM sales_order"), "t");
  EXPECT_EQ(value(u, "SELECT min(unit_price) >= 2.00 AND max(unit_price) <= 4.00 FROM sales_order"), "t");
  EXPECT_GT(number(u, "SELECT count(DISTINCT unit_price) FROM sales_order"), 150);
  EXPECT_EQ(value(u, "SELECT min(item_quantity) >= 1 AND max(item_quantity) <= 999 FROM purchase_order"),
            "t");
  EXPECT_EQ(value(u, "SELECT bool_and(item_code ~ '^[A-Z0-9]{7}$') FROM purchase_order"), "t");
  EXPECT_EQ(value(u, "SELECT string_agg(currency_code, ',' ORDER BY currency_id) FROM currency"),
            "GBP,USD,EUR");
  EXPECT_EQ(number(u, "SELECT count(DISTINCT currency_id) FROM sales_order"), 3);
  EXPECT_EQ(value(u,
                  "SELECT bool_and(email_address = lower(first_name) || '.' || lower(last_name) || "
                  "'@terrifictotes.com') FROM staff"),
            "t");
  EXPECT_EQ(value(u, "SELECT location FROM department WHERE department_name = 'Dispatch'"), "Leds");

  // Orders on weekdays 08:00-18:59 from 2022-11-03; agreed dates on or after creation.
  for (const char* t : {"sales_order", "purchase_order"}) {
    const std::string table(t);
    EXPECT_EQ(
        number(u, "SELECT count(*) FROM " + table +
                      " WHERE extract(isodow FROM created_at) > 5 "
                      "OR extract(hour FROM created_at) NOT BETWEEN 8 AND 18 OR created_at < '2022-11-03'"),
        0)
        << table;
    EXPECT_EQ(number(u, "SELECT count(*) FROM " + table +
                            " WHERE agreed_delivery_date::date < created_at::date "
                            "OR agreed_payment_date::date < created_at::date"),
              0)
        << table;
    EXPECT_EQ(number(u, "SELECT count(*) FROM " + table +
                            " WHERE agreed_delivery_date !~ '^\\d{4}-\\d{2}-\\d{2}$'"),
              0);
    // Millisecond timestamps, not whole seconds.
    EXPECT_GT(number(u, "SELECT count(*) FROM " + table +
                            " WHERE extract(milliseconds FROM created_at)::numeric % 1000 <> 0"),
              number(u, "SELECT count(*) FROM " + table) / 2);
  }
  // One transaction per order, one payment per transaction, amount = quantity x price.
  EXPECT_EQ(
      number(u,
             "SELECT count(*) FROM sales_order s JOIN transaction t ON t.sales_order_id = s.sales_order_id "
             "WHERE t.transaction_type = 'SALE'"),
      number(u, "SELECT count(*) FROM sales_order"));
  EXPECT_EQ(number(u,
                   "SELECT count(*) FROM purchase_order p JOIN transaction t ON t.purchase_order_id = "
                   "p.purchase_order_id "
                   "WHERE t.transaction_type = 'PURCHASE'"),
            number(u, "SELECT count(*) FROM purchase_order"));
  EXPECT_EQ(
      number(u,
             "SELECT count(*) FROM transaction WHERE (sales_order_id IS NULL) = (purchase_order_id IS NULL)"),
      0);
  EXPECT_EQ(number(u, "SELECT count(*) FROM transaction t JOIN payment p USING (transaction_id)"),
            number(u, "SELECT count(*) FROM transaction"));
  EXPECT_EQ(
      number(
          u,
          "SELECT count(*) FROM payment p JOIN transaction t USING (transaction_id) "
          "JOIN sales_order s ON s.sales_order_id = t.sales_order_id "
          "WHERE p.payment_amount <> s.units_sold * s.unit_price OR p.counterparty_id <> s.counterparty_id "
          "OR p.currency_id <> s.currency_id OR p.payment_type_id <> 1 OR p.payment_date <> "
          "s.agreed_payment_date "
          "OR p.created_at <> s.created_at"),
      0);
  EXPECT_EQ(number(u,
                   "SELECT count(*) FROM payment p JOIN transaction t USING (transaction_id) "
                   "JOIN purchase_order o ON o.purchase_order_id = t.purchase_order_id "
                   "WHERE p.payment_amount <> o.item_quantity * o.item_unit_price OR p.payment_type_id <> 3 "
                   "OR p.payment_date <> o.agreed_payment_date"),
            0);
  // created_at <= last_updated everywhere; paid payments moved by the ~07:55 batch on their payment date.
  for (const auto& t : source::totesys_tables())
    EXPECT_EQ(number(u, "SELECT count(*) FROM " + std::string(t.name) + " WHERE created_at > last_updated"),
              0)
        << t.name;
  EXPECT_EQ(number(u,
                   "SELECT count(*) FROM payment WHERE paid AND (last_updated::date::text <> payment_date "
                   "OR last_updated::time NOT BETWEEN '07:55' AND '07:56')"),
            0);
  EXPECT_EQ(number(u, "SELECT count(*) FROM payment WHERE NOT paid AND last_updated <> created_at"), 0);
  const double paid_share = std::stod(value(u, "SELECT avg(paid::int) FROM payment"));
  EXPECT_NEAR(paid_share, 0.61, 0.03);
  EXPECT_EQ(value(u,
                  "SELECT min(company_ac_number) >= 10000000 AND max(counterparty_ac_number) <= 99999999 "
                  "FROM payment"),
            "t");
  // Orders only use designs that existed already.
  EXPECT_EQ(number(u,
                   "SELECT count(*) FROM sales_order s JOIN design d USING (design_id) WHERE d.created_at > "
                   "s.created_at"),
            0);
}

TEST(SourceGenerate, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto a = initialised_database("generate_seed_a");
  const auto b = initialised_database("generate_seed_b");
  const auto c = initialised_database("generate_seed_c");
  ASSERT_TRUE(generate(a.url, 0.2, 7));
  ASSERT_TRUE(generate(b.url, 0.2, 7));
  ASSERT_TRUE(generate(c.url, 0.2, 8));
  for (const auto& t : source::totesys_tables()) {
    const std::string name(t.name);
    const std::string bytes = copy_out(a.url, name);
    EXPECT_FALSE(bytes.empty()) << name;
    EXPECT_EQ(bytes, copy_out(b.url, name)) << name;
    const bool seeded =
        name != "currency" && name != "department" && name != "staff" && name != "payment_type";
    if (seeded) {
      EXPECT_NE(bytes, copy_out(c.url, name)) << name;
    }
  }
}

TEST(SourceGenerate, RowsPresentAreRefusedUnlessReplace) {
  const auto db = initialised_database("generate_replace");
  ASSERT_TRUE(generate(db.url, 0.05, 1));
  auto again = generate(db.url, 0.05, 2);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "NotEmpty");
  EXPECT_NE(again.error().message.find("--replace"), std::string::npos);
  EXPECT_EQ(again.error().kind(), dwh::ErrorKind::BadInput);
  auto replaced = generate(db.url, 0.1, 2, ExistingData::Replace);
  ASSERT_TRUE(replaced) << replaced.error().message;
  expect_counts(db.url, source::counts_for_scale(0.1));
  expect_foreign_keys_hold(db.url);
}

TEST(SourceGenerate, ConcurrentRunsTakeTurns) {
  const auto db = initialised_database("generate_race");
  std::vector<Result<source::GenerateReport>> results(2, make_error("NotRun", ""));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&, i] { results[i] = generate(db.url, 0.1, i + 1); });
  for (auto& t : threads) t.join();
  // One loads; the other waits for it, then finds its rows.
  ASSERT_NE(results[0].ok(), results[1].ok());
  const auto& refused = results[0].ok() ? results[1] : results[0];
  EXPECT_EQ(refused.error().code, "NotEmpty");
  expect_counts(db.url, source::counts_for_scale(0.1));
  expect_foreign_keys_hold(db.url);
}

TEST(SourceGenerate, RefusesADatabaseThatIsNotInitialised) {
  const auto empty = PostgresFixture::instance().create_database("generate_empty");
  auto r = generate(empty.url, 0.05, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "SchemaMissing");
  const auto other = PostgresFixture::instance().create_database("generate_other");
  PostgresFixture::run_sql(other.url, "CREATE TABLE sales_order (id int)");
  r = generate(other.url, 0.05, 1, ExistingData::Replace);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "SchemaMismatch");
  EXPECT_EQ(value(other.url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "1");
}

// A load killed half-way leaves the big tables without their keys; --replace puts them back.
TEST(SourceGenerate, ReplaceRepairsAnInterruptedLoad) {
  const auto db = initialised_database("generate_repair");
  ASSERT_TRUE(generate(db.url, 0.05, 1));
  PostgresFixture::run_sql(db.url,
                           "ALTER TABLE payment DROP CONSTRAINT payment_transaction_id_fkey, "
                           "DROP CONSTRAINT payment_currency_id_fkey; "
                           "ALTER TABLE transaction DROP CONSTRAINT transaction_sales_order_id_fkey; "
                           "DROP INDEX transaction_sales_order_id_key; "
                           "ALTER TABLE sales_order DROP CONSTRAINT sales_order_pkey");
  auto plain = generate(db.url, 0.05, 1);
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, "SchemaMismatch");
  auto repaired = generate(db.url, 0.05, 1, ExistingData::Replace);
  ASSERT_TRUE(repaired) << repaired.error().message;
  pqxx::connection conn(db.url);
  EXPECT_TRUE(source::check_schema(conn));
  expect_foreign_keys_hold(db.url);
}

}  // namespace
}  // namespace dwh::test
