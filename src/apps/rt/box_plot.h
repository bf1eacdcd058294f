#pragma once
// A box-and-whisker chart as one inline <svg> element (no script, no external
// resource) for the evaluation report: one group per structure, one box per
// series (model, baseline) drawn from a distribution as evaluation's
// `distribution()` gives it ({n, min, q1, median, q3, max, mean}); whiskers
// span min..max, the mean is a dot. Groups with n = 0 are left blank.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medai::apps::rt {

struct BoxSeries {
  std::string name;
  std::string colour;                    // CSS colour, e.g. "#1f77b4"
  std::vector<nlohmann::json> per_group;  // distribution per group, same order as the groups
};

struct BoxPlotOptions {
  std::string title, y_label;
  double y_min = 0, y_max = 1;
  std::vector<double> reference_lines;  // dashed horizontal lines (e.g. targets)
  int width = 640, height = 340;
};

std::string svg_box_plot(const std::vector<std::string>& groups, const std::vector<BoxSeries>& series,
                         const BoxPlotOptions& options);

}  // namespace medai::apps::rt
