#pragma once
// Metrics of a classifier over K > 2 classes from its per-class
// probabilities: the "multiclass" block of the evaluation report
// (docs/training.md). The same function serves the XGBoost trainer's
// validation and test splits and tabular evaluations. Pure, no I/O.
//
// Conventions: probabilities are row-major, cases × classes; labels are
// class indices 0..K-1; the predicted class is the most probable one (ties:
// the lower index). One-vs-rest AUC per class uses roc_auc(); the macro AUC
// is their mean over classes that have cases. Bootstrap CIs resample cases
// within each true class (stratified), seeded and platform-stable.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::evaluation {

struct MulticlassOptions {
  int bootstrap_resamples = 2000;
  double ci_level = 0.95;
  std::uint64_t seed = 0;
};

// Argmax per row; invalid_argument when the sizes do not fit.
Result<std::vector<int>> predicted_classes(const std::vector<double>& probabilities, std::size_t classes);

// Mean one-vs-rest ROC AUC over the classes present in `labels` (a class
// with no case has no AUC). Needs at least two classes present.
Result<double> macro_auc_ovr(const std::vector<double>& probabilities, const std::vector<int>& labels,
                             std::size_t classes);

// Mean negative log of the probability given to the true class (clamped to
// [1e-15, 1]).
Result<double> multiclass_log_loss(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                   std::size_t classes);

// The report block: cases, classes, accuracy (+ CI), balanced accuracy,
// macro F1, macro AUC (+ CI), log loss, confusion matrix (rows: true class,
// columns: predicted), per-class support, precision, recall, F1 and AUC.
Result<nlohmann::json> multiclass_report(const std::vector<double>& probabilities, const std::vector<int>& labels,
                                         const std::vector<std::string>& class_names,
                                         const MulticlassOptions& options = {});

}  // namespace medai::evaluation
