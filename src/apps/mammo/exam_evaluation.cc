#include "apps/mammo/exam_evaluation.h"

#include <algorithm>
#include <chrono>
#include <fstream>

#include "apps/mammo/exam_scoring.h"
#include "evaluation/classification_metrics.h"
#include "evaluation/svg_chart.h"

namespace medai::apps::mammo {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Truth {
  int exam = 0;                   // malignant exam
  std::string side;               // lesion laterality ("" without lesion)
  std::string lesion_kind;        // "" without lesion
};

Result<Truth> read_truth(const fs::path& dir) {
  std::ifstream in(dir / "ground_truth.json");
  if (!in)
    return make_error(ErrorCode::invalid_argument, "a study folder has no ground_truth.json",
                      {{"folder", dir.filename().string()}});
  json gt = json::parse(in, nullptr, false);
  if (gt.is_discarded() || gt.value("kind", "") != "mammo")
    return make_error(ErrorCode::invalid_argument, "ground_truth.json is not a mammography ground truth",
                      {{"folder", dir.filename().string()}});
  Truth t;
  t.exam = gt.value("exam_label", "") == "malignant" ? 1 : 0;
  if (gt.contains("lesion") && gt["lesion"].is_object()) {
    t.side = gt["lesion"].value("laterality", "");
    t.lesion_kind = gt["lesion"].value("kind", "");
  }
  return t;
}

Result<std::vector<imaging::ProjectionImage>> load_views(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".dcm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<imaging::ProjectionImage> out;
  for (const auto& f : files) {
    MEDAI_ASSIGN_OR_RETURN(auto img, imaging::load_projection_image(f));
    out.push_back(std::move(img));
  }
  return out;
}

json roc_figure(const std::vector<std::pair<std::string, std::pair<std::vector<double>, std::vector<int>>>>& curves,
                const std::string& title) {
  std::vector<evaluation::ChartSeries> series;
  for (const auto& [name, data] : curves) {
    auto roc = evaluation::roc_curve(data.first, data.second);
    if (!roc) continue;
    evaluation::ChartSeries s;
    s.name = name;
    for (const auto& p : *roc) s.points.push_back({p.fpr, p.tpr});
    series.push_back(std::move(s));
  }
  evaluation::ChartOptions o;
  o.title = title;
  o.x_label = "1 - specificity";
  o.y_label = "sensitivity";
  o.x_min = 0, o.x_max = 1, o.y_min = 0, o.y_max = 1;
  o.diagonal = true;
  return {{"title", title}, {"svg", evaluation::svg_line_chart(series, o)}};
}

Result<json> block(const std::vector<double>& scores, const std::vector<int>& labels, const ExamEvaluationOptions& o,
                   bool probabilities) {
  evaluation::ClassificationOptions c;
  c.bootstrap_resamples = o.bootstrap_resamples;
  c.seed = o.seed;
  c.target_specificities = {0.8, 0.9, 0.95};
  c.scores_are_probabilities = probabilities;
  if (!probabilities) c.thresholds.clear();
  return evaluation::classification_report(scores, labels, c);
}

Result<json> evaluate(runtime::ModelRuntime* model, const json& manifest, const std::vector<fs::path>& dirs,
                      const ExamEvaluationOptions& options) {
  ModelInput input;
  OperatingPoints points;
  if (model) {
    MEDAI_ASSIGN_OR_RETURN(input, model_input_from(manifest.value("input", json::object())));
    MEDAI_ASSIGN_OR_RETURN(points, operating_points_from(manifest.value("output", json::object()).value("thresholds", json())));
  }
  ScoringOptions so;
  so.model = model != nullptr;
  so.baseline = options.baseline || !model;
  std::vector<double> exam_scores, exam_baseline, breast_scores, breast_baseline;
  std::vector<int> exam_labels, breast_labels;
  json failed = json::array(), per_kind = json::object();
  std::map<std::string, std::pair<std::vector<double>, std::vector<int>>> kinds;
  // BI-RADS suggestion vs truth: recall (category 0) among malignant / non-malignant exams.
  std::int64_t recall_pos = 0, recall_neg = 0, incomplete = 0;
  double seconds = 0;
  for (const auto& dir : dirs) {
    MEDAI_ASSIGN_OR_RETURN(Truth truth, read_truth(dir));
    const auto t0 = std::chrono::steady_clock::now();
    auto images = load_views(dir);
    Result<ScoredExam> scored = images ? score_exam(*images, model, input, so) : Result<ScoredExam>(images.status());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!scored) {
      failed.push_back({{"folder", dir.filename().string()}, {"code", std::string(error_code_name(scored.status().code()))}});
      continue;
    }
    const ScoredExam& e = *scored;
    exam_labels.push_back(truth.exam);
    if (model) exam_scores.push_back(e.exam.score);
    if (e.baseline) exam_baseline.push_back(*e.baseline);
    if (!e.views.complete()) ++incomplete;
    if (model) {
      const Assessment a = suggest_birads(e.exam, points);
      if (a.category == "0") (truth.exam ? recall_pos : recall_neg) += 1;
    }
    const std::string kind = truth.lesion_kind.empty() ? "none" : truth.lesion_kind;
    kinds[kind].first.push_back(model ? e.exam.score : e.baseline.value_or(0));
    kinds[kind].second.push_back(truth.exam);
    for (const char* side : {"R", "L"}) {
      double s = -1, b = -1;
      for (const auto& v : e.scored)
        if (v.view.laterality == side) {
          s = std::max(s, v.score);
          b = std::max(b, v.baseline.value_or(0));
        }
      if (s < 0) continue;
      breast_labels.push_back(truth.exam && truth.side == side ? 1 : 0);
      if (model) breast_scores.push_back(s);
      if (e.baseline) breast_baseline.push_back(b);
    }
  }
  const std::int64_t positives = std::count(exam_labels.begin(), exam_labels.end(), 1);
  const std::int64_t negatives = static_cast<std::int64_t>(exam_labels.size()) - positives;
  if (positives == 0 || negatives == 0)
    return make_error(ErrorCode::invalid_argument, "the studies need at least one malignant and one other exam",
                      {{"positives", positives}, {"negatives", negatives}, {"failed", failed.size()}});
  json report = json::object();
  report["task"] = "classification";
  report["level"] = "exam";
  report["positive_label"] = "malignant";
  report["studies"] = {{"folders", dirs.size()}, {"scored", exam_labels.size()}, {"failed", failed},
                       {"incomplete_exams", incomplete}};
  json figures = json::array();
  std::vector<std::pair<std::string, std::pair<std::vector<double>, std::vector<int>>>> curves;
  if (model) {
    MEDAI_ASSIGN_OR_RETURN(json test, block(exam_scores, exam_labels, options, true));
    report["splits"] = {{"test", test}};
    MEDAI_ASSIGN_OR_RETURN(json breast, block(breast_scores, breast_labels, options, true));
    report["breast"] = breast;
    json ops = json::array();
    for (const auto& [name, t] : {std::pair<std::string, double>{"recall", points.recall},
                                  std::pair<std::string, double>{"high_suspicion", points.high_suspicion}}) {
      MEDAI_ASSIGN_OR_RETURN(auto op, evaluation::operating_point(exam_scores, exam_labels, t));
      ops.push_back({{"name", name}, {"threshold", t}, {"sensitivity", op.sensitivity},
                     {"specificity", op.specificity}, {"tp", op.tp}, {"fp", op.fp}, {"tn", op.tn}, {"fn", op.fn}});
    }
    report["operating_points"] = ops;
    report["birads"] = {{"recalled_malignant", recall_pos}, {"malignant", positives},
                        {"recalled_other", recall_neg}, {"other", negatives},
                        {"note", "category 0 (recall) suggested when the exam score is at or above the recall "
                                 "operating point or views are missing; 1 (negative) otherwise"}};
    curves.push_back({"model (exam)", {exam_scores, exam_labels}});
    curves.push_back({"model (breast)", {breast_scores, breast_labels}});
    report["seconds_per_exam"] = seconds / static_cast<double>(exam_labels.size());
  }
  if (!exam_baseline.empty() && exam_baseline.size() == exam_labels.size()) {
    MEDAI_ASSIGN_OR_RETURN(json b, block(exam_baseline, exam_labels, options, false));
    MEDAI_ASSIGN_OR_RETURN(json bb, block(breast_baseline, breast_labels, options, false));
    report["baseline"] = {{"name", "maximum local contrast"},
                          {"definition", "per view on a 0.4 mm grid: max over the breast (1.5 mm inside the skin) of "
                                         "a difference of Gaussian local means over breast pixels (sigma 0.4 mm minus "
                                         "2.4 mm) of the presentation values; breast = max of its views, exam = max of its breasts"},
                          {"splits", {{"test", b}}},
                          {"breast", bb}};
    curves.push_back({"baseline: max local contrast (exam)", {exam_baseline, exam_labels}});
  }
  json by_kind = json::object();
  for (const auto& [kind, data] : kinds) {
    const auto pos = std::count(data.second.begin(), data.second.end(), 1);
    by_kind[kind] = {{"exams", data.second.size()}, {"malignant", pos}};
  }
  report["lesion_kinds"] = by_kind;
  figures.push_back(roc_figure(curves, "ROC, held-out exams (malignant vs not)"));
  report["figures"] = figures;
  return report;
}

}  // namespace

Result<json> evaluate_mammo_exams(runtime::ModelRuntime& model, const json& manifest,
                                  const std::vector<fs::path>& study_dirs, const ExamEvaluationOptions& options) {
  return evaluate(&model, manifest, study_dirs, options);
}

Result<json> evaluate_mammo_baseline(const std::vector<fs::path>& study_dirs, const ExamEvaluationOptions& options) {
  return evaluate(nullptr, json::object(), study_dirs, options);
}

}  // namespace medai::apps::mammo
