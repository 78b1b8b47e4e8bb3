// dwh report in a real browser: a warehouse made by `dwh warehouse init` and filled by SQL with
// generated data, the page rendered by headless Chromium, and what the BROWSER built (its
// serialized DOM, --dump-dom) parsed by tests/tools/report_dom.py (Python's HTML parser):
// marks per chart equal the counts computed in SQL over the same views, the page logs nothing
// to the console, fetches nothing, and database values render as text. Screenshots are kept
// under <build>/test-artifacts/.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kBrowserTimeout = "120";  // seconds, for coreutils timeout(1)
const std::string kHostileDesign = "<script>alert('design')</script>";

fs::path artifacts_dir() {
  const fs::path dir = fs::path(DWH_BINARY_DIR) / "test-artifacts";
  fs::create_directories(dir);
  return dir;
}

ProcessResult dwh(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {});
}

std::int64_t count(const std::string& url, const std::string& sql) {
  return std::stoll(PostgresFixture::query_value(url, sql));
}

// One headless Chromium run over a local file. Each run gets its own profile directory so
// parallel tests do not share (and lock) one.
ProcessResult chromium(const fs::path& page, const std::vector<std::string>& extra) {
  const std::string profile = make_temp_dir("chromium-profile");
  std::vector<std::string> argv = {"timeout", kBrowserTimeout, kChromium, "--headless=new", "--no-sandbox",
                                   "--disable-gpu", "--user-data-dir=" + profile,
                                   // Console messages go to stderr as "...:INFO:CONSOLE:<line>] ..."
                                   // lines (every level alike), which is how we read the console.
                                   "--enable-logging=stderr", "--v=0"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back("file://" + fs::absolute(page).string());
  auto r = run_process(argv, {});
  std::error_code ec;
  fs::remove_all(profile, ec);
  return r;
}

// The console lines Chromium logged. The dashboard has no script, so ANY console line (an error,
// a blocked fetch reported by the Content-Security-Policy, a warning) is a defect.
std::vector<std::string> console_lines(const std::string& stderr_text) {
  std::vector<std::string> out;
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
  }
  return out;
}

struct Rendered {
  json dom;  // report_dom.py's summary of what the browser built
  std::vector<std::string> console;
};

Rendered render_in_browser(const fs::path& page) {
  const auto r = chromium(page, {"--dump-dom"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("</html>"), std::string::npos) << "no DOM dumped: " << r.err;
  const auto parsed =
      run_process({"/usr/bin/python3", DWH_SOURCE_DIR "/tests/tools/report_dom.py"}, {}, r.out);
  EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
  return {json::parse(parsed.out), console_lines(r.err)};
}

fs::path screenshot(const fs::path& page, const std::string& name) {
  const fs::path png = artifacts_dir() / name;
  fs::remove(png);
  const auto r =
      chromium(page, {"--screenshot=" + png.string(), "--window-size=1280,2000", "--hide-scrollbars"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(png) && fs::file_size(png) > 10000) << "no screenshot at " << png << ": " << r.err;
  std::cout << "screenshot: " << png.string() << std::endl;
  return png;
}

// A warehouse with the schema, control table and views of models/totesys, and its shared
// dimension rows: dates, currencies, payment types, locations.
TestDatabase initialised_warehouse(const std::string& prefix) {
  auto& pg = PostgresFixture::instance();
  auto db = pg.create_database(prefix);
  const auto init =
      dwh({"warehouse", "init", "--warehouse", db.url, "--model", DWH_SOURCE_DIR "/models/totesys"});
  EXPECT_EQ(init.exit_code, 0) << init.err;
  return db;
}

void fill_calendar_and_lookups(const std::string& url) {
  PostgresFixture::run_sql(url, R"sql(
    INSERT INTO dim_date
    SELECT d, EXTRACT(year FROM d), EXTRACT(month FROM d), EXTRACT(day FROM d), EXTRACT(isodow FROM d),
           to_char(d, 'FMDay'), to_char(d, 'FMMonth'), EXTRACT(quarter FROM d)
    FROM generate_series(DATE '2023-01-01', DATE '2025-12-31', INTERVAL '1 day') AS g(d);
    INSERT INTO dim_payment_type VALUES (1, 'SALES_RECEIPT'), (2, 'SALES_REFUND'), (3, 'PURCHASE_PAYMENT'), (4, 'PURCHASE_REFUND');
    INSERT INTO dim_location
    SELECT i, i || ' High Street', NULL, NULL, 'Town ' || i, 'PC' || i, 'Country ' || i, '0161 000 ' || i
    FROM generate_series(1, 5) AS g(i);
  )sql");
}

// A few hundred facts over 18 months, three currencies, 14 designs (one named like a script tag
// and selling the most), 15 staff, 12 counterparties in 6 countries, with re-versioned orders
// (the views keep the newest version), purchase orders, payments (some unpaid) and three loads.
void fill_generated_data(const std::string& url) {
  fill_calendar_and_lookups(url);
  PostgresFixture::run_sql(url, R"sql(
    INSERT INTO dim_currency VALUES (1, 'GBP', 'British pound'), (2, 'USD', 'US dollar'), (3, 'EUR', 'Euro');
    INSERT INTO dim_design
    SELECT i, CASE WHEN i = 7 THEN '<script>alert(''design'')</script>' ELSE 'Design ' || chr(64 + i) || ' tote' END,
           '/designs', 'design-' || i || '.jpg'
    FROM generate_series(1, 14) AS g(i);
    INSERT INTO dim_staff
    SELECT i, (ARRAY['Ada','Ben','Cleo','Dev','Eli','Fay','Gus','Hana','Ivo','Jo','Kai','Lea','Max','Nia','Oli'])[i],
           'Surname' || i, (ARRAY['Sales','Sales','Retail'])[1 + i % 3], 'Leeds', 'staff' || i || '@example.com'
    FROM generate_series(1, 15) AS g(i);
    INSERT INTO dim_counterparty
    SELECT i, 'Counterparty ' || i, i || ' Market Road', NULL, NULL, 'City ' || i, 'PC' || i,
           (ARRAY['United Kingdom','France','Germany','Japan','Brazil','Canada'])[1 + i % 6], '0200 ' || i
    FROM generate_series(1, 12) AS g(i);
    INSERT INTO dim_transaction
    SELECT i, CASE WHEN i <= 200 THEN 'SALE' ELSE 'PURCHASE' END,
           CASE WHEN i <= 200 THEN i END, CASE WHEN i > 200 THEN i - 200 END
    FROM generate_series(1, 350) AS g(i);

    INSERT INTO fact_sales_order (sales_order_id, created_date, created_time, last_updated_date, last_updated_time,
      sales_staff_id, counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date,
      agreed_delivery_date, agreed_delivery_location_id)
    SELECT i, c, TIME '09:00' + i * INTERVAL '1 minute', c, TIME '09:00' + i * INTERVAL '1 minute',
           1 + (i / 3) % 15, 1 + (i / 7) % 12,
           CASE WHEN i % 14 = 6 THEN 400 ELSE 10 + (i * 37) % 90 END,
           2.50 + (i % 17) * 0.75, 1 + i % 3, 1 + i % 14, c + 30, c + 10, 1 + i % 5
    FROM (SELECT i, DATE '2024-01-01' + ((i * 13) % 540) AS c FROM generate_series(1, 360) AS g(i)) s;
    -- A second, later version of 40 orders with other figures: only it may count.
    INSERT INTO fact_sales_order (sales_order_id, created_date, created_time, last_updated_date, last_updated_time,
      sales_staff_id, counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date,
      agreed_delivery_date, agreed_delivery_location_id)
    SELECT sales_order_id, created_date, created_time, last_updated_date + 3, last_updated_time, sales_staff_id,
           counterparty_id, units_sold + 5, unit_price, currency_id, design_id, agreed_payment_date,
           agreed_delivery_date, agreed_delivery_location_id
    FROM fact_sales_order WHERE sales_order_id <= 40;

    INSERT INTO fact_purchase_order (purchase_order_id, created_date, created_time, last_updated_date, last_updated_time,
      staff_id, counterparty_id, item_code, item_quantity, item_unit_price, currency_id, agreed_delivery_date,
      agreed_payment_date, agreed_delivery_location_id)
    SELECT i, c, TIME '10:00', c, TIME '10:00', 1 + i % 15, 1 + i % 12, 'ITEM' || i, 5 + i % 40,
           1.25 + (i % 23) * 0.5, 1 + i % 3, c + 7, c + 30, 1 + i % 5
    FROM (SELECT i, DATE '2024-01-01' + ((i * 11) % 530) AS c FROM generate_series(1, 150) AS g(i)) s;

    INSERT INTO fact_payment (payment_id, created_date, created_time, last_updated_date, last_updated_time,
      transaction_id, counterparty_id, payment_amount, currency_id, payment_type_id, paid, payment_date)
    SELECT i, c, TIME '11:00', c, TIME '11:00', 1 + i % 350, 1 + i % 12, 100 + (i * 97) % 5000, 1 + i % 3,
           1 + i % 4, i % 5 <> 0, c + 2
    FROM (SELECT i, DATE '2024-01-01' + ((i * 7) % 535) AS c FROM generate_series(1, 240) AS g(i)) s;

    -- As `dwh load` records them: the newest change among the facts (all loaded by the last run).
    INSERT INTO dwh_loaded_manifests (run_id, manifest_key, manifest_sha256, model, row_counts, loaded_at, load_seconds,
      newest_source_change)
    SELECT 'run-000' || i, '_manifests/transform/run-000' || i || '.json', repeat('a', 64), 'totesys',
           '{"fact_sales_order": {"staged": ' || (100 * i) || ', "written": ' || (100 * i) || '}, "dim_date": {"staged": 1096, "written": 0}}',
           TIMESTAMP '2025-07-01 08:00:00' + i * INTERVAL '1 hour', 0.5 * i,
           CASE WHEN i = 3 THEN (SELECT MAX(last_updated_date + last_updated_time) FROM (
             SELECT last_updated_date, last_updated_time FROM fact_sales_order UNION ALL
             SELECT last_updated_date, last_updated_time FROM fact_purchase_order UNION ALL
             SELECT last_updated_date, last_updated_time FROM fact_payment) f) END
    FROM generate_series(1, 3) AS g(i);
  )sql");
}

// What the page must show, computed in SQL over the same views.
std::map<std::string, std::int64_t> expected_marks(const std::string& url) {
  return {
      {"revenue-by-month", count(url, "SELECT count(*) FROM sales_revenue_by_month_currency")},
      {"top-designs", count(url, "SELECT count(*) FROM sales_units_by_design WHERE units_rank <= 10")},
      {"top-staff", count(url, "SELECT count(*) FROM sales_revenue_by_staff WHERE revenue_rank <= 10")},
      {"sales-by-country", count(url, "SELECT count(*) FROM sales_by_counterparty_country")},
      // Three series per row: purchases, purchase payments, sales receipts.
      {"purchases-payments", 3 * count(url, "SELECT count(*) FROM purchases_and_payments_by_month")},
  };
}

fs::path run_report(const std::string& url, const std::string& name) {
  const fs::path out = artifacts_dir() / name;
  const auto r = dwh({"report", "--warehouse", url, "--out", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(out)) << out;
  return out;
}

TEST(Report, ChartsInChromiumHaveOneMarkPerViewRowAndNoConsoleErrors) {
  const auto db = initialised_warehouse("report");
  fill_generated_data(db.url);
  const auto expected = expected_marks(db.url);
  // The data must exercise the charts: many months, all currencies, a full top 10.
  ASSERT_GT(expected.at("revenue-by-month"), 40);
  ASSERT_EQ(expected.at("top-designs"), 10);
  ASSERT_EQ(expected.at("top-staff"), 30);
  ASSERT_EQ(expected.at("sales-by-country"), 18);

  const fs::path page = run_report(db.url, "report.html");
  const auto rendered = render_in_browser(page);
  EXPECT_TRUE(rendered.console.empty()) << "console: " << rendered.console.front();
  const json& dom = rendered.dom;
  for (const auto& [chart, n] : expected) {
    EXPECT_EQ(dom["marks"].value(chart, 0), n) << chart;
  }
  EXPECT_EQ(dom["marks"].size(), expected.size()) << dom["marks"].dump();
  // Per currency, the staff chart holds that currency's top 10.
  for (const auto& currency : {"GBP", "USD", "EUR"}) {
    EXPECT_EQ(
        dom["mark_currencies"]["top-staff"].value(currency, 0),
        count(db.url, std::string("SELECT count(*) FROM sales_revenue_by_staff WHERE revenue_rank <= 10 AND "
                                  "currency_code = '") +
                          currency + "'"))
        << currency;
    EXPECT_EQ(
        dom["mark_currencies"]["revenue-by-month"].value(currency, 0),
        count(db.url,
              std::string("SELECT count(*) FROM sales_revenue_by_month_currency WHERE currency_code = '") +
                  currency + "'"))
        << currency;
  }
  EXPECT_TRUE(dom["empty"].empty()) << dom["empty"].dump();
  EXPECT_TRUE(dom["external"].empty()) << "the page must fetch nothing: " << dom["external"].dump();
  EXPECT_EQ(dom["tags"].value("script", 0), 0);

  // Figures, formatted by PostgreSQL here and by the report there.
  const std::string text = dom["text"].get<std::string>();
  const std::string top_units = PostgresFixture::query_value(
      db.url, "SELECT to_char(units_sold, 'FM999,999,999') FROM sales_units_by_design WHERE units_rank = 1");
  EXPECT_NE(text.find(top_units), std::string::npos) << top_units;
  const std::string top_gbp = PostgresFixture::query_value(
      db.url,
      "SELECT 'GBP ' || to_char(revenue, 'FM999,999,990.00') FROM sales_revenue_by_staff "
      "WHERE currency_code = 'GBP' AND revenue_rank = 1");
  EXPECT_NE(text.find(top_gbp), std::string::npos) << top_gbp;
  // The script-like design name (it sells the most) is text the browser shows, not an element.
  EXPECT_NE(text.find(kHostileDesign), std::string::npos);
  // Header: freshness and the newest control row.
  const std::string newest = PostgresFixture::query_value(
      db.url, "SELECT to_char(newest_source_change, 'YYYY-MM-DD HH24:MI:SS') FROM warehouse_freshness");
  ASSERT_FALSE(newest.empty());
  EXPECT_NE(dom["fields"].value("newest-source-change", "").find(newest), std::string::npos)
      << dom["fields"].dump();
  EXPECT_EQ(dom["fields"].value("loads", ""), "Loads 3 transform runs loaded");
  EXPECT_NE(dom["fields"].value("last-run", "").find("run-0003"), std::string::npos) << dom["fields"].dump();
  EXPECT_EQ(dom["fields"].value("last-run-status", ""), "Last run: loaded");

  screenshot(page, "report.png");
}

TEST(Report, EmptyWarehouseShowsNoDataYetPerChart) {
  const auto db = initialised_warehouse("report_empty");
  const fs::path page = run_report(db.url, "report-empty.html");
  const auto rendered = render_in_browser(page);
  EXPECT_TRUE(rendered.console.empty()) << "console: " << rendered.console.front();
  const json& dom = rendered.dom;
  EXPECT_TRUE(dom["marks"].empty()) << dom["marks"].dump();
  EXPECT_TRUE(dom["charts"].empty()) << dom["charts"].dump();
  auto empty = dom["empty"].get<std::vector<std::string>>();
  std::sort(empty.begin(), empty.end());
  EXPECT_EQ(empty, (std::vector<std::string>{"last-run", "purchases-payments", "revenue-by-month",
                                             "sales-by-country", "top-designs", "top-staff"}));
  EXPECT_EQ(dom["fields"].value("last-run-status", ""), "Last run: no loads yet");
  EXPECT_EQ(dom["fields"].value("loads", ""), "Loads 0 transform runs loaded");
  screenshot(page, "report-empty.png");
}

// Values from the database in every context the page uses: chart labels and tooltips, figure
// captions and attributes (a currency code), the control row's table cells.
TEST(Report, HostileValuesRenderAsTextAndInjectNothing) {
  const auto db = initialised_warehouse("report_hostile");
  fill_calendar_and_lookups(db.url);
  const std::string currency = "\"><img src=x onerror=alert(1)>";
  const std::string staff = "<iframe src=\"https://example.invalid/\"></iframe>";
  const std::string country = "'; DROP TABLE fact_sales_order; --";
  const std::string run_id = "</td><script>alert(2)</script>";
  PostgresFixture::run_sql(db.url, R"sql(
    INSERT INTO dim_currency VALUES (1, '"><img src=x onerror=alert(1)>', 'hostile');
    INSERT INTO dim_design VALUES (1, '<script>alert(''design'')</script>', '/d', 'd.jpg');
    INSERT INTO dim_staff VALUES (1, '<iframe src="https://example.invalid/"></iframe>', '&amp;', 'Sales', 'Leeds', 'x@example.com');
    INSERT INTO dim_counterparty VALUES (1, 'cp', 'a', NULL, NULL, 'c', 'p', '''; DROP TABLE fact_sales_order; --', '0');
    INSERT INTO fact_sales_order (sales_order_id, created_date, created_time, last_updated_date, last_updated_time,
      sales_staff_id, counterparty_id, units_sold, unit_price, currency_id, design_id, agreed_payment_date,
      agreed_delivery_date, agreed_delivery_location_id)
    VALUES (1, '2024-03-01', '09:00', '2024-03-01', '09:00', 1, 1, 7, 3.50, 1, 1, '2024-04-01', '2024-03-10', 1);
    INSERT INTO dwh_loaded_manifests (run_id, manifest_key, manifest_sha256, model, row_counts, load_seconds)
    VALUES ('</td><script>alert(2)</script>', 'k', repeat('b', 64), '<b>m</b>', '{"<style>x": {"staged": 1}}', 0.1);
  )sql");

  const fs::path page = run_report(db.url, "report-hostile.html");
  const auto rendered = render_in_browser(page);
  // An injected element would also have tried to run or fetch, which the CSP reports here.
  EXPECT_TRUE(rendered.console.empty()) << "console: " << rendered.console.front();
  const json& dom = rendered.dom;
  for (const char* tag : {"script", "img", "iframe", "b"}) EXPECT_EQ(dom["tags"].value(tag, 0), 0) << tag;
  EXPECT_EQ(dom["tags"].value("style", 0), 1);
  EXPECT_TRUE(dom["external"].empty()) << dom["external"].dump();
  const std::string text = dom["text"].get<std::string>();
  for (const auto& value : {kHostileDesign, staff + " &amp;", country, run_id, std::string("<b>m</b>"),
                            std::string("<style>x")}) {
    EXPECT_NE(text.find(value), std::string::npos) << value;
  }
  EXPECT_NE(text.find(currency), std::string::npos);
  // The attribute came back from the browser's parser exactly as stored.
  EXPECT_EQ(dom["mark_currencies"]["revenue-by-month"].value(currency, 0), 1)
      << dom["mark_currencies"].dump();
  EXPECT_EQ(dom["marks"].value("top-designs", 0), 1);
  EXPECT_EQ(count(db.url, "SELECT count(*) FROM fact_sales_order"), 1);
  screenshot(page, "report-hostile.png");
}

// The console check above can fail: on a page that does log an error (and tries a fetch the
// CSP blocks), the same reading of Chromium's output finds it.
TEST(Report, ConsoleCheckSeesErrorsOnAPageThatHasThem) {
  const fs::path page = artifacts_dir() / "console-canary.html";
  std::ofstream(page)
      << "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; script-src 'unsafe-inline'\"></head><body>"
         "<script>console.error('dwh-canary')</script><img src=\"https://example.invalid/x.png\">"
         "</body></html>";
  const auto rendered = render_in_browser(page);
  ASSERT_EQ(rendered.console.size(), 2u);
  EXPECT_NE(rendered.console[0].find("dwh-canary"), std::string::npos) << rendered.console[0];
  EXPECT_NE(rendered.console[1].find("Content Security Policy"), std::string::npos) << rendered.console[1];
}

TEST(Report, UninitialisedWarehouseIsBadInput) {
  auto& pg = PostgresFixture::instance();
  const auto db = pg.create_database("report_bare");
  const auto r =
      dwh({"report", "--warehouse", db.url, "--out", (artifacts_dir() / "report-bare.html").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("dwh warehouse init"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(artifacts_dir() / "report-bare.html"));
}

}  // namespace
}  // namespace dwh::test
