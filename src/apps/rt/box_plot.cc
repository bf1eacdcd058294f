#include "apps/rt/box_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "evaluation/svg_chart.h"

namespace medai::apps::rt {
namespace {
std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
}  // namespace

std::string svg_box_plot(const std::vector<std::string>& groups, const std::vector<BoxSeries>& series,
                         const BoxPlotOptions& o) {
  using evaluation::html_escape;
  const double left = 56, right = 16, top = 36, bottom = 48;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  const double span = o.y_max > o.y_min ? o.y_max - o.y_min : 1.0;
  auto y_of = [&](double v) { return top + ph * (1.0 - (std::clamp(v, o.y_min, o.y_max) - o.y_min) / span); };
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(o.width) + "\" height=\"" +
                  std::to_string(o.height) + "\" viewBox=\"0 0 " + std::to_string(o.width) + " " +
                  std::to_string(o.height) + "\" font-family=\"sans-serif\" font-size=\"11\">";
  s += "<text x=\"" + num(o.width / 2.0) + "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\">" +
       html_escape(o.title) + "</text>";
  // Axes and ticks.
  s += "<line x1=\"" + num(left) + "\" y1=\"" + num(top) + "\" x2=\"" + num(left) + "\" y2=\"" + num(top + ph) +
       "\" stroke=\"#333\"/>";
  s += "<line x1=\"" + num(left) + "\" y1=\"" + num(top + ph) + "\" x2=\"" + num(left + pw) + "\" y2=\"" +
       num(top + ph) + "\" stroke=\"#333\"/>";
  for (int t = 0; t <= 5; ++t) {
    const double v = o.y_min + span * t / 5.0, y = y_of(v);
    char label[32];
    std::snprintf(label, sizeof label, span >= 10 ? "%.0f" : "%.1f", v);
    s += "<line x1=\"" + num(left - 4) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(y) +
         "\" stroke=\"#ddd\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\">" +
         label + "</text>";
  }
  s += "<text transform=\"translate(14," + num(top + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
       html_escape(o.y_label) + "</text>";
  for (double r : o.reference_lines)
    s += "<line x1=\"" + num(left) + "\" y1=\"" + num(y_of(r)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" +
         num(y_of(r)) + "\" stroke=\"#c00\" stroke-dasharray=\"5,4\"/>";
  // Boxes.
  const double gw = groups.empty() ? pw : pw / static_cast<double>(groups.size());
  const double bw = std::min(28.0, gw * 0.8 / std::max<std::size_t>(1, series.size()));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double gx = left + gw * (g + 0.5);
    s += "<text x=\"" + num(gx) + "\" y=\"" + num(top + ph + 16) + "\" text-anchor=\"middle\">" +
         html_escape(groups[g]) + "</text>";
    for (std::size_t k = 0; k < series.size(); ++k) {
      if (g >= series[k].per_group.size()) continue;
      const nlohmann::json& d = series[k].per_group[g];
      if (!d.is_object() || d.value("n", 0) == 0) continue;
      const double cx = gx + (static_cast<double>(k) - (series.size() - 1) / 2.0) * (bw + 4);
      const std::string& c = series[k].colour;
      const double ymin = y_of(d.value("min", 0.0)), ymax = y_of(d.value("max", 0.0));
      const double yq1 = y_of(d.value("q1", 0.0)), yq3 = y_of(d.value("q3", 0.0)), ymed = y_of(d.value("median", 0.0));
      s += "<line x1=\"" + num(cx) + "\" y1=\"" + num(ymin) + "\" x2=\"" + num(cx) + "\" y2=\"" + num(ymax) +
           "\" stroke=\"" + c + "\"/>";
      s += "<line x1=\"" + num(cx - bw / 4) + "\" y1=\"" + num(ymin) + "\" x2=\"" + num(cx + bw / 4) + "\" y2=\"" +
           num(ymin) + "\" stroke=\"" + c + "\"/>";
      s += "<line x1=\"" + num(cx - bw / 4) + "\" y1=\"" + num(ymax) + "\" x2=\"" + num(cx + bw / 4) + "\" y2=\"" +
           num(ymax) + "\" stroke=\"" + c + "\"/>";
      s += "<rect x=\"" + num(cx - bw / 2) + "\" y=\"" + num(yq3) + "\" width=\"" + num(bw) + "\" height=\"" +
           num(std::max(1.0, yq1 - yq3)) + "\" fill=\"" + c + "\" fill-opacity=\"0.25\" stroke=\"" + c + "\"/>";
      s += "<line x1=\"" + num(cx - bw / 2) + "\" y1=\"" + num(ymed) + "\" x2=\"" + num(cx + bw / 2) + "\" y2=\"" +
           num(ymed) + "\" stroke=\"" + c + "\" stroke-width=\"2\"/>";
      if (d.contains("mean"))
        s += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(y_of(d["mean"].get<double>())) + "\" r=\"2.5\" fill=\"" +
             c + "\"/>";
    }
  }
  // Legend.
  double lx = left + 8;
  for (const auto& k : series) {
    s += "<rect x=\"" + num(lx) + "\" y=\"" + num(o.height - 16.0) + "\" width=\"10\" height=\"10\" fill=\"" +
         k.colour + "\"/><text x=\"" + num(lx + 14) + "\" y=\"" + num(o.height - 7.0) + "\">" + html_escape(k.name) +
         "</text>";
    lx += 24 + 7.0 * static_cast<double>(k.name.size());
  }
  s += "</svg>";
  return s;
}

}  // namespace medai::apps::rt
