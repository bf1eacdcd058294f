#include "evaluation/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace medai::evaluation {
namespace {

// Colour-blind-safe palette (Okabe–Ito).
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string tick_label(double v) {
  char buf[32];
  if (std::abs(v) >= 1000 || (std::abs(v) < 0.01 && v != 0))
    std::snprintf(buf, sizeof buf, "%.2g", v);
  else
    std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` intervals.
double nice_step(double span, int target) {
  if (!(span > 0)) return 1;
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string svg_line_chart(const std::vector<ChartSeries>& series, const ChartOptions& o) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x0 = std::min(x0, x); x1 = std::max(x1, x);
      y0 = std::min(y0, y); y1 = std::max(y1, y);
    }
  if (!std::isfinite(x0)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
  x0 = o.x_min.value_or(x0); x1 = o.x_max.value_or(x1);
  y0 = o.y_min.value_or(y0); y1 = o.y_max.value_or(y1);
  if (x1 <= x0) x1 = x0 + 1;
  if (y1 <= y0) { y0 -= 0.5; y1 += 0.5; }

  const double left = 60, right = 20, top = 34, bottom = 48;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  auto py = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(o.width) + "\" height=\"" +
                    std::to_string(o.height) + "\" viewBox=\"0 0 " + std::to_string(o.width) + " " +
                    std::to_string(o.height) + "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">";
  svg += "<title>" + html_escape(o.title) + "</title>";
  svg += "<text x=\"" + num(o.width / 2.0) + "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
         html_escape(o.title) + "</text>";
  svg += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
         "\" fill=\"none\" stroke=\"#888\"/>";
  // Ticks and grid.
  const double xs = nice_step(x1 - x0, 5), ys = nice_step(y1 - y0, 5);
  for (double t = std::ceil(x0 / xs) * xs; t <= x1 + xs * 1e-9; t += xs) {
    svg += "<line x1=\"" + num(px(t)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(px(t)) + "\" y2=\"" + num(top + ph) +
           "\" stroke=\"#eee\"/>";
    svg += "<text x=\"" + num(px(t)) + "\" y=\"" + num(top + ph + 14) + "\" text-anchor=\"middle\">" +
           tick_label(std::abs(t) < xs * 1e-9 ? 0 : t) + "</text>";
  }
  for (double t = std::ceil(y0 / ys) * ys; t <= y1 + ys * 1e-9; t += ys) {
    svg += "<line x1=\"" + num(left) + "\" y1=\"" + num(py(t)) + "\" x2=\"" + num(left + pw) + "\" y2=\"" + num(py(t)) +
           "\" stroke=\"#eee\"/>";
    svg += "<text x=\"" + num(left - 5) + "\" y=\"" + num(py(t) + 4) + "\" text-anchor=\"end\">" +
           tick_label(std::abs(t) < ys * 1e-9 ? 0 : t) + "</text>";
  }
  svg += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(o.height - 10.0) + "\" text-anchor=\"middle\">" +
         html_escape(o.x_label) + "</text>";
  svg += "<text transform=\"translate(14 " + num(top + ph / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         html_escape(o.y_label) + "</text>";
  if (o.diagonal) {
    const double a = std::max(x0, y0), b = std::min(x1, y1);
    if (b > a)
      svg += "<line x1=\"" + num(px(a)) + "\" y1=\"" + num(py(a)) + "\" x2=\"" + num(px(b)) + "\" y2=\"" + num(py(b)) +
             "\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>";
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* colour = kColours[i % std::size(kColours)];
    std::string path;
    for (const auto& [x, y] : series[i].points) {
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      path += (path.empty() ? "" : " ") + num(px(x)) + "," + num(py(y));
    }
    if (!path.empty() && series[i].line)
      svg += "<polyline fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"2\" points=\"" + path + "\"/>";
    if (series[i].markers)
      for (const auto& [x, y] : series[i].points)
        if (std::isfinite(x) && std::isfinite(y))
          svg += "<circle cx=\"" + num(px(x)) + "\" cy=\"" + num(py(y)) + "\" r=\"2.5\" fill=\"" + colour + "\"/>";
    const double ly = top + 12 + 14.0 * static_cast<double>(i);
    svg += "<line x1=\"" + num(left + pw - 130) + "\" y1=\"" + num(ly - 4) + "\" x2=\"" + num(left + pw - 112) +
           "\" y2=\"" + num(ly - 4) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>";
    svg += "<text x=\"" + num(left + pw - 108) + "\" y=\"" + num(ly) + "\">" + html_escape(series[i].name) + "</text>";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace medai::evaluation
