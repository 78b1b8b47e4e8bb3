// Inline SVG charts for the dashboard: geometry, axes with readable ticks, escaped labels.
#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "dwh/report/report.hpp"

namespace dwh::report {
namespace {

constexpr double kFontSize = 11;
constexpr double kCharWidth = 6.2;  // average advance of an 11 px sans-serif glyph, for layout
constexpr std::size_t kMaxLabelChars = 24;
constexpr const char* kGridColor = "#e5e7eb";
constexpr const char* kAxisColor = "#9ca3af";
constexpr const char* kTextColor = "#4b5563";

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string mark_attributes(const MarkTag& tag) {
  std::string out = " class=\"mark\" data-chart=\"" + escape_html(tag.chart) + "\"";
  if (!tag.currency.empty()) out += " data-currency=\"" + escape_html(tag.currency) + "\"";
  if (!tag.series.empty()) out += " data-series=\"" + escape_html(tag.series) + "\"";
  return out;
}

// Shortens on a UTF-8 character boundary so a long name cannot push the bars off the card.
std::string shorten(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;
    if (chars == max_chars - 1) return text.substr(0, i) + "\u2026";
    ++chars;
  }
  return text;
}

std::string text_element(double x, double y, const std::string& anchor, const std::string& content,
                         const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\"" + extra + ">" +
         escape_html(content) + "</text>";
}

std::string svg_open(double width, double height, const std::string& aria_label, const std::string& chart) {
  return "<svg class=\"chart\" data-chart=\"" + escape_html(chart) +
         "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" width=\"" + num(width) + "\" height=\"" + num(height) + "\" role=\"img\" aria-label=\"" +
         escape_html(aria_label) + "\" font-size=\"" + num(kFontSize) + "\" fill=\"" + kTextColor + "\">";
}

}  // namespace

const char* series_color(std::size_t index) {
  static constexpr const char* kColors[] = {"#2563eb", "#d97706", "#059669", "#c026d3",
                                            "#dc2626", "#0891b2", "#65a30d", "#7c3aed"};
  return kColors[index % (sizeof kColors / sizeof kColors[0])];
}

std::string hbar_chart_svg(const HBarChart& chart) {
  const double width = chart.width;
  constexpr double kBarHeight = 18, kGap = 8, kTop = 6, kAxisHeight = 24, kRight = 12;
  std::size_t longest_label = 0, longest_value = 0;
  double max = 0;
  for (const auto& b : chart.bars) {
    longest_label = std::max(longest_label, std::min(kMaxLabelChars, b.label.size()));
    longest_value = std::max(longest_value, b.value_label.size());
    max = std::max(max, b.value);
  }
  const double label_width = std::clamp(longest_label * kCharWidth + 10, 60.0, 150.0);
  const double value_width = longest_value * kCharWidth + 8;
  const double plot_left = label_width;
  const double plot_width = std::max(80.0, width - label_width - value_width - kRight);
  const double height = kTop + chart.bars.size() * (kBarHeight + kGap) + kAxisHeight;
  const double plot_bottom = height - kAxisHeight;
  // As many ticks as fit side by side without their labels touching.
  std::vector<double> ticks;
  double step = 1;
  for (int wanted = 5; wanted >= 1; --wanted) {
    ticks = nice_ticks(max, wanted);
    step = ticks.size() > 1 ? ticks[1] : 1;
    const double widest = format_tick(ticks.back(), step).size() * kCharWidth;
    if (plot_width / std::max<std::size_t>(1, ticks.size() - 1) >= widest + 12) break;
  }
  const double top_value = ticks.back();
  auto x_of = [&](double v) { return plot_left + (top_value > 0 ? v / top_value : 0) * plot_width; };

  std::string svg = svg_open(width, height, chart.aria_label, chart.tag.chart);
  // Vertical grid lines with tick labels under the plot.
  for (double t : ticks) {
    const double x = x_of(t);
    svg += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(kTop - 2) + "\" y2=\"" +
           num(plot_bottom) + "\" stroke=\"" + kGridColor + "\"/>";
    svg += text_element(x, plot_bottom + 15, "middle", format_tick(t, step));
  }
  svg += "<line x1=\"" + num(plot_left) + "\" x2=\"" + num(plot_left) + "\" y1=\"" + num(kTop - 2) +
         "\" y2=\"" + num(plot_bottom) + "\" stroke=\"" + kAxisColor + "\"/>";
  double y = kTop;
  for (const auto& b : chart.bars) {
    const double w = std::max(1.0, x_of(b.value) - plot_left);
    const double mid = y + kBarHeight / 2 + 4;
    svg += text_element(plot_left - 6, mid, "end", shorten(b.label, kMaxLabelChars), " fill=\"#111827\"");
    svg += "<rect" + mark_attributes(chart.tag) + " x=\"" + num(plot_left) + "\" y=\"" + num(y) +
           "\" width=\"" + num(w) + "\" height=\"" + num(kBarHeight) + "\" rx=\"2\" fill=\"" + chart.color +
           "\"><title>" + escape_html(b.tooltip) + "</title></rect>";
    svg += text_element(plot_left + w + 5, mid, "start", b.value_label);
    y += kBarHeight + kGap;
  }
  return svg + "</svg>";
}

std::string line_chart_svg(const LineChart& chart) {
  constexpr double kWidth = 400, kHeight = 230, kLeft = 66, kRight = 16, kTop = 12, kBottom = 34;
  constexpr int kMaxXLabels = 6;
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_bottom = kHeight - kBottom;
  const int months = std::max(1, chart.months);
  double max = 0;
  for (const auto& s : chart.series) {
    for (const auto& p : s.points) max = std::max(max, p.value);
  }
  const auto ticks = nice_ticks(max, 5);
  const double top_value = ticks.back();
  const double step = ticks.size() > 1 ? ticks[1] : 1;
  auto x_of = [&](int i) {
    return months == 1 ? kLeft + plot_width / 2 : kLeft + plot_width * i / (months - 1);
  };
  auto y_of = [&](double v) {
    return plot_bottom - (top_value > 0 ? v / top_value : 0) * (plot_bottom - kTop);
  };

  std::string svg = svg_open(kWidth, kHeight, chart.aria_label, chart.tag.chart);
  for (double t : ticks) {
    const double yy = y_of(t);
    svg += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kWidth - kRight) + "\" y1=\"" + num(yy) +
           "\" y2=\"" + num(yy) + "\" stroke=\"" + (t == 0 ? kAxisColor : kGridColor) + "\"/>";
    svg += text_element(kLeft - 6, yy + 4, "end", format_tick(t, step));
  }
  const int label_every = (months + kMaxXLabels - 1) / kMaxXLabels;
  for (int i = 0; i < months; i += label_every) {
    const int absolute = chart.first_month - 1 + i;
    const double x = x_of(i);
    svg += "<line x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(plot_bottom) + "\" y2=\"" +
           num(plot_bottom + 4) + "\" stroke=\"" + kAxisColor + "\"/>";
    svg += text_element(x, plot_bottom + 17, "middle",
                        month_label(chart.first_year + absolute / 12, absolute % 12 + 1));
  }
  for (const auto& s : chart.series) {
    auto points = s.points;
    std::sort(points.begin(), points.end(),
              [](const auto& a, const auto& b) { return a.month_index < b.month_index; });
    // One polyline per run of consecutive months: a month without rows is not drawn as a value.
    std::string path;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const bool starts_run = i == 0 || points[i].month_index != points[i - 1].month_index + 1;
      path += (starts_run ? "M" : "L") + num(x_of(points[i].month_index)) + " " + num(y_of(points[i].value));
    }
    if (!path.empty()) {
      svg += "<path class=\"line\" d=\"" + path + "\" fill=\"none\" stroke=\"" + s.color +
             "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>";
    }
    MarkTag tag = chart.tag;
    tag.series = s.series;
    for (const auto& p : points) {
      svg += "<circle" + mark_attributes(tag) + " cx=\"" + num(x_of(p.month_index)) + "\" cy=\"" +
             num(y_of(p.value)) + "\" r=\"3.5\" fill=\"#fff\" stroke=\"" + s.color +
             "\" stroke-width=\"2\"><title>" + escape_html(p.tooltip) + "</title></circle>";
    }
  }
  return svg + "</svg>";
}

}  // namespace dwh::report
