#include "evaluation/report_html.h"

#include <gtest/gtest.h>

#include "evaluation/classification_metrics.h"
#include "evaluation/svg_chart.h"

namespace medai::evaluation {
namespace {

TEST(SvgChart, OneSvgWithEscapedLabelsAndEveryPoint) {
  auto svg = svg_line_chart({{"a<b", {{0, 0}, {1, 1}, {2, 0.5}}, false}},
                            {.title = "Loss & <script>", .x_label = "epoch", .y_label = "loss"});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("Loss &amp; &lt;script&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  const auto poly = svg.find("<polyline");
  ASSERT_NE(poly, std::string::npos);
  const auto points = svg.substr(poly, svg.find("/>", poly) - poly);
  EXPECT_EQ(std::count(points.begin(), points.end(), ','), 3);
}

TEST(SvgChart, EmptyAndDegenerateDataStillRender) {
  EXPECT_NE(svg_line_chart({}, {.title = "empty"}).find("</svg>"), std::string::npos);
  EXPECT_NE(svg_line_chart({{"flat", {{1, 2}, {1, 2}}, true}}, {}).find("<circle"), std::string::npos);
}

TEST(ReportHtml, SelfContainedWithMetricsAndPlots) {
  auto block = classification_report({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}, {.bootstrap_resamples = 50});
  ASSERT_TRUE(block.is_ok());
  nlohmann::json report = {{"schema", kReportSchema},
                           {"title", "Pima <test>"},
                           {"task", "classification"},
                           {"splits", {{"test", *block}}},
                           {"history", {{{"epoch", 1}, {"loss", 0.6}, {"validation", {{"auc", 0.7}, {"loss", 0.65}}}},
                                        {{"epoch", 2}, {"loss", 0.5}, {"validation", {{"auc", 0.75}, {"loss", 0.6}}}}}},
                           {"notes", {"Research use only"}},
                           {"figures", {{{"title", "extra"}, {"svg", "<svg id=\"extra\"></svg>"}}}}};
  const std::string html = render_report_html(report, {{"more", "<svg id=\"more\"></svg>"}});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Pima &lt;test&gt;"), std::string::npos);
  EXPECT_NE(html.find("0.750"), std::string::npos);  // the AUC
  EXPECT_NE(html.find("ROC"), std::string::npos);
  EXPECT_NE(html.find("Loss per epoch"), std::string::npos);
  EXPECT_NE(html.find("validation auc"), std::string::npos);
  EXPECT_NE(html.find("id=\"extra\""), std::string::npos);
  EXPECT_NE(html.find("id=\"more\""), std::string::npos);
  EXPECT_NE(html.find("Research use only"), std::string::npos);
  // Self-contained: nothing fetched from elsewhere, no script.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_GE(std::count(html.begin(), html.end(), '<') , 10);
}

}  // namespace
}  // namespace medai::evaluation
