#include "evaluation/regression_metrics.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <tuple>

#include "evaluation/bootstrap.h"

namespace medai::evaluation {
namespace {

// MAE and RMSE only: what each bootstrap resample needs.
std::pair<double, double> mae_rmse(const std::vector<double>& predicted, const std::vector<double>& observed) {
  double abs_sum = 0, sq_sum = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double e = predicted[i] - observed[i];
    abs_sum += std::abs(e);
    sq_sum += e * e;
  }
  const double n = static_cast<double>(observed.size());
  return {abs_sum / n, std::sqrt(sq_sum / n)};
}

}  // namespace

Result<RegressionMetrics> regression_metrics(const std::vector<double>& predicted, const std::vector<double>& observed) {
  if (predicted.size() != observed.size())
    return make_error(ErrorCode::invalid_argument, "predictions and observations differ in length",
                      {{"predicted", predicted.size()}, {"observed", observed.size()}});
  if (observed.empty()) return make_error(ErrorCode::invalid_argument, "no cases to evaluate");
  for (std::size_t i = 0; i < observed.size(); ++i)
    if (!std::isfinite(predicted[i]) || !std::isfinite(observed[i]))
      return make_error(ErrorCode::invalid_argument, "a value is not a finite number", {{"index", i}});
  const double n = static_cast<double>(observed.size());
  RegressionMetrics m;
  std::tie(m.mae, m.rmse) = mae_rmse(predicted, observed);
  double mean_obs = 0, bias = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    mean_obs += observed[i];
    bias += predicted[i] - observed[i];
  }
  mean_obs /= n;
  m.mean_error = bias / n;
  double ss_tot = 0;
  for (double y : observed) ss_tot += (y - mean_obs) * (y - mean_obs);
  m.r2 = ss_tot > 0 ? 1 - m.rmse * m.rmse * n / ss_tot : std::nan("");
  std::vector<double> abs_err(observed.size());
  for (std::size_t i = 0; i < observed.size(); ++i) abs_err[i] = std::abs(predicted[i] - observed[i]);
  std::sort(abs_err.begin(), abs_err.end());
  m.median_absolute_error = quantile_sorted(abs_err, 0.5);
  return m;
}

Result<nlohmann::json> regression_report(const std::vector<double>& predicted, const std::vector<double>& observed,
                                         const RegressionOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(RegressionMetrics m, regression_metrics(predicted, observed));
  MEDAI_RETURN_IF_ERROR(check_bootstrap(options.bootstrap_resamples, options.ci_level));
  const std::size_t n = observed.size();
  std::mt19937_64 rng(options.seed);
  std::vector<double> p(n), y(n), maes, rmses;
  for (int r = 0; r < options.bootstrap_resamples; ++r) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t src = draw_index(rng, n);
      p[i] = predicted[src];
      y[i] = observed[src];
    }
    const auto [mae, rmse] = mae_rmse(p, y);
    maes.push_back(mae);
    rmses.push_back(rmse);
  }
  auto ci = [&](std::vector<double> v) {
    return interval_json(std::move(v), options.ci_level, "percentile bootstrap", options.seed);
  };
  double mean = 0, var = 0;
  for (double v : observed) mean += v;
  mean /= static_cast<double>(n);
  for (double v : observed) var += (v - mean) * (v - mean);
  const double sd = n > 1 ? std::sqrt(var / static_cast<double>(n - 1)) : 0;
  nlohmann::json points = nlohmann::json::array();
  const std::size_t keep = std::min(n, options.max_points);
  for (std::size_t j = 0; j < keep; ++j) {
    const std::size_t i = keep == n ? j : j * n / keep;
    points.push_back({observed[i], predicted[i]});
  }
  return nlohmann::json{{"kind", "regression"},
                        {"cases", n},
                        {"mae", m.mae},
                        {"mae_ci", ci(std::move(maes))},
                        {"rmse", m.rmse},
                        {"rmse_ci", ci(std::move(rmses))},
                        {"r2", std::isfinite(m.r2) ? nlohmann::json(m.r2) : nlohmann::json(nullptr)},
                        {"median_absolute_error", m.median_absolute_error},
                        {"mean_error", m.mean_error},
                        {"observed_mean", mean},
                        {"observed_sd", sd},
                        {"points", points}};
}

}  // namespace medai::evaluation
