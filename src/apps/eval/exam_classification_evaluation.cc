// Package evaluation of 2-D exam classification (AUC) apps. Not available yet (issue #7).
#include "apps/eval/package_evaluation.h"

namespace medai::apps::eval {

Result<nlohmann::json> evaluate_exam_classification_app(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies,
                             const PackageEvaluationOptions& options) {
  (void)target;
  (void)studies;
  (void)options;
  return make_error(ErrorCode::not_implemented, "package evaluation of 2-D exam classification (AUC) apps is not available yet");
}

}  // namespace medai::apps::eval
