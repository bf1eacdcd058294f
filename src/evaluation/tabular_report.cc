#include "evaluation/tabular_report.h"

#include "evaluation/classification_metrics.h"
#include "evaluation/multiclass_metrics.h"
#include "evaluation/regression_metrics.h"

namespace medai::evaluation {

Result<nlohmann::json> tabular_report(const std::vector<double>& predictions, const std::vector<double>& targets,
                                      const std::vector<std::string>& class_names,
                                      const TabularReportOptions& options) {
  if (class_names.empty())
    return regression_report(predictions, targets,
                             {.bootstrap_resamples = options.bootstrap_resamples, .seed = options.seed});
  const std::vector<int> classes(targets.begin(), targets.end());
  if (class_names.size() > 2)
    return multiclass_report(predictions, classes, class_names,
                             {.bootstrap_resamples = options.bootstrap_resamples, .seed = options.seed});
  ClassificationOptions o;
  o.bootstrap_resamples = options.bootstrap_resamples;
  o.seed = options.seed;
  o.thresholds = options.thresholds;
  o.scores_are_probabilities = true;
  for (double s : predictions) o.scores_are_probabilities = o.scores_are_probabilities && s >= 0 && s <= 1;
  return classification_report(predictions, classes, o);
}

}  // namespace medai::evaluation
