#pragma once
// The dashboard's two chart kinds as inline SVG: horizontal bars (rankings) and lines over months.
// Every bar or point is one element with class="mark" and data-chart (+ data-currency,
// data-series when set); labels and tooltips (<title>) are escaped here, so callers pass raw text.
#include <cstddef>
#include <string>
#include <vector>

namespace dwh::report {

// Colours for series and currencies: distinguishable, also for common colour blindness
// (Okabe-Ito order, darkened for contrast on white).
const char* series_color(std::size_t index);

struct MarkTag {
  std::string chart;     // data-chart
  std::string currency;  // data-currency (omitted when empty)
  std::string series;    // data-series (omitted when empty)
};

struct HBar {
  std::string label;    // left of the bar (shortened if long; the tooltip has it whole)
  std::string tooltip;  // <title> of the bar
  double value = 0;
  std::string value_label;  // right of the bar
};

struct HBarChart {
  MarkTag tag;
  std::string color;
  std::string aria_label;
  std::vector<HBar> bars;  // drawn top to bottom in this order
  double width = 380;      // viewBox width: the page scales it to its box, text with it
};

std::string hbar_chart_svg(const HBarChart& chart);

struct LinePoint {
  int month_index = 0;  // months since the chart's first month
  double value = 0;
  std::string tooltip;
};

struct LineSeries {
  std::string series;  // data-series of its points
  std::string color;
  std::vector<LinePoint> points;  // any order
};

struct LineChart {
  MarkTag tag;  // tag.series is taken from each series
  std::string aria_label;
  int first_year = 0;
  int first_month = 1;
  int months = 1;  // x axis length (>= 1)
  std::vector<LineSeries> series;
};

std::string line_chart_svg(const LineChart& chart);

}  // namespace dwh::report
