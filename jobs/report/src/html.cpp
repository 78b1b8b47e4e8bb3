// The dashboard page: header with freshness and the last run, then one card per analysis.
// Money charts are small multiples, one per currency: amounts in different currencies are
// never put on one axis or summed (the source has no exchange rates).
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "dwh/report/report.hpp"
#include "svg.hpp"

namespace dwh::report {
namespace {

// No script, font, image or frame may load: the page is a file people mail around and open
// offline, and a value from the database must never become active content.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

constexpr const char* kStyle = R"css(
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f3f4f6; --card:#fff; --ok:#047857; --ok-bg:#d1fae5; --idle-bg:#e5e7eb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  font-size:14px; line-height:1.45; }
.page { max-width:1360px; margin:0 auto; padding:24px 28px 40px; }
header.top { display:flex; flex-wrap:wrap; align-items:flex-end; justify-content:space-between; gap:12px; margin-bottom:18px; }
h1 { font-size:24px; margin:0; letter-spacing:-0.01em; }
.sub { margin:2px 0 0; color:var(--muted); }
.pill { display:inline-block; padding:4px 12px; border-radius:999px; font-weight:600; font-size:13px; }
.pill.ok { background:var(--ok-bg); color:var(--ok); }
.pill.idle { background:var(--idle-bg); color:#374151; }
.stats { display:grid; grid-template-columns:repeat(auto-fit, minmax(220px, 1fr)); gap:14px; margin-bottom:20px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 16px; }
.stat .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:0.04em; }
.stat .value { font-size:18px; font-weight:600; margin-top:2px; font-variant-numeric:tabular-nums; overflow-wrap:anywhere; }
.stat .hint { color:var(--muted); font-size:12px; overflow-wrap:anywhere; }
.grid { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:20px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:16px 20px 12px; min-width:0; }
.card.wide { grid-column:1 / -1; }
.card h2 { font-size:16px; margin:0; }
.card .desc { color:var(--muted); margin:2px 0 10px; font-size:13px; }
.card .source { color:var(--muted); font-size:12px; margin:8px 0 0; border-top:1px solid var(--line); padding-top:6px; }
.card code { font-size:12px; background:#f9fafb; padding:1px 4px; border-radius:4px; }
.facets { display:grid; grid-template-columns:repeat(auto-fill, minmax(320px, 1fr)); gap:12px 24px; }
figure { margin:0; min-width:0; }
figcaption { font-weight:600; font-size:13px; margin-bottom:2px; }
figcaption .swatch, .legend .swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:6px; vertical-align:0; }
.legend { display:flex; flex-wrap:wrap; gap:4px 16px; margin:0 0 8px; padding:0; list-style:none; font-size:13px; color:#374151; }
svg.chart { display:block; width:100%; max-width:640px; height:auto; overflow:visible; }
svg.chart text { font-variant-numeric:tabular-nums; }
.empty { display:flex; flex-direction:column; align-items:center; justify-content:center; min-height:140px;
  border:1px dashed #d1d5db; border-radius:8px; color:var(--muted); background:#fafafa; text-align:center; padding:12px; }
.empty strong { color:#374151; font-size:15px; }
.empty code { background:#eceef1; }
table.runs { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
table.runs th, table.runs td { text-align:left; padding:5px 6px; border-bottom:1px solid var(--line); overflow-wrap:anywhere; }
table.runs td.n, table.runs th.n { text-align:right; }
table.runs th { color:var(--muted); font-weight:500; font-size:12px; }
footer { color:var(--muted); font-size:12px; margin-top:20px; }
)css";

struct Series {
  const char* id;
  const char* name;
  double MonthPurchasesPayments::*field;
};
constexpr Series kPaymentSeries[] = {
    {"purchases", "Purchase orders placed", &MonthPurchasesPayments::purchases},
    {"purchase-payments", "Purchase payments settled", &MonthPurchasesPayments::purchase_payments},
    {"sales-receipts", "Sales receipts settled", &MonthPurchasesPayments::sales_receipts},
};

int month_number(int year, int month) {
  return year * 12 + (month - 1);
}

std::string empty_state(const char* chart) {
  return std::string("<div class=\"empty\" data-chart=\"") + chart +
         "\"><strong>No data yet</strong><span>The warehouse has no rows for this chart. Load it "
         "(<code>dwh load</code>) and run <code>dwh report</code> again.</span></div>";
}

std::string swatch(const std::string& color) {
  return "<span class=\"swatch\" style=\"background:" + color + "\"></span>";
}

std::string card(const char* id, bool wide, const std::string& title, const std::string& desc,
                 const std::string& body, const std::string& views) {
  return std::string("<section class=\"card") + (wide ? " wide" : "") + "\" data-card=\"" + id + "\"><h2>" +
         escape_html(title) + "</h2><p class=\"desc\">" + escape_html(desc) + "</p>" + body +
         "<p class=\"source\">From " + views + "</p></section>";
}

std::string facet(const std::string& caption, const std::string& color, const std::string& svg) {
  return "<figure class=\"facet\"><figcaption>" + swatch(color) + escape_html(caption) + "</figcaption>" +
         svg + "</figure>";
}

// Currencies in a stable order, each with a stable colour across the page.
class CurrencyColors {
 public:
  explicit CurrencyColors(const ReportData& d) {
    std::set<std::string> all;
    for (const auto& r : d.revenue_by_month) all.insert(r.currency);
    for (const auto& r : d.top_staff) all.insert(r.currency);
    for (const auto& r : d.sales_by_country) all.insert(r.currency);
    for (const auto& r : d.purchases_payments) all.insert(r.currency);
    std::size_t i = 0;
    for (const auto& c : all) colors_[c] = series_color(i++);
  }
  std::string operator()(const std::string& currency) const { return colors_.at(currency); }

 private:
  std::map<std::string, std::string> colors_;
};

template <class Row>
std::map<std::string, std::vector<const Row*>> by_currency(const std::vector<Row>& rows) {
  std::map<std::string, std::vector<const Row*>> out;
  for (const auto& r : rows) out[r.currency].push_back(&r);
  return out;
}

template <class Row>
std::pair<int, int> month_range(const std::vector<Row>& rows) {
  int first = month_number(rows.front().year, rows.front().month), last = first;
  for (const auto& r : rows) {
    first = std::min(first, month_number(r.year, r.month));
    last = std::max(last, month_number(r.year, r.month));
  }
  return {first, last};
}

std::string revenue_by_month(const ReportData& d, const CurrencyColors& colors, std::size_t& marks) {
  if (d.revenue_by_month.empty()) return empty_state(kRevenueByMonth);
  const auto [first, last] = month_range(d.revenue_by_month);
  std::string body = "<div class=\"facets\">";
  for (const auto& [currency, rows] : by_currency(d.revenue_by_month)) {
    LineChart chart;
    chart.tag = {kRevenueByMonth, currency, ""};
    chart.aria_label = "Revenue by month in " + currency;
    chart.first_year = first / 12;
    chart.first_month = first % 12 + 1;
    chart.months = last - first + 1;
    LineSeries s{"revenue", colors(currency), {}};
    for (const auto* r : rows) {
      s.points.push_back({month_number(r->year, r->month) - first, r->revenue,
                          month_label(r->year, r->month) + ": " + format_amount(r->revenue, currency) +
                              " from " + format_integer(r->orders) + " orders (" + format_integer(r->units) +
                              " units)"});
    }
    marks += s.points.size();
    chart.series.push_back(std::move(s));
    body += facet(currency, colors(currency), line_chart_svg(chart));
  }
  return body + "</div>";
}

std::string purchases_payments(const ReportData& d, std::size_t& marks) {
  if (d.purchases_payments.empty()) return empty_state(kPurchasesPayments);
  const auto [first, last] = month_range(d.purchases_payments);
  std::string body = "<ul class=\"legend\">";
  for (std::size_t i = 0; i < std::size(kPaymentSeries); ++i) {
    body += std::string("<li>") + swatch(series_color(i)) + kPaymentSeries[i].name + "</li>";
  }
  body += "</ul><div class=\"facets\">";
  for (const auto& [currency, rows] : by_currency(d.purchases_payments)) {
    LineChart chart;
    chart.tag = {kPurchasesPayments, currency, ""};
    chart.aria_label = "Purchases against payments by month in " + currency;
    chart.first_year = first / 12;
    chart.first_month = first % 12 + 1;
    chart.months = last - first + 1;
    for (std::size_t i = 0; i < std::size(kPaymentSeries); ++i) {
      const auto& def = kPaymentSeries[i];
      LineSeries s{def.id, series_color(i), {}};
      for (const auto* r : rows) {
        const double v = r->*def.field;
        s.points.push_back({month_number(r->year, r->month) - first, v,
                            std::string(def.name) + ", " + month_label(r->year, r->month) + ": " +
                                format_amount(v, currency)});
      }
      marks += s.points.size();
      chart.series.push_back(std::move(s));
    }
    body += "<figure class=\"facet\"><figcaption>" + escape_html(currency) + "</figcaption>" +
            line_chart_svg(chart) + "</figure>";
  }
  return body + "</div>";
}

std::string top_designs(const ReportData& d, std::size_t& marks) {
  if (d.top_designs.empty()) return empty_state(kTopDesigns);
  HBarChart chart;
  chart.tag = {kTopDesigns, "", ""};
  chart.color = "#4f46e5";
  chart.aria_label = "Top designs by units sold";
  chart.width = 520;
  for (const auto& r : d.top_designs) {
    chart.bars.push_back({r.design_name,
                          "#" + std::to_string(r.rank) + " " + r.design_name + " (design " +
                              std::to_string(r.design_id) + "): " + format_integer(r.units) + " units in " +
                              format_integer(r.orders) + " orders",
                          static_cast<double>(r.units), format_integer(r.units)});
  }
  marks += chart.bars.size();
  return hbar_chart_svg(chart);
}

std::string top_staff(const ReportData& d, const CurrencyColors& colors, std::size_t& marks) {
  if (d.top_staff.empty()) return empty_state(kTopStaff);
  std::string body = "<div class=\"facets\">";
  for (const auto& [currency, rows] : by_currency(d.top_staff)) {
    HBarChart chart;
    chart.tag = {kTopStaff, currency, ""};
    chart.color = colors(currency);
    chart.aria_label = "Top staff by revenue in " + currency;
    for (const auto* r : rows) {
      const std::string name = r->first_name + " " + r->last_name;
      chart.bars.push_back({name,
                            "#" + std::to_string(r->rank) + " " + name + " (" + r->department +
                                "): " + format_amount(r->revenue, currency) + " from " +
                                format_integer(r->orders) + " orders",
                            r->revenue, format_decimal(r->revenue, 0)});
    }
    marks += chart.bars.size();
    body += facet(currency, colors(currency), hbar_chart_svg(chart));
  }
  return body + "</div>";
}

std::string sales_by_country(const ReportData& d, const CurrencyColors& colors, std::size_t& marks) {
  if (d.sales_by_country.empty()) return empty_state(kSalesByCountry);
  std::string body = "<div class=\"facets\">";
  for (auto [currency, rows] : by_currency(d.sales_by_country)) {
    std::stable_sort(rows.begin(), rows.end(), [](const CountrySales* a, const CountrySales* b) {
      return a->revenue != b->revenue ? a->revenue > b->revenue : a->country < b->country;
    });
    HBarChart chart;
    chart.tag = {kSalesByCountry, currency, ""};
    chart.color = colors(currency);
    chart.aria_label = "Sales by counterparty country in " + currency;
    for (const auto* r : rows) {
      chart.bars.push_back({r->country,
                            r->country + ": " + format_amount(r->revenue, currency) + " from " +
                                format_integer(r->orders) + " orders (" + format_integer(r->units) +
                                " units)",
                            r->revenue, format_decimal(r->revenue, 0)});
    }
    marks += chart.bars.size();
    body += facet(currency, colors(currency), hbar_chart_svg(chart));
  }
  return body + "</div>";
}

std::string age_hint(const std::optional<std::string>& ts, const std::string& now) {
  if (!ts) return "";
  const auto s = seconds_between(*ts, now);
  if (!s) return "UTC";
  // The report's clock has whole seconds and may differ slightly from the database's.
  constexpr double kClockSlack = 60;
  if (*s < 0 && *s > -kClockSlack) return "UTC \u00b7 just before this report";
  return *s >= 0 ? "UTC \u00b7 " + format_age(*s) + " before this report"
                 : "UTC \u00b7 " + format_age(-*s) + " after this report's clock";
}

// Shows seconds only: fractions of a second in a timestamp are noise on a dashboard.
std::string short_ts(const std::string& ts) {
  return ts.substr(0, 19);
}

std::string stat(const char* field, const std::string& label, const std::string& value,
                 const std::string& hint) {
  return std::string("<div class=\"stat\" data-field=\"") + field + "\"><div class=\"label\">" +
         escape_html(label) + "</div><div class=\"value\">" + escape_html(value) +
         "</div><div class=\"hint\">" + escape_html(hint) + "</div></div>";
}

// Rows per table as the control row stores them; anything not a JSON object of numbers is
// shown as text rather than guessed at.
std::string last_run_card(const ReportData& d) {
  if (!d.last_run) {
    return card(
        "last-run", false, "Last run", "The newest row of the control table dwh_loaded_manifests.",
        "<div class=\"empty\" data-chart=\"last-run\"><strong>No loads yet</strong><span>Nothing has been "
        "loaded into this warehouse.</span></div>",
        "<code>dwh_loaded_manifests</code>");
  }
  const auto& r = *d.last_run;
  std::string body = "<table class=\"runs\"><tbody>";
  body += "<tr><th>Run</th><td>" + escape_html(r.run_id) + "</td></tr>";
  body += "<tr><th>Model</th><td>" + escape_html(r.model) + "</td></tr>";
  body += "<tr><th>Loaded at</th><td>" + escape_html(short_ts(r.loaded_at)) + " UTC</td></tr>";
  body += "<tr><th>Load took</th><td>" + escape_html(format_decimal(r.load_seconds, 2)) +
          " s</td></tr></tbody></table>";
  const auto counts = nlohmann::json::parse(r.row_counts, nullptr, false);
  if (counts.is_object() && !counts.empty()) {
    // The load job stores {"table": {"staged": n, "written": n}}; a bare number per table is shown
    // as "rows". Columns are whatever integer figures the row holds, in order of appearance.
    std::vector<std::string> columns;
    auto figures_of = [](const nlohmann::json& v) {
      std::vector<std::pair<std::string, std::int64_t>> out;
      if (v.is_number_integer()) out.emplace_back("rows", v.get<std::int64_t>());
      if (v.is_object()) {
        for (const auto& [k, x] : v.items()) {
          if (x.is_number_integer()) out.emplace_back(k, x.get<std::int64_t>());
        }
      }
      return out;
    };
    for (const auto& [table, value] : counts.items()) {
      for (const auto& [name, n] : figures_of(value)) {
        if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
      }
    }
    body += "<table class=\"runs\"><thead><tr><th>Table</th>";
    for (const auto& c : columns) body += "<th class=\"n\">" + escape_html(c) + "</th>";
    body += "</tr></thead><tbody>";
    for (const auto& [table, value] : counts.items()) {
      body += "<tr><td>" + escape_html(table) + "</td>";
      const auto figures = figures_of(value);
      for (const auto& c : columns) {
        auto it = std::find_if(figures.begin(), figures.end(), [&](const auto& f) { return f.first == c; });
        body +=
            "<td class=\"n\">" + (it == figures.end() ? std::string() : format_integer(it->second)) + "</td>";
      }
      body += "</tr>";
    }
    body += "</tbody></table>";
  } else if (!r.row_counts.empty()) {
    body += "<p>Rows: " + escape_html(r.row_counts) + "</p>";
  }
  return card("last-run", false, "Last run",
              "The newest row of the control table: only committed loads are recorded, so this run loaded "
              "completely.",
              body, "<code>dwh_loaded_manifests</code>");
}

std::string header(const ReportData& d) {
  std::string out = "<header class=\"top\"><div><h1>" + escape_html(d.title) +
                    "</h1><p class=\"sub\">Generated " + escape_html(d.generated_at) +
                    " UTC from the warehouse views</p></div>";
  out += "<div class=\"status\" data-field=\"last-run-status\">";
  out += d.last_run ? "<span class=\"pill ok\">Last run: loaded</span>"
                    : "<span class=\"pill idle\">Last run: no loads yet</span>";
  out += "</div></header><section class=\"stats\">";
  const auto& f = d.freshness;
  out += stat("newest-source-change", "Newest source change",
              f.newest_source_change ? short_ts(*f.newest_source_change) : "no data yet",
              age_hint(f.newest_source_change, d.generated_at));
  out += stat("last-load", "Last load", f.last_load_at ? short_ts(*f.last_load_at) : "never",
              age_hint(f.last_load_at, d.generated_at));
  out += stat("loads", "Loads", format_integer(f.loads), "transform runs loaded");
  out += stat("last-run", "Last run", d.last_run ? d.last_run->run_id : "none",
              d.last_run ? "loaded in " + format_decimal(d.last_run->load_seconds, 2) + " s" : "");
  return out + "</section>";
}

}  // namespace

std::string render_report(const ReportData& d, std::map<std::string, std::size_t>* marks) {
  const CurrencyColors colors(d);
  std::map<std::string, std::size_t> counted;
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  html +=
      std::string("<meta http-equiv=\"Content-Security-Policy\" content=\"") + kContentSecurityPolicy + "\">";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
          escape_html(d.title) + "</title><style>" + kStyle + "</style></head><body><div class=\"page\">";
  html += header(d);
  html += "<main class=\"grid\">";
  html += card(kRevenueByMonth, true, "Revenue by month",
               "Units sold \u00d7 unit price of current sales orders, by the month the order was created; "
               "one chart per "
               "currency.",
               revenue_by_month(d, colors, counted[kRevenueByMonth]),
               "<code>sales_revenue_by_month_currency</code>");
  html += card(
      kPurchasesPayments, true, "Purchases against payments",
      "Purchase orders placed (by creation month) against settled payments (by payment date), per currency.",
      purchases_payments(d, counted[kPurchasesPayments]), "<code>purchases_and_payments_by_month</code>");
  html +=
      card(kTopDesigns, false, "Top 10 designs by units sold", "Units sold over all current sales orders.",
           top_designs(d, counted[kTopDesigns]), "<code>sales_units_by_design</code> (units_rank &le; 10)");
  html += last_run_card(d);
  html += card(
      kTopStaff, true, "Top 10 staff by revenue",
      "Sales staff ranked by revenue within each currency (revenues in different currencies are not added).",
      top_staff(d, colors, counted[kTopStaff]), "<code>sales_revenue_by_staff</code> (revenue_rank &le; 10)");
  html += card(kSalesByCountry, true, "Sales by counterparty country",
               "Revenue by the country of the counterparty's legal address, per currency.",
               sales_by_country(d, colors, counted[kSalesByCountry]),
               "<code>sales_by_counterparty_country</code>");
  html +=
      "</main><footer>Freshness from <code>warehouse_freshness</code>. Self-contained page: no scripts, no "
      "network. Hover a bar or point for its exact figures.</footer></div></body></html>\n";
  if (marks) *marks = std::move(counted);
  return html;
}

}  // namespace dwh::report
