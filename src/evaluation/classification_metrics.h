#pragma once
// Metrics of a binary classifier from its scores and the true labels: the
// same functions serve training validation (trainers), `medai evaluate` and
// the evaluation report. Pure functions, no I/O.
//
// Conventions: label 1 = positive; a case is called positive when its score
// is >= the threshold. Every function refuses (invalid_argument) inputs of
// different lengths, labels other than 0/1, non-finite scores, and — where
// the metric needs them — a missing class.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"

namespace medai::evaluation {

struct RocPoint {
  double threshold = 0;  // cases with score >= threshold are called positive
  double fpr = 0, tpr = 0;
};

// The empirical ROC curve: one point per distinct score (tied scores move
// the curve diagonally), starting at (0,0) with threshold +inf and ending at
// (1,1). The trapezoidal area under it equals roc_auc().
Result<std::vector<RocPoint>> roc_curve(const std::vector<double>& scores, const std::vector<int>& labels);

// Exact ROC AUC = P(score_pos > score_neg) + 0.5 P(score_pos == score_neg)
// (Mann–Whitney U / (P·N), ties counted half), computed from mid-ranks.
Result<double> roc_auc(const std::vector<double>& scores, const std::vector<int>& labels);

struct ConfidenceInterval {
  double estimate = 0, lower = 0, upper = 0;
  double level = 0.95;
  int resamples = 0;
  std::uint64_t seed = 0;
};

// Percentile bootstrap CI of the AUC, stratified: each resample draws P
// positives from the positives and N negatives from the negatives (with
// replacement), so every resample has both classes. Deterministic for a seed
// on every platform (mt19937_64, no std distributions).
Result<ConfidenceInterval> bootstrap_auc_ci(const std::vector<double>& scores, const std::vector<int>& labels,
                                            int resamples = 2000, double level = 0.95, std::uint64_t seed = 0);

struct OperatingPoint {
  double threshold = 0;
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  double sensitivity = 0, specificity = 0;
  double ppv = 0, npv = 0;  // 0 when undefined (nothing called positive / negative)
};

Result<OperatingPoint> operating_point(const std::vector<double>& scores, const std::vector<int>& labels,
                                       double threshold);

// The operating point with the highest sensitivity among thresholds whose
// specificity is >= target (the highest such sensitivity's largest
// threshold). Thresholds are the observed scores.
Result<OperatingPoint> at_target_specificity(const std::vector<double>& scores, const std::vector<int>& labels,
                                             double target_specificity);

struct CalibrationBin {
  double lower = 0, upper = 0;  // [lower, upper), the last bin includes 1
  std::int64_t count = 0;
  double mean_predicted = 0;   // 0 for an empty bin
  double observed_rate = 0;    // fraction of positives; 0 for an empty bin
};

struct Calibration {
  std::vector<CalibrationBin> bins;
  double brier = 0;  // mean (p - y)^2
  double expected_calibration_error = 0;  // sum over bins count/n * |observed - predicted|
};

// Equal-width bins over [0,1]; probabilities must lie in [0,1].
Result<Calibration> calibration(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                int bins = 10);

struct ClassificationOptions {
  std::vector<double> thresholds = {0.5};
  std::vector<double> target_specificities = {0.8, 0.9, 0.95};
  int bootstrap_resamples = 2000;
  double ci_level = 0.95;
  std::uint64_t seed = 0;
  int calibration_bins = 10;
  bool scores_are_probabilities = true;  // false: no calibration block
};

// Every metric above as one JSON block of the evaluation report
// (docs/training.md, "classification" block of medai.evaluation-report/1).
Result<nlohmann::json> classification_report(const std::vector<double>& scores, const std::vector<int>& labels,
                                             const ClassificationOptions& options = {});

}  // namespace medai::evaluation
