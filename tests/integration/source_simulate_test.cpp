// `dwh source simulate` against a real PostgreSQL: the real binary runs a short workload on a
// small generated totesys while the test polls the tables the way an incremental extractor
// would; afterwards the tables are diffed against a snapshot taken before the run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kTables = {"address",        "counterparty", "currency",     "department",
                                          "design",         "staff",        "payment_type", "sales_order",
                                          "purchase_order", "transaction",  "payment"};

std::int64_t count(const std::string& url, const std::string& sql) {
  return std::stoll(PostgresFixture::query_value(url, sql));
}

std::map<std::string, std::string> source_env(const std::string& url) {
  return {{"DWH_SOURCE_URL", url}, {"DWH_WAREHOUSE_URL", kUnsetEnv}, {"DWH_LOG_LEVEL", "info"}};
}

// A totesys database with the exact schema and a small generated base.
TestDatabase generated_totesys(const std::string& prefix) {
  auto& pg = PostgresFixture::instance();
  TestDatabase db = pg.create_database(prefix);
  auto init = run_process({DWH_CLI_PATH, "source", "init", "--url", db.url});
  EXPECT_EQ(init.exit_code, 0) << init.out << init.err;
  auto gen =
      run_process({DWH_CLI_PATH, "source", "generate", "--scale", "0.05", "--seed", "7", "--url", db.url});
  EXPECT_EQ(gen.exit_code, 0) << gen.out << gen.err;
  return db;
}

// The figures of the JSON line `dwh source simulate` ends with.
nlohmann::json final_figures(const std::string& err) {
  std::istringstream lines(err);
  std::string line;
  nlohmann::json figures;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.value("message", "") == "simulation finished") figures = j["figures"];
  }
  return figures;
}

// What a watermark extractor sees at one moment: the new orders visible, and the largest
// last_updated among them.
struct Poll {
  std::set<std::string> visible;
  std::string max_last_updated;
};

std::string utc_ms(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

const char* kNewOrdersSql =
    "SELECT 'sales_order:' || sales_order_id, to_char(last_updated, 'YYYY-MM-DD HH24:MI:SS.MS') "
    "  FROM sales_order WHERE created_at >= $1::timestamp "
    "UNION ALL SELECT 'purchase_order:' || purchase_order_id, to_char(last_updated, 'YYYY-MM-DD "
    "HH24:MI:SS.MS') "
    "  FROM purchase_order WHERE created_at >= $1::timestamp";

// Rows changed by the run in a table that existed before it (snapshot in schema `before`).
std::int64_t changed_rows(const std::string& url, const std::string& table) {
  return count(url, "SELECT count(*) FROM " + table + " a JOIN before." + table + " b USING (" + table +
                        "_id) WHERE row(a.*) IS DISTINCT FROM row(b.*)");
}

std::int64_t new_rows(const std::string& url, const std::string& table) {
  return count(url, "SELECT count(*) FROM " + table + " a WHERE NOT EXISTS (SELECT 1 FROM before." + table +
                        " b WHERE b." + table + "_id = a." + table + "_id)");
}

TEST(SourceSimulate, ProducesTheDeclaredMixIncludingALateCommit) {
  const TestDatabase db = generated_totesys("simulate_mix");
  ASSERT_FALSE(HasFailure());
  ASSERT_GT(count(db.url, "SELECT count(*) FROM sales_order"), 100);

  std::string snapshot = "CREATE SCHEMA before;";
  for (const auto& t : kTables)
    snapshot += "CREATE TABLE before." + t + " AS SELECT * FROM public." + t + ";";
  PostgresFixture::run_sql(db.url, snapshot);

  // Poll as a naive incremental extractor would, while the simulator runs.
  const std::string test_start = utc_ms(std::chrono::system_clock::now() - std::chrono::seconds(1));
  std::atomic<bool> done{false};
  ProcessResult sim;
  std::thread runner([&] {
    sim =
        run_process({DWH_CLI_PATH, "source", "simulate", "--url", db.url, "--rate", "20", "--duration", "5s",
                     "--seed", "11", "--concurrency", "3", "--day-length", "1s", "--late-hold", "1500ms"},
                    source_env(db.url));
    done = true;
  });
  std::vector<Poll> polls;
  {
    pqxx::connection conn(db.url);
    while (!done) {
      pqxx::nontransaction q(conn);
      Poll poll;
      for (const auto& row : q.exec_params(kNewOrdersSql, test_start)) {
        poll.visible.insert(row[0].as<std::string>());
        poll.max_last_updated = std::max(poll.max_last_updated, row[1].as<std::string>());
      }
      polls.push_back(std::move(poll));
      std::this_thread::sleep_for(milliseconds(30));
    }
  }
  runner.join();
  ASSERT_EQ(sim.exit_code, 0) << sim.out << sim.err;
  const nlohmann::json f = final_figures(sim.err);
  ASSERT_TRUE(f.is_object()) << sim.err;

  // The table on stdout carries the same figures as the JSON line.
  for (const char* label_and_key : {"new sales orders|sales_orders", "late commits (overtaken)|late_commits",
                                    "settlement batches|settlement_batches", "order amendments|amendments"}) {
    const std::string s(label_and_key);
    const std::string label = s.substr(0, s.find('|'));
    const std::string key = s.substr(s.find('|') + 1);
    const auto at = sim.out.find(label);
    ASSERT_NE(at, std::string::npos) << label << "\n" << sim.out;
    EXPECT_EQ(std::stoll(sim.out.substr(at + label.size())), f[key].get<std::int64_t>()) << label;
  }

  // The declared mix happened: every kind of operation at least once.
  for (const char* key :
       {"sales_orders", "purchase_orders", "staff", "designs", "counterparties", "amendments",
        "amended_payments", "department_changes", "address_changes", "counterparty_changes",
        "settlement_batches", "payments_settled", "long_transactions", "late_commits"}) {
    EXPECT_GE(f[key].get<std::int64_t>(), 1) << key << " in " << f.dump();
  }
  EXPECT_EQ(f["planned_operations"], 100);
  EXPECT_EQ(f["skipped_operations"], 0);

  // New rows per table are exactly the reported ones; one transaction and payment per order.
  const auto sales = f["sales_orders"].get<std::int64_t>();
  const auto purchases = f["purchase_orders"].get<std::int64_t>();
  EXPECT_EQ(new_rows(db.url, "sales_order"), sales);
  EXPECT_EQ(new_rows(db.url, "purchase_order"), purchases);
  EXPECT_EQ(new_rows(db.url, "transaction"), sales + purchases);
  EXPECT_EQ(new_rows(db.url, "payment"), sales + purchases);
  EXPECT_EQ(f["transactions"].get<std::int64_t>(), sales + purchases);
  EXPECT_EQ(f["payments"].get<std::int64_t>(), sales + purchases);
  EXPECT_EQ(new_rows(db.url, "staff"), f["staff"].get<std::int64_t>());
  EXPECT_EQ(new_rows(db.url, "design"), f["designs"].get<std::int64_t>());
  EXPECT_EQ(new_rows(db.url, "counterparty"), f["counterparties"].get<std::int64_t>());
  EXPECT_EQ(new_rows(db.url, "address"), f["addresses"].get<std::int64_t>());
  for (const char* t : {"currency", "payment_type", "department"}) EXPECT_EQ(new_rows(db.url, t), 0) << t;

  // New orders: one transaction of the right type, one payment with the order's amount,
  // counterparty, currency and payment date, of type SALES_RECEIPT / PURCHASE_PAYMENT.
  EXPECT_EQ(
      count(db.url,
            "SELECT count(*) FROM sales_order o JOIN transaction t USING (sales_order_id) "
            "JOIN payment p USING (transaction_id) JOIN payment_type pt USING (payment_type_id) "
            "WHERE o.sales_order_id NOT IN (SELECT sales_order_id FROM before.sales_order) "
            "AND t.transaction_type = 'SALE' AND t.purchase_order_id IS NULL "
            "AND p.payment_amount = o.units_sold * o.unit_price AND p.counterparty_id = o.counterparty_id "
            "AND p.currency_id = o.currency_id AND p.payment_date = o.agreed_payment_date "
            "AND pt.payment_type_name = 'SALES_RECEIPT'"),
      sales);
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM purchase_order o JOIN transaction t USING (purchase_order_id) "
                  "JOIN payment p USING (transaction_id) JOIN payment_type pt USING (payment_type_id) "
                  "WHERE o.purchase_order_id NOT IN (SELECT purchase_order_id FROM before.purchase_order) "
                  "AND t.transaction_type = 'PURCHASE' AND t.sales_order_id IS NULL "
                  "AND p.payment_amount = o.item_quantity * o.item_unit_price "
                  "AND p.counterparty_id = o.counterparty_id AND p.currency_id = o.currency_id "
                  "AND p.payment_date = o.agreed_payment_date AND pt.payment_type_name = 'PURCHASE_PAYMENT'"),
            purchases);
  // Value shapes of the new orders.
  EXPECT_EQ(
      count(db.url,
            "SELECT count(*) FROM sales_order WHERE sales_order_id NOT IN (SELECT sales_order_id FROM "
            "before.sales_order) AND NOT (units_sold BETWEEN 1000 AND 100000 AND unit_price BETWEEN 2 AND 4 "
            "AND agreed_delivery_date::date >= created_at::date AND agreed_payment_date::date >= "
            "created_at::date)"),
      0);

  // Updates: exactly the reported rows changed, each with last_updated moved forward.
  EXPECT_EQ(changed_rows(db.url, "department"), f["department_changes"].get<std::int64_t>());
  EXPECT_EQ(changed_rows(db.url, "address"), f["address_changes"].get<std::int64_t>());
  EXPECT_EQ(changed_rows(db.url, "counterparty"), f["counterparty_changes"].get<std::int64_t>());
  EXPECT_EQ(changed_rows(db.url, "sales_order") + changed_rows(db.url, "purchase_order"),
            f["amendments"].get<std::int64_t>());
  for (const char* t : {"staff", "design", "currency", "payment_type", "transaction"}) {
    EXPECT_EQ(changed_rows(db.url, t), 0) << t;
  }
  for (const char* t :
       {"department", "address", "counterparty", "sales_order", "purchase_order", "payment"}) {
    const std::string tbl(t);
    EXPECT_EQ(count(db.url, "SELECT count(*) FROM " + tbl + " a JOIN before." + tbl + " b USING (" + tbl +
                                "_id) WHERE row(a.*) IS DISTINCT FROM row(b.*) "
                                "AND NOT (a.last_updated > b.last_updated AND a.created_at = b.created_at)"),
              0)
        << tbl;
  }
  // Dimension changes touch what downstream dims show: names/locations, address fields, contacts.
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM department a JOIN before.department b USING (department_id) "
                  "WHERE row(a.*) IS DISTINCT FROM row(b.*) AND a.department_name = b.department_name "
                  "AND a.location IS NOT DISTINCT FROM b.location"),
            0);
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM counterparty a JOIN before.counterparty b USING (counterparty_id) "
                  "WHERE row(a.*) IS DISTINCT FROM row(b.*) AND (a.commercial_contact IS NOT DISTINCT FROM "
                  "b.commercial_contact AND a.delivery_contact IS NOT DISTINCT FROM b.delivery_contact "
                  "OR a.counterparty_legal_name <> b.counterparty_legal_name "
                  "OR a.legal_address_id <> b.legal_address_id)"),
            0);

  // Settlement: paid only ever goes false -> true, as many as reported, with last_updated moved.
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM payment a LEFT JOIN before.payment b USING (payment_id) "
                  "WHERE a.paid AND NOT coalesce(b.paid, false)"),
            f["payments_settled"].get<std::int64_t>());
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM payment a JOIN before.payment b USING (payment_id) WHERE b.paid AND "
                  "NOT a.paid"),
            0);
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM payment a LEFT JOIN before.payment b USING (payment_id) "
                  "WHERE a.paid AND NOT coalesce(b.paid, false) AND a.last_updated <= a.created_at"),
            0);
  // Amended quantities carried their unpaid payment's amount along.
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM payment a JOIN before.payment b USING (payment_id) "
                  "WHERE a.payment_amount <> b.payment_amount"),
            f["amended_payments"].get<std::int64_t>());
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM payment p JOIN transaction t USING (transaction_id) "
                  "LEFT JOIN sales_order s USING (sales_order_id) LEFT JOIN purchase_order o USING "
                  "(purchase_order_id) "
                  "WHERE p.payment_amount <> coalesce(s.units_sold * s.unit_price, "
                  "o.item_quantity * o.item_unit_price)"),
            0);

  // Invariants over every table.
  for (const auto& t : kTables) {
    EXPECT_EQ(count(db.url, "SELECT count(*) FROM " + t + " WHERE created_at > last_updated"), 0) << t;
  }
  EXPECT_EQ(count(db.url,
                  "SELECT count(*) FROM transaction t WHERE (t.transaction_type = 'SALE') <> "
                  "(t.sales_order_id IS NOT NULL AND t.purchase_order_id IS NULL) "
                  "OR NOT EXISTS (SELECT 1 FROM payment p WHERE p.transaction_id = t.transaction_id)"),
            0);
  EXPECT_EQ(count(db.url,
                  "SELECT (SELECT count(*) FROM sales_order) + (SELECT count(*) FROM purchase_order) "
                  "- (SELECT count(*) FROM transaction)"),
            0);
  EXPECT_EQ(
      count(db.url,
            "SELECT count(*) FROM staff WHERE email_address <> lower(first_name || '.' || last_name) || "
            "'@terrifictotes.com'"),
      0);

  // The late commit, proven from what the poller saw: a row that was not visible at some poll
  // although its last_updated was older than the newest row that poll saw. An extractor that
  // remembered that watermark would never read it.
  ASSERT_GE(polls.size(), 20u);
  std::map<std::string, std::string> final_rows;
  {
    pqxx::connection conn(db.url);
    pqxx::nontransaction q(conn);
    for (const auto& row : q.exec_params(kNewOrdersSql, test_start)) {
      final_rows[row[0].as<std::string>()] = row[1].as<std::string>();
    }
  }
  std::map<std::string, std::string> missed;  // row -> the watermark it hid behind
  for (const auto& poll : polls) {
    for (const auto& [key, last_updated] : final_rows) {
      if (poll.visible.count(key) == 0 && last_updated < poll.max_last_updated) {
        missed[key] = std::max(missed[key], poll.max_last_updated);
      }
    }
  }
  EXPECT_FALSE(missed.empty());
  ASSERT_EQ(f["late_commit_rows"].size(), f["late_commits"].get<std::size_t>());
  for (const auto& late : f["late_commit_rows"]) {
    const std::string key =
        late["table"].get<std::string>() + ":" + std::to_string(late["id"].get<std::int64_t>());
    ASSERT_TRUE(missed.count(key))
        << key << " was reported late, but every poll that missed it had an older watermark";
    EXPECT_EQ(final_rows[key], late["last_updated"].get<std::string>());
    // It was held for the hold time, not a millisecond: the watermark passed it by over 1 s.
    const std::string overtaken_by = missed[key];
    EXPECT_GE(count(db.url, "SELECT extract(epoch FROM ('" + overtaken_by + "'::timestamp - '" +
                                final_rows[key] + "'::timestamp)) * 1000"),
              1000)
        << key << " last_updated " << final_rows[key] << ", watermark " << overtaken_by;
  }
}

TEST(SourceSimulate, BadInputExitsTwo) {
  const std::string url = "postgresql://postgres@127.0.0.1:" + std::to_string(free_port()) + "/totesys";
  const std::vector<std::vector<std::string>> cases = {
      {"--rate=-1", "--duration", "2s"},
      {"--rate", "0", "--duration", "2s"},
      {"--duration", "0"},
      {"--duration", "-5s"},
      {"--duration", "5 parsecs"},
      {"--concurrency", "0", "--duration", "2s"},
      {"--late-hold", "0s", "--duration", "2s"},
  };
  for (const auto& extra : cases) {
    std::vector<std::string> argv = {DWH_CLI_PATH, "source", "simulate", "--url", url};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto r = run_process(argv, source_env(url));
    EXPECT_EQ(r.exit_code, 2) << extra[0] << " " << extra[1] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("dwh source simulate:"), std::string::npos) << r.err;
  }
  // A malformed URL, and a server that is not there.
  for (const std::string& bad :
       {std::string("postgresql://127.0.0.1:99999/totesys"), std::string("http://x/y"), url}) {
    const auto r =
        run_process({DWH_CLI_PATH, "source", "simulate", "--url", bad, "--duration", "2s"}, source_env(bad));
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.out << r.err;
  }
}

TEST(SourceSimulate, RefusesADatabaseWithoutTotesysOrWithoutBaseData) {
  auto& pg = PostgresFixture::instance();
  const TestDatabase empty = pg.create_database("simulate_empty");
  auto r = run_process({DWH_CLI_PATH, "source", "simulate", "--url", empty.url, "--duration", "2s"},
                       source_env(empty.url));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("dwh source init"), std::string::npos) << r.err;

  const TestDatabase bare = pg.create_database("simulate_bare");
  auto init = run_process({DWH_CLI_PATH, "source", "init", "--url", bare.url});
  ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
  r = run_process({DWH_CLI_PATH, "source", "simulate", "--url", bare.url, "--duration", "2s"},
                  source_env(bare.url));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("dwh source generate"), std::string::npos) << r.err;
  EXPECT_EQ(count(bare.url, "SELECT count(*) FROM sales_order"), 0);
}

}  // namespace
}  // namespace dwh::test
