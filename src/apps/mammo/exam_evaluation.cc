#include "apps/mammo/exam_evaluation.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

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

Result<Truth> read_truth(const ExamStudy& study) {
  const json& gt = study.ground_truth;
  if (!gt.is_object() || gt.value("kind", "") != "mammo")
    return make_error(ErrorCode::invalid_argument, "ground_truth.json is not a mammography ground truth",
                      {{"study", study.name}});
  Truth t;
  t.exam = gt.value("exam_label", "") == "malignant" ? 1 : 0;
  if (gt.contains("lesion") && gt["lesion"].is_object()) {
    t.side = gt["lesion"].value("laterality", "");
    t.lesion_kind = gt["lesion"].value("kind", "");
  }
  return t;
}

Result<std::vector<imaging::ProjectionImage>> load_views(const std::vector<fs::path>& files) {
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

Result<json> evaluate(const ExamScorer* scorer, const json& manifest, const std::vector<ExamStudy>& dirs,
                      const ExamEvaluationOptions& options) {
  const bool model = scorer != nullptr;
  OperatingPoints points;
  if (model) {
    MEDAI_ASSIGN_OR_RETURN(points, operating_points_from(manifest.value("output", json::object()).value("thresholds", json())));
  }
  std::vector<double> exam_scores, exam_baseline, breast_scores, breast_baseline;
  std::vector<int> exam_labels, breast_labels;
  json failed = json::array();
  std::map<std::string, std::pair<std::vector<double>, std::vector<int>>> kinds;
  // BI-RADS suggestion vs truth: recall (category 0) among malignant / non-malignant exams.
  std::int64_t recall_pos = 0, recall_neg = 0, incomplete = 0;
  std::map<std::string, double> stage_seconds;
  double seconds = 0;
  ScoringOptions baseline_only;
  baseline_only.model = false;
  baseline_only.baseline = true;
  const bool with_baseline = options.baseline || !model;
  for (const auto& study : dirs) {
    MEDAI_ASSIGN_OR_RETURN(Truth truth, read_truth(study));
    Result<ExamOutcome> outcome = ExamOutcome{};
    if (model) {
      const auto t0 = std::chrono::steady_clock::now();
      outcome = (*scorer)(study);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::optional<ScoredExam> base;
    if (outcome && with_baseline) {
      auto images = load_views(study.image_files);
      auto b = images ? score_exam(*images, nullptr, ModelInput{}, baseline_only) : Result<ScoredExam>(images.status());
      if (b) base = std::move(*b);
      else outcome = b.status();
    }
    if (!outcome) {
      failed.push_back({{"study", study.name}, {"code", std::string(error_code_name(outcome.status().code()))}});
      continue;
    }
    const ExamOutcome& e = *outcome;
    exam_labels.push_back(truth.exam);
    if (model) {
      exam_scores.push_back(e.exam_score);
      if (!e.complete) ++incomplete;
      if (e.birads_category == "0") (truth.exam ? recall_pos : recall_neg) += 1;
      for (const auto& [stage, sec] : e.stage_seconds) stage_seconds[stage] += sec;
    }
    if (base) exam_baseline.push_back(base->baseline.value_or(0));
    const std::string kind = truth.lesion_kind.empty() ? "none" : truth.lesion_kind;
    kinds[kind].first.push_back(model ? e.exam_score : base->baseline.value_or(0));
    kinds[kind].second.push_back(truth.exam);
    for (const char* side : {"R", "L"}) {
      const int label = truth.exam && truth.side == side ? 1 : 0;
      if (model) {
        if (auto it = e.breast_scores.find(side); it != e.breast_scores.end()) {
          breast_scores.push_back(it->second);
          breast_labels.push_back(label);
        }
      } else if (base) {
        double b = -1;
        for (const auto& v : base->scored)
          if (v.view.laterality == side) b = std::max(b, v.baseline.value_or(0));
        if (b >= 0) breast_labels.push_back(label), breast_baseline.push_back(b);
      }
    }
    if (model && base) {  // the baseline's breasts, on the breasts the model scored
      for (const char* side : {"R", "L"}) {
        if (!e.breast_scores.count(side)) continue;
        double b = 0;
        for (const auto& v : base->scored)
          if (v.view.laterality == side) b = std::max(b, v.baseline.value_or(0));
        breast_baseline.push_back(b);
      }
    }
  }
  const std::int64_t positives = std::count(exam_labels.begin(), exam_labels.end(), 1);
  const std::int64_t negatives = static_cast<std::int64_t>(exam_labels.size()) - positives;
  json report = json::object();
  if (positives == 0 || negatives == 0) {
    // No ROC without both classes: report what ran (counts, timings), no metrics.
    report["task"] = "classification";
    report["studies"] = {{"folders", dirs.size()}, {"scored", exam_labels.size()}, {"failed", failed},
                         {"incomplete_exams", incomplete}, {"malignant", positives}, {"other", negatives}};
    if (model) {
      report["seconds_per_exam"] = exam_labels.empty() ? 0.0 : seconds / static_cast<double>(exam_labels.size());
      json stages = json::object();
      for (const auto& [stage, sec] : stage_seconds)
        stages[stage] = sec / static_cast<double>(std::max<std::size_t>(1, exam_labels.size()));
      report["stage_seconds_per_exam"] = stages;
    }
    report["headline"] = {"no AUC: the studies need at least one malignant and one other exam (" +
                          std::to_string(positives) + " malignant, " + std::to_string(negatives) + " other)"};
    return report;
  }
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
    json stages = json::object();
    for (const auto& [stage, sec] : stage_seconds) stages[stage] = sec / static_cast<double>(exam_labels.size());
    report["stage_seconds_per_exam"] = stages;
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
  // One-line summaries (printed by `medai evaluate`).
  json headline = json::array();
  auto auc_text = [](const json& b) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "AUC %.3f (95%% CI %.3f-%.3f)", b.value("auc", 0.0),
                  b.contains("auc_ci") ? b["auc_ci"].value("lower", 0.0) : 0.0,
                  b.contains("auc_ci") ? b["auc_ci"].value("upper", 0.0) : 0.0);
    return std::string(buf);
  };
  auto sens90 = [](const json& b) {
    for (const auto& p : b.value("at_target_specificity", json::array()))
      if (std::abs(p.value("target_specificity", 0.0) - 0.9) < 1e-9) return p.value("sensitivity", 0.0);
    return 0.0;
  };
  const std::string n_exams = std::to_string(exam_labels.size()) + " exams (" + std::to_string(positives) + " malignant)";
  if (model) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ", sensitivity %.3f at 90%% specificity", sens90(report["splits"]["test"]));
    headline.push_back("exam " + auc_text(report["splits"]["test"]) + buf + " on " + n_exams);
  }
  if (report.contains("baseline"))
    headline.push_back("baseline (max local contrast): exam " + auc_text(report["baseline"]["splits"]["test"]) + " on " + n_exams);
  report["headline"] = headline;
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

Result<std::vector<ExamStudy>> list_exam_studies(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::invalid_argument, "the studies folder does not exist", {{"path", dir.string()}});
  std::vector<ExamStudy> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory() || !fs::exists(e.path() / "ground_truth.json")) continue;
    ExamStudy s;
    s.name = e.path().filename().string();
    std::ifstream in(e.path() / "ground_truth.json");
    s.ground_truth = json::parse(in, nullptr, false);
    for (const auto& f : fs::directory_iterator(e.path()))
      if (f.path().extension() == ".dcm") s.image_files.push_back(f.path());
    std::sort(s.image_files.begin(), s.image_files.end());
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const ExamStudy& a, const ExamStudy& b) { return a.name < b.name; });
  return out;
}

Result<json> evaluate_mammo_exams(const ExamScorer& scorer, const json& manifest, const std::vector<ExamStudy>& studies,
                                  const ExamEvaluationOptions& options) {
  return evaluate(&scorer, manifest, studies, options);
}

Result<json> evaluate_mammo_baseline(const std::vector<ExamStudy>& studies, const ExamEvaluationOptions& options) {
  return evaluate(nullptr, json::object(), studies, options);
}

}  // namespace medai::apps::mammo
