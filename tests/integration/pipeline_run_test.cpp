// dwh run, end to end on real components: a generated totesys source in PostgreSQL, file:// and
// s3:// (s3rver, signatures checked) stores, a PostgreSQL warehouse. The warehouse is compared
// with the source by recomputing every table in SQL on the source side (dims: the current rows
// through the lineage; facts: the newest version of every row through the *_current views, and
// one fact row per landed version, none twice).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "dwh/aws/s3.hpp"
#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"
#include "s3rver.hpp"

namespace dwh::test {
namespace {

using nlohmann::json;

// The same tables recomputed from the source (left) and read from the warehouse (right), as
// sorted text rows; PostgreSQL prints both sides, so equal meaning gives equal text.
struct Comparison {
  const char* name;
  const char* source_sql;
  const char* warehouse_sql;
};

const Comparison kComparisons[] = {
    {"dim_staff",
     "SELECT s.staff_id, s.first_name, s.last_name, d.department_name, coalesce(d.location, 'Undefined'), "
     "s.email_address "
     "FROM staff s JOIN department d USING (department_id)",
     "SELECT staff_id, first_name, last_name, department_name, location, email_address FROM dim_staff"},
    {"dim_location",
     "SELECT address_id, address_line_1, address_line_2, district, city, postal_code, country, phone FROM "
     "address",
     "SELECT * FROM dim_location"},
    {"dim_design", "SELECT design_id, design_name, file_location, file_name FROM design",
     "SELECT * FROM dim_design"},
    {"dim_currency",
     "SELECT currency_id, currency_code, CASE currency_code WHEN 'GBP' THEN 'Pound Sterling' WHEN 'USD' THEN "
     "'US Dollar' "
     "WHEN 'EUR' THEN 'Euro' END FROM currency",
     "SELECT * FROM dim_currency"},
    {"dim_counterparty",
     "SELECT c.counterparty_id, c.counterparty_legal_name, a.address_line_1, a.address_line_2, a.district, "
     "a.city, "
     "a.postal_code, a.country, a.phone FROM counterparty c JOIN address a ON a.address_id = "
     "c.legal_address_id",
     "SELECT * FROM dim_counterparty"},
    {"dim_payment_type", "SELECT payment_type_id, payment_type_name::text FROM payment_type",
     "SELECT * FROM dim_payment_type"},
    {"dim_transaction",
     "SELECT transaction_id, transaction_type::text, sales_order_id, purchase_order_id FROM transaction",
     "SELECT * FROM dim_transaction"},
    {"fact_sales_order (current)",
     "SELECT sales_order_id, created_at::date, created_at::time, last_updated::date, last_updated::time, "
     "staff_id, "
     "counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date::date, "
     "agreed_delivery_date::date, agreed_delivery_location_id FROM sales_order",
     "SELECT sales_order_id, created_date, created_time, last_updated_date, last_updated_time, "
     "sales_staff_id, "
     "counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date, "
     "agreed_delivery_date, "
     "agreed_delivery_location_id FROM fact_sales_order_current"},
    {"fact_purchase_order (current)",
     "SELECT purchase_order_id, created_at::date, created_at::time, last_updated::date, last_updated::time, "
     "staff_id, "
     "counterparty_id, item_code, item_quantity, item_unit_price, currency_id, agreed_delivery_date::date, "
     "agreed_payment_date::date, agreed_delivery_location_id FROM purchase_order",
     "SELECT purchase_order_id, created_date, created_time, last_updated_date, last_updated_time, staff_id, "
     "counterparty_id, item_code, item_quantity, item_unit_price, currency_id, agreed_delivery_date, "
     "agreed_payment_date, "
     "agreed_delivery_location_id FROM fact_purchase_order_current"},
    {"fact_payment (current)",
     "SELECT payment_id, created_at::date, created_at::time, last_updated::date, last_updated::time, "
     "transaction_id, "
     "counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date::date FROM payment",
     "SELECT payment_id, created_date, created_time, last_updated_date, last_updated_time, transaction_id, "
     "counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date FROM "
     "fact_payment_current"},
};

std::string rows_text(const std::string& url, const std::string& sql) {
  return PostgresFixture::query_value(
      url, "SELECT coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '') FROM (" + sql + ") r");
}

// Differences between the source recomputation and the warehouse, one entry per table.
std::vector<std::string> compare_warehouse(const std::string& source_url, const std::string& warehouse_url) {
  std::vector<std::string> diffs;
  for (const auto& c : kComparisons) {
    const std::string want = rows_text(source_url, c.source_sql);
    const std::string got = rows_text(warehouse_url, c.warehouse_sql);
    if (want.empty()) diffs.push_back(std::string(c.name) + ": the source side is empty (test setup)");
    if (want != got) {
      const auto lines = [](const std::string& s) {
        return std::count(s.begin(), s.end(), '\n') + (s.empty() ? 0 : 1);
      };
      diffs.push_back(std::string(c.name) + ": " + std::to_string(lines(want)) + " source rows vs " +
                      std::to_string(lines(got)) + " warehouse rows, content differs");
    }
  }
  for (const auto& [fact, key] :
       {std::pair{"fact_sales_order", "sales_order_id"},
        std::pair{"fact_purchase_order", "purchase_order_id"}, std::pair{"fact_payment", "payment_id"}}) {
    const std::string dups = PostgresFixture::query_value(
        warehouse_url, std::string("SELECT count(*) FROM (SELECT 1 FROM ") + fact + " GROUP BY " + key +
                           ", last_updated_date, last_updated_time HAVING count(*) > 1) d");
    if (dups != "0") diffs.push_back(std::string(fact) + ": " + dups + " versions loaded twice");
  }
  return diffs;
}

// Every warehouse table as text without the surrogate keys (their values depend on load order
// across runs; the content must not).
std::string warehouse_content(const std::string& url) {
  std::string out;
  for (const auto& c : kComparisons)
    out += std::string(c.name) + "\n" + rows_text(url, c.warehouse_sql) + "\n";
  for (const char* sql :
       {"SELECT sales_order_id, last_updated_date, last_updated_time, units_sold FROM fact_sales_order",
        "SELECT payment_id, last_updated_date, last_updated_time, paid FROM fact_payment",
        "SELECT purchase_order_id, last_updated_date, last_updated_time FROM fact_purchase_order",
        "SELECT * FROM dim_date"}) {
    out += rows_text(url, sql) + "\n";
  }
  return out;
}

std::vector<std::string> run_args(const std::string& source, const std::string& landing,
                                  const std::string& processed, const std::string& warehouse) {
  return {DWH_CLI_PATH,
          "run",
          "--json",
          "--source",
          source,
          "--landing",
          landing,
          "--processed",
          processed,
          "--warehouse",
          warehouse,
          "--model",
          DWH_SOURCE_DIR "/models/totesys"};
}

json last_summary(const std::string& out) {
  // --json prints one object per run, one per line; the last line is this run's.
  std::string text = out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto nl = text.rfind('\n');
  const std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
  if (line.empty() || line[0] != '{') return json::object();
  return json::parse(line);
}

std::string stage_status(const json& summary, const std::string& stage) {
  for (const auto& s : summary.value("stages", json::array())) {
    if (s.value("stage", "") == stage) return s.value("status", "");
  }
  return "missing";
}

TEST(PipelineRun, OnceThenNothingNewAndTheWarehouseEqualsTheSource) {
  const auto db = make_totesys_source("pipe_once", 0.05);
  const auto wh = PostgresFixture::instance().create_database("pipe_once_wh");
  const auto args = run_args(db.url, "file://" + make_temp_dir("pipe-land"),
                             "file://" + make_temp_dir("pipe-proc"), wh.url);

  const auto first = run_process(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const json s1 = last_summary(first.out);
  EXPECT_TRUE(s1.value("ok", false)) << first.out;
  for (const char* stage : {"ingest", "transform", "load"})
    EXPECT_EQ(stage_status(s1, stage), "done") << stage;
  EXPECT_FALSE(s1["freshness_seconds"].is_null()) << first.out;
  EXPECT_TRUE(compare_warehouse(db.url, wh.url).empty())
      << ::testing::PrintToString(compare_warehouse(db.url, wh.url));

  const auto second = run_process(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json s2 = last_summary(second.out);
  for (const char* stage : {"ingest", "transform", "load"})
    EXPECT_EQ(stage_status(s2, stage), "nothing new") << stage;

  PostgresFixture::run_sql(db.url,
                           "UPDATE department SET department_name = department_name || ' Dept', "
                           "last_updated = now() AT TIME ZONE 'UTC' WHERE department_id = 2;"
                           "UPDATE sales_order SET units_sold = units_sold + 1, "
                           "last_updated = now() AT TIME ZONE 'UTC' WHERE sales_order_id <= 3");
  const auto third = run_process(args);
  ASSERT_EQ(third.exit_code, 0) << third.err;
  const json s3 = last_summary(third.out);
  for (const char* stage : {"ingest", "transform", "load"})
    EXPECT_EQ(stage_status(s3, stage), "done") << stage;
  EXPECT_TRUE(compare_warehouse(db.url, wh.url).empty())
      << ::testing::PrintToString(compare_warehouse(db.url, wh.url));
  EXPECT_EQ(
      PostgresFixture::query_value(wh.url, "SELECT count(*) FROM fact_sales_order WHERE sales_order_id <= 3"),
      "6")
      << "an amended order keeps both versions";

  // Freshness comes from the control table (one row per load), not from a scan of every fact
  // version, and says the same as that scan.
  const std::string scan =
      "SELECT to_char(MAX(CAST(last_updated_date AS timestamp) + last_updated_time), 'YYYY-MM-DD "
      "HH24:MI:SS.MS') FROM ("
      "SELECT last_updated_date, last_updated_time FROM fact_sales_order UNION ALL "
      "SELECT last_updated_date, last_updated_time FROM fact_purchase_order UNION ALL "
      "SELECT last_updated_date, last_updated_time FROM fact_payment) f";
  const std::string view =
      "SELECT to_char(newest_source_change, 'YYYY-MM-DD HH24:MI:SS.MS') FROM warehouse_freshness";
  const std::string newest = PostgresFixture::query_value(wh.url, scan);
  ASSERT_FALSE(newest.empty());
  EXPECT_EQ(s3.value("newest_source_change", ""), newest) << third.out;
  EXPECT_EQ(PostgresFixture::query_value(wh.url, view), newest);
  EXPECT_EQ(PostgresFixture::query_value(wh.url,
                                         "SELECT count(*) || ' loads, ' || count(newest_source_change) || "
                                         "' with their newest change' FROM dwh_loaded_manifests"),
            "2 loads, 2 with their newest change");
  std::string plan;
  for (const auto& row : PostgresFixture::run_sql(wh.url, "EXPLAIN SELECT * FROM warehouse_freshness")) {
    plan += row.at(0).as<std::string>() + "\n";
  }
  EXPECT_EQ(plan.find("fact_"), std::string::npos) << plan;

  // A warehouse loaded by an earlier release (no such column, an older view): `warehouse init`
  // adds the column and fills it in once from the facts.
  PostgresFixture::run_sql(wh.url,
                           "ALTER TABLE dwh_loaded_manifests DROP COLUMN newest_source_change CASCADE");
  const auto init = run_process({DWH_CLI_PATH, "warehouse", "init", "--warehouse", wh.url, "--model",
                                 DWH_SOURCE_DIR "/models/totesys"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(PostgresFixture::query_value(wh.url, view), newest);
  EXPECT_EQ(
      PostgresFixture::query_value(wh.url, "SELECT count(newest_source_change) FROM dwh_loaded_manifests"),
      "1")
      << "only the last load's row";
}

TEST(PipelineRun, FailingStepIsNamedAndExitIsNonZero) {
  const auto db = make_totesys_source("pipe_fail", 0.01);
  const auto wh = PostgresFixture::instance().create_database("pipe_fail_wh");
  const std::string landing = make_temp_dir("pipe-fail-land");
  auto args = run_args(db.url, "file://" + landing, "file://" + make_temp_dir("pipe-fail-proc"), wh.url);
  args[std::find(args.begin(), args.end(), "--model") - args.begin() + 1] = make_temp_dir("no-models");
  const auto r = run_process(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sources.toml"), std::string::npos) << r.err;

  // A processed store that cannot exist (its parent is a file): transform fails, load does not run.
  const std::string blocker = make_temp_dir("pipe-fail-blocker") + "/file";
  { std::ofstream(blocker) << "x"; }
  args = run_args(db.url, "file://" + landing, "file://" + blocker + "/processed", wh.url);
  const auto broken = run_process(args);
  EXPECT_EQ(broken.exit_code, 1) << broken.err;
  EXPECT_NE(broken.err.find("step 'transform' failed"), std::string::npos) << broken.err;
  const json s = last_summary(broken.out);
  EXPECT_EQ(stage_status(s, "load"), "not run");
}

TEST(PipelineRun, FileAndS3StoresGiveTheSameWarehouse) {
  const auto db = make_totesys_source("pipe_s3", 0.03);
  const auto wh_file = PostgresFixture::instance().create_database("pipe_s3_whf");
  const auto wh_s3 = PostgresFixture::instance().create_database("pipe_s3_whs");
  auto& s3 = S3rver::instance();
  const std::string bucket = unique_bucket("pipeline");
  {
    auto client = aws::s3::Client::create(s3.client_options());
    ASSERT_TRUE(client) << client.error().message;
    ASSERT_TRUE((*client)->create_bucket(bucket));
  }
  const auto env = s3.cli_environment();

  const auto a = run_process(run_args(db.url, "file://" + make_temp_dir("pipe-s3-l"),
                                      "file://" + make_temp_dir("pipe-s3-p"), wh_file.url));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto b = run_process(
      run_args(db.url, "s3://" + bucket + "/landing", "s3://" + bucket + "/processed", wh_s3.url), env);
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err.substr(b.err.size() > 3000 ? b.err.size() - 3000 : 0);
  EXPECT_EQ(stage_status(last_summary(b.out), "load"), "done") << b.out;
  EXPECT_EQ(warehouse_content(wh_file.url), warehouse_content(wh_s3.url));
  EXPECT_TRUE(compare_warehouse(db.url, wh_s3.url).empty());
}

// Kills `dwh run` at random moments, many times, then lets it finish: nothing lost, nothing
// twice, the same warehouse as one uninterrupted run on the same source.
TEST(PipelineRun, ResumesAfterBeingKilledAnywhere) {
  const auto db = make_totesys_source("pipe_kill", 0.05);
  const auto wh = PostgresFixture::instance().create_database("pipe_kill_wh");
  const auto clean_wh = PostgresFixture::instance().create_database("pipe_kill_clean");
  const auto args = run_args(db.url, "file://" + make_temp_dir("pipe-kill-l"),
                             "file://" + make_temp_dir("pipe-kill-p"), wh.url);
  // Kill delays are drawn below how long an incremental run takes on this machine and build
  // (most trials are incremental runs), so the kills land inside runs whatever the build's speed.
  const auto timed_args =
      run_args(db.url, "file://" + make_temp_dir("pipe-kill-tl"), "file://" + make_temp_dir("pipe-kill-tp"),
               PostgresFixture::instance().create_database("pipe_kill_timed").url);
  ASSERT_EQ(run_process(timed_args).exit_code, 0);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_process(timed_args).exit_code, 0);
  const int run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  std::mt19937 rng(12345);
  int killed = 0;
  for (int trial = 0; trial < 20; ++trial) {
    if (trial % 4 == 1) {
      PostgresFixture::run_sql(db.url,
                               "UPDATE payment SET paid = true, last_updated = now() AT TIME ZONE 'UTC' "
                               "WHERE payment_id IN (SELECT payment_id FROM payment WHERE NOT paid LIMIT 7)");
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      (void)!freopen("/dev/null", "w", stdout);
      (void)!freopen("/dev/null", "w", stderr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto delay =
        std::chrono::milliseconds(std::uniform_int_distribution<int>(1, std::max(2, run_ms * 9 / 10))(rng));
    const auto until = std::chrono::steady_clock::now() + delay;
    int status = 0;
    bool done = false;
    while (std::chrono::steady_clock::now() < until) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        done = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!done) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ++killed;
    } else {
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "trial " << trial;
    }
  }
  const auto last = run_process(args);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_GE(killed, 10) << "most trials must really interrupt a run";
  EXPECT_TRUE(compare_warehouse(db.url, wh.url).empty())
      << ::testing::PrintToString(compare_warehouse(db.url, wh.url));

  const auto clean = run_process(run_args(db.url, "file://" + make_temp_dir("pipe-clean-l"),
                                          "file://" + make_temp_dir("pipe-clean-p"), clean_wh.url));
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  // Dims and current facts equal; history may differ legitimately (the killed pipeline saw the
  // payments before and after settlement, the clean run only after), so compare current state.
  EXPECT_TRUE(compare_warehouse(db.url, clean_wh.url).empty());
}

TEST(PipelineRun, UnderConcurrentSimulateTheFinalWarehouseEqualsTheSource) {
  const auto db = make_totesys_source("pipe_sim", 0.05);
  const auto wh = PostgresFixture::instance().create_database("pipe_sim_wh");
  const auto args = run_args(db.url, "file://" + make_temp_dir("pipe-sim-l"),
                             "file://" + make_temp_dir("pipe-sim-p"), wh.url);
  // The full load first: on a loaded CI machine under ASan it can outlast the whole simulation,
  // and the point here is incremental runs racing the writers.
  const auto full = run_process(args);
  ASSERT_EQ(full.exit_code, 0) << full.err;
  std::atomic<bool> simulating{true};
  ProcessResult sim;
  std::thread writer([&] {
    sim = run_process({DWH_CLI_PATH, "source", "simulate", "--url", db.url, "--duration", "6s", "--rate",
                       "60", "--late-hold", "1500ms", "--seed", "3"});
    simulating = false;
  });
  int runs = 0;
  std::optional<ProcessResult> failed_run;
  while (simulating) {
    auto r = run_process(args);
    if (r.exit_code != 0) {
      failed_run = std::move(r);
      break;
    }
    ++runs;
  }
  // Joined before any assertion can return: a joinable thread at scope exit would terminate.
  writer.join();
  ASSERT_FALSE(failed_run) << "run " << runs + 1 << " failed during the simulation:\n" << failed_run->err;
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const auto final_run = run_process(args);
  ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
  std::cout << runs << " incremental runs during the simulation\n";
  const auto diffs = compare_warehouse(db.url, wh.url);
  EXPECT_TRUE(diffs.empty()) << ::testing::PrintToString(diffs);
  // History: the warehouse holds exactly the versions ingest landed, once each.
  const auto landed = read_landing(args[6]);
  std::size_t landed_sales = 0;
  for (const auto& r : landed.rows) landed_sales += r.table == "sales_order";
  EXPECT_EQ(PostgresFixture::query_value(wh.url, "SELECT count(*) FROM fact_sales_order"),
            std::to_string(landed_sales));
}

}  // namespace
}  // namespace dwh::test
