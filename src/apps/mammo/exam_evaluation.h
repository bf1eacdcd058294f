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
#include <functional>
#include <map>
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

struct ExamStudy {
  std::string name;                               // folder name, for error reports
  nlohmann::json ground_truth;                    // ground_truth.json of kind "mammo"
  std::vector<std::filesystem::path> image_files;  // the MG instances
};

// Study folders as `medai synth mammo --out DIR` writes them (sorted by name).
Result<std::vector<ExamStudy>> list_exam_studies(const std::filesystem::path& dir);

// What the app said about one exam (the evaluator runs the whole app, so
// the report measures what users get).
struct ExamOutcome {
  double exam_score = 0;
  std::map<std::string, double> breast_scores;  // "R"/"L" → score, scored breasts only
  bool complete = true;
  std::string birads_category;
  std::map<std::string, double> stage_seconds;  // load, model, … (the run log)
};
using ExamScorer = std::function<Result<ExamOutcome>(const ExamStudy&)>;

// Each study's ground truth must be of kind "mammo" (invalid_argument naming
// the study otherwise). A study the app cannot score is counted under
// studies.failed with its error code (not silently dropped); at least one
// malignant and one other exam are needed. The baseline scores the same
// studies' views (options.baseline).
Result<nlohmann::json> evaluate_mammo_exams(const ExamScorer& scorer, const nlohmann::json& manifest,
                                            const std::vector<ExamStudy>& studies,
                                            const ExamEvaluationOptions& options);

// The baseline alone (exam AUC of max local contrast), e.g. to check that
// generated data stays hard.
Result<nlohmann::json> evaluate_mammo_baseline(const std::vector<ExamStudy>& studies,
                                               const ExamEvaluationOptions& options);

}  // namespace medai::apps::mammo
