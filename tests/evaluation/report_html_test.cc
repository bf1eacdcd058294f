#include "evaluation/report_html.h"
#include "evaluation/multiclass_metrics.h"
#include "evaluation/regression_metrics.h"

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

TEST(ReportHtml, MulticlassAndRegressionSplitsGetTheirOwnTablesAndPlot) {
  auto multi = multiclass_report({0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.3, 0.5}, {0, 1, 1}, {"a<b", "c", "d"},
                                 {.bootstrap_resamples = 20});
  ASSERT_TRUE(multi.is_ok()) << multi.status().to_string();
  const std::string mhtml = render_report_html({{"task", "classification"}, {"splits", {{"test", *multi}}}});
  EXPECT_NE(mhtml.find("Accuracy <b>0.667</b>"), std::string::npos);
  EXPECT_NE(mhtml.find("true \\ predicted"), std::string::npos);  // the confusion matrix
  EXPECT_NE(mhtml.find("a&lt;b"), std::string::npos);               // class names escaped
  EXPECT_EQ(mhtml.find("a<b"), std::string::npos);
  auto reg = regression_report({1.5, 2, 2, 5}, {1, 2, 3, 4}, {.bootstrap_resamples = 20});
  ASSERT_TRUE(reg.is_ok());
  const std::string rhtml = render_report_html({{"task", "regression"}, {"splits", {{"test", *reg}}}});
  EXPECT_NE(rhtml.find("MAE <b>0.625</b>"), std::string::npos);
  EXPECT_NE(rhtml.find("R² <b>0.550</b>"), std::string::npos);
  EXPECT_NE(rhtml.find("Predicted vs observed"), std::string::npos);
  // A scatter plot: one dot per case, no line joining them.
  const std::string svg = rhtml.substr(rhtml.find("Predicted vs observed"));
  std::size_t dots = 0;
  for (auto pos = svg.find("<circle"); pos != std::string::npos; pos = svg.find("<circle", pos + 1)) ++dots;
  EXPECT_EQ(dots, 4u);
  EXPECT_EQ(svg.substr(0, svg.find("</svg>")).find("<polyline"), std::string::npos);
}

}  // namespace
}  // namespace medai::evaluation
