// Regression metrics against values computed by hand.
#include "evaluation/regression_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::evaluation {
namespace {

// Errors (predicted − observed): 0.5, 0, −1, 1.
const std::vector<double> kObserved = {1, 2, 3, 4};
const std::vector<double> kPredicted = {1.5, 2, 2, 5};

TEST(RegressionMetrics, MatchHandComputedValues) {
  auto m = regression_metrics(kPredicted, kObserved);
  ASSERT_TRUE(m.is_ok());
  EXPECT_DOUBLE_EQ(m->mae, 2.5 / 4);
  EXPECT_DOUBLE_EQ(m->rmse, std::sqrt(2.25 / 4));
  EXPECT_DOUBLE_EQ(m->mean_error, 0.5 / 4);
  // SS_res 2.25, SS_tot (observed mean 2.5) 2.25 + 0.25 + 0.25 + 2.25 = 5.
  EXPECT_NEAR(m->r2, 1 - 2.25 / 5, 1e-12);
  EXPECT_DOUBLE_EQ(m->median_absolute_error, 0.75);  // sorted |e|: 0, 0.5, 1, 1
}

TEST(RegressionMetrics, ReportHasCisPointsAndIsDeterministic) {
  auto r = regression_report(kPredicted, kObserved, {.bootstrap_resamples = 300, .seed = 5, .max_points = 3});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ((*r)["kind"], "regression");
  EXPECT_EQ((*r)["cases"], 4);
  EXPECT_DOUBLE_EQ((*r)["observed_mean"].get<double>(), 2.5);
  EXPECT_NEAR((*r)["observed_sd"].get<double>(), std::sqrt(5.0 / 3), 1e-12);
  EXPECT_LE((*r)["mae_ci"]["lower"].get<double>(), 0.625);
  EXPECT_GE((*r)["mae_ci"]["upper"].get<double>(), 0.625);
  EXPECT_LE((*r)["rmse_ci"]["lower"].get<double>(), (*r)["rmse_ci"]["upper"].get<double>());
  ASSERT_EQ((*r)["points"].size(), 3u);  // evenly spaced: cases 0, 1, 2
  EXPECT_EQ((*r)["points"][0], nlohmann::json({1.0, 1.5}));
  auto again = regression_report(kPredicted, kObserved, {.bootstrap_resamples = 300, .seed = 5, .max_points = 3});
  EXPECT_EQ(again->dump(), r->dump());
  // Constant observations: R² is undefined, reported as null.
  auto flat = regression_report({1, 2}, {3, 3}, {.bootstrap_resamples = 20});
  ASSERT_TRUE(flat.is_ok());
  EXPECT_TRUE((*flat)["r2"].is_null());
}

TEST(RegressionMetrics, RefusesInputsThatDoNotFit) {
  EXPECT_EQ(regression_metrics({1}, {1, 2}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(regression_metrics({}, {}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(regression_metrics({INFINITY}, {1}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(regression_report({1}, {1}, {.bootstrap_resamples = 1}).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::evaluation
