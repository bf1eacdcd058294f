#pragma once
// Metrics of a regression model (a predicted number per case against the
// observed one): the "regression" block of the evaluation report
// (docs/training.md), used by the XGBoost trainer and tabular evaluations.
// Pure, no I/O. Bootstrap CIs resample cases with replacement, seeded and
// platform-stable.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"

namespace medai::evaluation {

struct RegressionOptions {
  int bootstrap_resamples = 2000;
  double ci_level = 0.95;
  std::uint64_t seed = 0;
  std::size_t max_points = 1000;  // (observed, predicted) pairs kept for the scatter plot
};

struct RegressionMetrics {
  double mae = 0, rmse = 0;
  double r2 = 0;                 // 1 − SS_res / SS_tot; NaN when every observed value is the same
  double median_absolute_error = 0;
  double mean_error = 0;         // mean(predicted − observed): the bias
};

// invalid_argument for different lengths, no case or a non-finite value.
Result<RegressionMetrics> regression_metrics(const std::vector<double>& predicted, const std::vector<double>& observed);

// The report block: cases, the metrics above, CIs of MAE and RMSE, the
// observed mean and SD, and up to max_points evenly spaced (observed,
// predicted) pairs.
Result<nlohmann::json> regression_report(const std::vector<double>& predicted, const std::vector<double>& observed,
                                         const RegressionOptions& options = {});

}  // namespace medai::evaluation
