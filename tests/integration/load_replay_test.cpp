// Exactly once: the same manifests loaded twice, a load killed at random points (named crash
// points and SIGKILL after a random delay) and rerun, and two loaders at once all leave the
// warehouse identical to one clean load, with every manifest recorded once. Also the large-batch
// path (foreign keys dropped for the append and added back): same rows, same valid constraints.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "load_test_support.hpp"

namespace dwh::test {
namespace {

using namespace load_support;

// Two transform runs (a full one and an incremental one), and one clean load of both.
struct Loaded {
  Pipeline p;
  Snapshot clean;
  std::vector<std::string> runs;
};

Loaded& two_runs() {
  static Loaded* l = [] {
    auto* x = new Loaded{Pipeline::make("load_replay"), {}, {}};
    x->p.ingest();
    x->p.transform();
    x->p.simulate(7);
    x->p.ingest();
    x->p.transform();
    x->p.init_warehouse();
    const auto r = x->p.load();
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    x->clean = warehouse_snapshot(x->p.warehouse.url);
    x->runs = loaded_runs(x->p.warehouse.url);
    return x;
  }();
  return *l;
}

// A fresh initialised warehouse for the same processed store.
TestDatabase fresh_warehouse(const Pipeline& p, const std::string& prefix) {
  auto db = PostgresFixture::instance().create_database(prefix);
  const auto r = p.dwh({"warehouse", "init", "--warehouse", db.url, "--model", model_dir()});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  return db;
}

ProcessResult load_into(const Pipeline& p, const TestDatabase& db, std::vector<std::string> prefix = {},
                        std::map<std::string, std::string> env = {}, std::vector<std::string> extra_args = {},
                        std::string url = {}) {
  std::vector<std::string> argv = prefix;
  argv.push_back(DWH_CLI_PATH);
  for (const auto& a : {"load", "--processed"}) argv.push_back(a);
  argv.push_back(p.processed);
  argv.push_back("--warehouse");
  argv.push_back(url.empty() ? db.url : url);
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto e = p.env;
  for (auto& [k, v] : env) e[k] = v;
  return run_process(argv, e);
}

TEST(LoadReplay, LoadingTheSameManifestsTwiceAddsNothing) {
  auto& l = two_runs();
  ASSERT_EQ(l.runs.size(), 2u);
  ASSERT_GT(l.clean.at("fact_sales_order").size(), 0u);
  const auto r = l.p.load();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("status"), "nothing new");
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(l.p.warehouse.url)), "");

  // Forget the control rows (as if the commit had been lost) and replay: the fact append skips
  // every stored version and the upserts change nothing.
  const auto facts_before =
      PostgresFixture::query_value(l.p.warehouse.url, "SELECT count(*) FROM fact_sales_order");
  PostgresFixture::run_sql(l.p.warehouse.url, "DELETE FROM dwh_loaded_manifests");
  const auto again = l.p.load();
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  const auto report = nlohmann::json::parse(again.out);
  ASSERT_EQ(report.at("loaded").size(), 2u);
  for (const auto& m : report.at("loaded")) {
    for (const auto& t : {"fact_sales_order", "fact_purchase_order", "fact_payment"}) {
      EXPECT_EQ(m.at("written").value(t, 0), 0) << t << " in the replay of " << m.at("run_id");
    }
  }
  EXPECT_EQ(PostgresFixture::query_value(l.p.warehouse.url, "SELECT count(*) FROM fact_sales_order"),
            facts_before);
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(l.p.warehouse.url)), "");
  EXPECT_EQ(loaded_runs(l.p.warehouse.url), l.runs);
}

TEST(LoadReplay, KilledAtRandomPointsThenRerunEqualsOneCleanLoad) {
  auto& l = two_runs();
  const std::vector<std::string> points = {"load-after-lock",  "load-after-stage",   "load-after-dimensions",
                                           "load-after-facts", "load-before-commit", "load-after-commit"};
  std::mt19937 rng(20261121);
  constexpr int kTrials = 24;
  int killed = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const auto db = fresh_warehouse(l.p, "load_crash");
    ProcessResult crashed;
    std::string how;
    if (trial % 2 == 0) {
      how = points[rng() % points.size()];
      crashed = load_into(l.p, db, {}, {{"DWH_TEST_CRASH_POINT", how}});
    } else {
      // SIGKILL after a random delay: wherever the job happens to be.
      const int ms = static_cast<int>(rng() % 900);
      how = "SIGKILL after " + std::to_string(ms) + " ms";
      char secs[16];
      std::snprintf(secs, sizeof secs, "%.3f", ms / 1000.0);
      crashed = load_into(l.p, db, {"/usr/bin/timeout", "-s", "KILL", secs});
    }
    killed += crashed.exit_code != 0;
    const auto rerun = load_into(l.p, db);
    ASSERT_EQ(rerun.exit_code, 0) << how << "\n" << describe(rerun);
    EXPECT_EQ(diff(l.clean, warehouse_snapshot(db.url)), "") << how;
    EXPECT_EQ(loaded_runs(db.url), l.runs) << how;
    PostgresFixture::instance().drop_database(db.name);
  }
  EXPECT_GE(killed, kTrials / 2) << "too few trials actually killed the load";
}

TEST(LoadReplay, TwoConcurrentLoadersLoadEachManifestOnce) {
  auto& l = two_runs();
  for (int round = 0; round < 3; ++round) {
    const auto db = fresh_warehouse(l.p, "load_concurrent");
    ProcessResult a, b;
    std::thread ta([&] { a = load_into(l.p, db); });
    std::thread tb([&] { b = load_into(l.p, db); });
    ta.join();
    tb.join();
    ASSERT_EQ(a.exit_code, 0) << describe(a);
    ASSERT_EQ(b.exit_code, 0) << describe(b);
    const auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    EXPECT_EQ(ja.at("loaded").size() + jb.at("loaded").size(), l.runs.size()) << a.out << "\n" << b.out;
    EXPECT_EQ(loaded_runs(db.url), l.runs);
    EXPECT_EQ(diff(l.clean, warehouse_snapshot(db.url)), "");
    EXPECT_EQ(PostgresFixture::query_value(db.url,
                                           "SELECT count(*) FROM (SELECT sales_order_id, last_updated_date, "
                                           "last_updated_time FROM fact_sales_order GROUP BY 1, 2, 3 "
                                           "HAVING count(*) > 1) d"),
              "0");
  }
}

// Every constraint of the warehouse: table, name, definition, validated.
std::vector<std::string> constraints(const std::string& url) {
  return sorted_rows(url,
                     "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
                     "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace");
}

std::vector<std::string> deferred(const nlohmann::json& manifest) {
  return manifest.value("deferred_foreign_keys", std::vector<std::string>{});
}

const std::vector<std::string> kFacts = {"fact_payment", "fact_purchase_order", "fact_sales_order"};

TEST(LoadForeignKeys, LargeBatchesAppendWithTheKeysDroppedAndEndWithTheSameValidatedConstraints) {
  auto& l = two_runs();
  const auto reference = constraints(l.p.warehouse.url);
  ASSERT_EQ(std::count_if(reference.begin(), reference.end(),
                          [](const std::string& c) { return c.find("FOREIGN KEY") != std::string::npos; }),
            24);

  // Every fact batch is "large" from 1 row: the first (full) load appends into empty facts.
  const auto db = fresh_warehouse(l.p, "load_fk_defer");
  const auto r = load_into(l.p, db, {}, {}, {"--defer-foreign-keys-from", "1"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto report = nlohmann::json::parse(r.out);
  ASSERT_EQ(report.at("loaded").size(), 2u);
  EXPECT_EQ(deferred(report.at("loaded")[0]), kFacts) << r.out;
  EXPECT_NE(r.err.find("foreign keys added back and validated after the append"), std::string::npos) << r.err;
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(db.url)), "");
  EXPECT_EQ(loaded_runs(db.url), l.runs);
  EXPECT_EQ(constraints(db.url), reference) << "the same constraints, all validated";
  PostgresFixture::instance().drop_database(db.name);

  // Below the threshold (and with 0: never) every key stays in place.
  const auto kept = fresh_warehouse(l.p, "load_fk_keep");
  const auto k = load_into(l.p, kept, {}, {}, {"--defer-foreign-keys-from", "0"});
  ASSERT_EQ(k.exit_code, 0) << describe(k);
  // (A named report: a range-for over .at() of a temporary would iterate freed memory.)
  const auto kept_report = nlohmann::json::parse(k.out);
  for (const auto& m : kept_report.at("loaded")) EXPECT_TRUE(deferred(m).empty()) << k.out;
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(kept.url)), "");
  PostgresFixture::instance().drop_database(kept.name);
}

TEST(LoadForeignKeys, KilledWhileTheKeysAreDroppedLeavesThemInPlaceAndNothingLoaded) {
  auto& l = two_runs();
  const auto db = fresh_warehouse(l.p, "load_fk_kill");
  const auto before = constraints(db.url);
  const auto crashed = load_into(l.p, db, {}, {{"DWH_TEST_CRASH_POINT", "load-after-dropping-foreign-keys"}},
                                 {"--defer-foreign-keys-from", "1"});
  EXPECT_NE(crashed.exit_code, 0) << describe(crashed);
  EXPECT_EQ(constraints(db.url), before);
  EXPECT_EQ(PostgresFixture::query_value(db.url, "SELECT count(*) FROM fact_payment"), "0");
  EXPECT_TRUE(loaded_runs(db.url).empty());
  const auto rerun = load_into(l.p, db, {}, {}, {"--defer-foreign-keys-from", "1"});
  ASSERT_EQ(rerun.exit_code, 0) << describe(rerun);
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(db.url)), "");
  EXPECT_EQ(constraints(db.url), before);
  PostgresFixture::instance().drop_database(db.name);
}

TEST(LoadForeignKeys, ALoaderThatDoesNotOwnTheFactsKeepsTheKeysAndLoads) {
  auto& l = two_runs();
  const auto db = fresh_warehouse(l.p, "load_fk_role");
  PostgresFixture::run_sql(
      db.url,
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fk_loader') THEN "
      "CREATE ROLE fk_loader LOGIN; END IF; END $$;"
      "GRANT SELECT, INSERT, UPDATE, REFERENCES ON ALL TABLES IN SCHEMA public TO fk_loader;"
      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO fk_loader;"
      "GRANT TEMPORARY ON DATABASE " +
          db.name + " TO fk_loader");
  std::string url = db.url;
  url.replace(url.find("postgres@"), 9, "fk_loader@");
  const auto r = load_into(l.p, db, {}, {}, {"--defer-foreign-keys-from", "1"}, url);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  const auto report = nlohmann::json::parse(r.out);
  for (const auto& m : report.at("loaded")) EXPECT_TRUE(deferred(m).empty()) << r.out;
  EXPECT_EQ(diff(l.clean, warehouse_snapshot(db.url)), "");
  PostgresFixture::instance().drop_database(db.name);
}

}  // namespace
}  // namespace dwh::test
