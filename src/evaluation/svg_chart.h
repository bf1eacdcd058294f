#pragma once
// Inline SVG charts generated in C++ for the self-contained HTML reports
// (no script, no external resources). Other report producers (segmentation,
// detection) draw their plots with the same functions and hand the SVG
// fragment to the report as a figure.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace medai::evaluation {

struct ChartSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y); non-finite points are skipped
  bool markers = false;                           // draw a dot at every point
  bool line = true;                               // join the points (false: a scatter plot)
};

struct ChartOptions {
  std::string title, x_label, y_label;
  std::optional<double> x_min, x_max, y_min, y_max;  // default: the data's range
  bool diagonal = false;  // dashed y = x line (ROC chance line)
  int width = 520, height = 340;
};

// One <svg> element: axes with ticks, a line per series, a legend.
std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& options);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

}  // namespace medai::evaluation
