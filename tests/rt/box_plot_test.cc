// The evaluation report's box plot: one self-contained <svg>, every group
// labelled, a box per series with data, nothing for empty distributions.
#include <gtest/gtest.h>

#include "apps/rt/box_plot.h"
#include "evaluation/segmentation_metrics.h"

namespace medai::apps::rt {
namespace {

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

TEST(RtBoxPlot, DrawsOneBoxPerSeriesWithDataAndLabelsEveryGroup) {
  const auto a = evaluation::distribution({0.9, 0.92, 0.95, 0.97});
  const auto b = evaluation::distribution({0.1, 0.3, 0.2});
  const std::vector<BoxSeries> series{{"model", "#1f77b4", {a, a}},
                                      {"baseline <HU>", "#ff7f0e", {b, evaluation::distribution({})}}};
  const std::string svg = svg_box_plot({"GTV", "Lung_L"}, series, {"Dice", "Dice", 0, 1, {0.9}});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find(">GTV<"), std::string::npos);
  EXPECT_NE(svg.find(">Lung_L<"), std::string::npos);
  EXPECT_NE(svg.find("baseline &lt;HU&gt;"), std::string::npos);  // escaped
  EXPECT_EQ(count(svg, "<rect"), 3u + 2u);                        // 3 boxes + 2 legend swatches
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace medai::apps::rt
