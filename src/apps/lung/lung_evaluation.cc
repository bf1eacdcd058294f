#include "apps/lung/lung_evaluation.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "apps/lung/lung_baseline.h"
#include "evaluation/detection_metrics.h"
#include "evaluation/svg_chart.h"

namespace medai::apps::lung {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Tally {
  std::vector<evaluation::NoduleDetection> detections;
  std::vector<double> diameter_errors;
  int matched = 0, typed = 0, type_correct = 0, reported = 0, reported_false = 0;  // typed: matched with a known type
  std::map<std::string, std::map<std::string, int>> confusion;  // truth -> predicted -> count
};

std::vector<fs::path> dicom_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".dcm") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void score_reported(const LungFindings& f, const json& gt_nodules, Tally& t) {
  std::vector<bool> used(f.nodules.size(), false);
  for (const auto& g : gt_nodules) {
    const auto c = g.at("center_mm");
    const imaging::Vec3 centre{c[0].get<double>(), c[1].get<double>(), c[2].get<double>()};
    const double radius = g.at("max_axial_diameter_mm").get<double>() / 2;
    int best = -1;
    double best_d = 1e18;
    for (std::size_t i = 0; i < f.nodules.size(); ++i) {
      const double d = (f.nodules[i].measurement.centre - centre).norm2();
      if (d < radius * radius && d < best_d) best = static_cast<int>(i), best_d = d;
    }
    if (best < 0) continue;
    used[static_cast<std::size_t>(best)] = true;
    ++t.matched;
    const auto& m = f.nodules[static_cast<std::size_t>(best)].measurement;
    t.diameter_errors.push_back(std::fabs(m.long_axis_mm - g.at("max_axial_diameter_mm").get<double>()));
    // A reference without a type (a SEG that does not say) counts for
    // detection and size, not for type accuracy.
    if (!g.contains("type") || !g["type"].is_string()) continue;
    const std::string truth = g["type"].get<std::string>(), predicted = to_string(m.type);
    ++t.typed;
    t.type_correct += truth == predicted;
    ++t.confusion[truth][predicted];
  }
  t.reported += static_cast<int>(f.nodules.size());
  t.reported_false += static_cast<int>(std::count(used.begin(), used.end(), false));
}

json block(const Tally& t, const std::vector<evaluation::ReferenceNodule>& refs, int scans, double min_score,
           evaluation::FrocResult* froc_out) {
  json b;
  auto froc = evaluation::compute_froc(refs, t.detections, std::max(1, scans));
  if (froc) {
    b["froc"] = evaluation::to_json(*froc);
    b["cpm"] = froc->cpm;
    if (froc_out) *froc_out = *froc;
  }
  std::vector<double> e = t.diameter_errors;
  std::sort(e.begin(), e.end());
  double median = NAN;
  if (!e.empty()) median = e.size() % 2 ? e[e.size() / 2] : 0.5 * (e[e.size() / 2 - 1] + e[e.size() / 2]);
  b["median_diameter_error_mm"] = e.empty() ? json(nullptr) : json(std::round(median * 100) / 100);
  b["type_accuracy"] = t.typed ? json(static_cast<double>(t.type_correct) / t.typed) : json(nullptr);
  b["typed_nodules"] = t.typed;
  b["matched_nodules"] = t.matched;
  b["type_confusion"] = t.confusion;
  const int total = static_cast<int>(refs.size());
  b["operating_point"] = {{"min_score", min_score},
                          {"sensitivity", total ? static_cast<double>(t.matched) / total : 0.0},
                          {"false_positives_per_scan", scans ? static_cast<double>(t.reported_false) / scans : 0.0},
                          {"reported_nodules", t.reported}};
  return b;
}

}  // namespace

std::vector<fs::path> list_study_folders(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root, ec))
    if (e.is_directory() && fs::exists(e.path() / "ground_truth.json")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

PatientInfo patient_from_ground_truth(const json& gt) {
  PatientInfo p;
  const json patient = gt.value("patient", json::object());
  if (patient.contains("age") && patient["age"].is_number_integer()) p.age_years = patient["age"].get<int>();
  if (patient.contains("sex") && patient["sex"].is_string()) p.female = patient["sex"].get<std::string>() == "F";
  return p;
}

Result<json> evaluate_lung_studies(const std::vector<fs::path>& folders, const LungDetector* model,
                                   const LungEvaluationOptions& options) {
  std::vector<LungStudy> studies;
  for (const fs::path& dir : folders) {
    LungStudy s;
    s.case_id = dir.filename().string();
    std::ifstream f(dir / "ground_truth.json");
    s.ground_truth = json::parse(f, nullptr, false);
    if (s.ground_truth.is_object())
      s.ct_files = dicom_files(dir / s.ground_truth.value("ct", json::object()).value("folder", "ct"));
    studies.push_back(std::move(s));
  }
  return evaluate_lung_studies(studies, model, options);
}

Result<json> evaluate_lung_studies(const std::vector<LungStudy>& studies, const LungDetector* model,
                                   const LungEvaluationOptions& options) {
  if (studies.empty())
    return make_error(ErrorCode::invalid_argument, "no studies (each needs a nodule ground truth and CT files)");
  std::vector<evaluation::ReferenceNodule> refs;
  Tally model_tally, base_tally;
  json failures = json::array();
  int scans = 0;
  for (std::size_t s = 0; s < studies.size(); ++s) {
    if (options.progress && !options.progress(s, studies.size()))
      return make_error(ErrorCode::cancelled, "the evaluation was cancelled");
    const std::string& scan = studies[s].case_id;
    const json& gt = studies[s].ground_truth;
    if (gt.is_discarded() || !gt.is_object() || !gt.contains("nodules")) {
      failures.push_back({{"study", scan}, {"error", "invalid_argument"}, {"reason", "unreadable ground truth"}});
      continue;
    }
    const std::vector<fs::path>& files = studies[s].ct_files;
    auto series = imaging::load_series_volume(files);
    if (!series) {
      failures.push_back({{"study", scan}, {"error", std::string(error_code_name(series.status().code()))},
                          {"reason", series.status().message()}});
      continue;
    }
    ++scans;
    for (const auto& g : gt["nodules"]) {
      const auto c = g.at("center_mm");
      refs.push_back({scan, {c[0].get<double>(), c[1].get<double>(), c[2].get<double>()},
                      g.at("max_axial_diameter_mm").get<double>(), false});
    }
    const imaging::Volume<float>& hu = series->volume;
    const LungMask lungs = compute_lung_mask(hu);
    const PatientInfo patient = patient_from_ground_truth(gt);
    if (model) {
      auto candidates = (*model)(*series, files);
      if (!candidates) return candidates.status();
      for (const auto& c : *candidates) model_tally.detections.push_back({scan, c.centre, c.score});
      LungFindingOptions fo;
      fo.min_score = options.model_min_score;
      fo.max_diameter_mm = options.model_max_diameter_mm;
      score_reported(build_lung_findings(hu, lungs, *candidates, patient, fo), gt["nodules"], model_tally);
    }
    if (options.baseline) {
      std::vector<Candidate> bc;
      for (const auto& c : baseline_candidates(hu, lungs)) bc.push_back({c.centre, c.score});
      for (const auto& c : bc) base_tally.detections.push_back({scan, c.centre, c.score});
      LungFindingOptions fo;
      fo.min_score = options.baseline_min_score;
      score_reported(build_lung_findings(hu, lungs, bc, patient, fo), gt["nodules"], base_tally);
    }
  }
  if (options.progress) (void)options.progress(studies.size(), studies.size());
  if (scans == 0)
    return make_error(ErrorCode::invalid_argument, "none of the study folders could be loaded",
                      {{"failures", failures}});
  json out;
  out["studies"] = scans;
  out["nodules"] = refs.size();
  out["failures"] = failures;
  std::vector<evaluation::ChartSeries> curves;
  auto add_curve = [&](const std::string& name, const evaluation::FrocResult& r) {
    evaluation::ChartSeries cs;
    cs.name = name;
    for (const auto& p : r.curve)
      if (p.fps_per_scan > 0) cs.points.push_back({std::log2(p.fps_per_scan), p.sensitivity});
    cs.markers = false;
    curves.push_back(std::move(cs));
  };
  if (model) {
    evaluation::FrocResult r;
    out["model"] = block(model_tally, refs, scans, options.model_min_score, &r);
    add_curve("model (CPM " + std::to_string(r.cpm).substr(0, 5) + ")", r);
  }
  if (options.baseline) {
    evaluation::FrocResult r;
    out["baseline"] = block(base_tally, refs, scans, options.baseline_min_score, &r);
    out["baseline"]["method"] =
        "HU > -300 blobs inside the filled lung mask (in-plane opening 3 mm), score sphericity^2 x size";
    add_curve("baseline (CPM " + std::to_string(r.cpm).substr(0, 5) + ")", r);
  }
  evaluation::ChartOptions co;
  co.title = "FROC (LUNA16)";
  co.x_label = "log2 false positives per scan";
  co.y_label = "sensitivity";
  co.x_min = -3;
  co.x_max = 3;
  co.y_min = 0;
  co.y_max = 1;
  out["figures"] = json::array({{{"title", "FROC, " + std::to_string(scans) + " held-out scans"},
                                 {"svg", evaluation::svg_line_chart(curves, co)}}});
  return out;
}

}  // namespace medai::apps::lung
