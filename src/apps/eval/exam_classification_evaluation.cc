// Package evaluation of 2-D exam classification apps (the reference app
// mammography-screening): every study goes through the whole app
// (run_imaging_app: load → model → heat-maps → SR, as app.run does), its exam
// and breast scores are compared with ground_truth.json (positive = exam
// label "malignant"), and the max-local-contrast baseline scores the same
// views (apps/mammo/exam_evaluation.h has the metrics and report blocks).
#include "apps/eval/package_evaluation.h"
#include "apps/mammo/exam_evaluation.h"

namespace medai::apps::eval {

using nlohmann::json;

Result<json> evaluate_exam_classification_app(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies,
                                              const PackageEvaluationOptions& options) {
  if (!target.model) return make_error(ErrorCode::internal, "exam evaluation needs the app's loaded model");
  std::vector<mammo::ExamStudy> exams;
  for (const auto& s : studies) exams.push_back({s.case_id, s.ground_truth, s.image_files});
  std::size_t done = 0;
  bool cancelled = false;
  const mammo::ExamScorer scorer = [&](const mammo::ExamStudy& study) -> Result<mammo::ExamOutcome> {
    if (cancelled || (options.progress && !options.progress(done++, exams.size()))) {
      cancelled = true;
      return make_error(ErrorCode::cancelled, "the evaluation was cancelled");
    }
    MEDAI_ASSIGN_OR_RETURN(AppRunOutput out, run_imaging_app(target.app, study.image_files, *target.model, target.run));
    const json& exam = out.result.exam;
    mammo::ExamOutcome o;
    o.exam_score = exam.value("exam_score", 0.0);
    for (const auto& b : exam.value("breasts", json::array())) o.breast_scores[b.value("laterality", "")] = b.value("score", 0.0);
    o.complete = exam.value("complete", true);
    o.birads_category = exam.value("birads", json::object()).value("category", "");
    for (const auto& step : out.log)
      if (step.is_object() && step.contains("op") && step.contains("seconds"))
        o.stage_seconds[step["op"].get<std::string>()] += step["seconds"].get<double>();
    return o;
  };
  mammo::ExamEvaluationOptions o;
  o.baseline = options.baseline;
  o.bootstrap_resamples = options.bootstrap_resamples;
  o.seed = options.seed;
  MEDAI_ASSIGN_OR_RETURN(json blocks, mammo::evaluate_mammo_exams(scorer, target.app.app.manifest, exams, o));
  if (cancelled) return make_error(ErrorCode::cancelled, "the evaluation was cancelled");
  if (options.progress) (void)options.progress(exams.size(), exams.size());
  json report = report_skeleton(target, studies);
  for (auto it = blocks.begin(); it != blocks.end(); ++it) {
    if (it.key() == "figures" && report.contains("figures") && report["figures"].is_array()) {
      for (const auto& f : it.value()) report["figures"].push_back(f);
      continue;
    }
    report[it.key()] = it.value();
  }
  return report;
}

}  // namespace medai::apps::eval
