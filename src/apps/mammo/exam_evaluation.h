#pragma once
// Exam-level evaluation of the mammography classifier on study folders as
// `medai synth mammo --out DIR` writes them (ground_truth.json + the DICOM
// views): exam AUC with its 95 % bootstrap CI, sensitivity at 90 %
// specificity, ROC, the same at breast level, the suggested BI-RADS
// categories against the truth, and the max-local-contrast baseline on the
// same exams. Positive = exam_label "malignant" (benign findings are
// negatives, as in screening). Result: the task's blocks of a
// medai.evaluation-report/1 ("splits": {"test": …}, "baseline", "breast",
// "operating_points", "figures").
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"
#include "runtime/model_runtime.h"

namespace medai::apps::mammo {

struct ExamEvaluationOptions {
  bool baseline = true;
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 7;
};

// Every study folder must have a ground_truth.json of kind "mammo";
// invalid_argument naming the folder otherwise. A study whose images cannot
// be scored is counted under "failed" with its error code (not silently
// dropped); at least one positive and one negative exam are needed.
Result<nlohmann::json> evaluate_mammo_exams(runtime::ModelRuntime& model, const nlohmann::json& manifest,
                                            const std::vector<std::filesystem::path>& study_dirs,
                                            const ExamEvaluationOptions& options);

// The baseline only (no model), e.g. to check that generated data stays hard.
Result<nlohmann::json> evaluate_mammo_baseline(const std::vector<std::filesystem::path>& study_dirs,
                                               const ExamEvaluationOptions& options);

}  // namespace medai::apps::mammo
