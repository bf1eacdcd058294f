#pragma once
// The report block of a tabular model's predictions, whatever it predicts:
// the one place that chooses between the classification, multiclass and
// regression blocks, for the XGBoost trainer's splits and for tabular
// evaluations of a published app alike.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::evaluation {

struct TabularReportOptions {
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 0;
  std::vector<double> thresholds = {0.5};  // two classes: fixed operating points
};

// `class_names` empty: regression — `predictions` and `targets` are values
// per case. Two names: `predictions` is the score of class 1 per case,
// `targets` 0/1 (calibration only when every score is in [0, 1]). More
// names: `predictions` is cases × classes probabilities, `targets` class
// indices.
Result<nlohmann::json> tabular_report(const std::vector<double>& predictions, const std::vector<double>& targets,
                                      const std::vector<std::string>& class_names,
                                      const TabularReportOptions& options = {});

}  // namespace medai::evaluation
