#include "evaluation/detection_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>

namespace medai::evaluation {
namespace {

bool finite(const imaging::Vec3& v) { return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z); }

}  // namespace

double sensitivity_at_fp_rate(const std::vector<FrocPoint>& curve, double x) {
  // numpy.interp: j = last point with fps <= x; at a repeated fps (sensitivity
  // rising at a constant FP rate) that is the best sensitivity at that rate.
  if (curve.empty()) return 0;
  if (x < curve.front().fps_per_scan) return curve.front().sensitivity;
  std::size_t j = 0;
  while (j + 1 < curve.size() && curve[j + 1].fps_per_scan <= x) ++j;
  if (j + 1 == curve.size()) return curve.back().sensitivity;
  const auto& a = curve[j];
  const auto& b = curve[j + 1];
  return a.sensitivity + (b.sensitivity - a.sensitivity) * (x - a.fps_per_scan) / (b.fps_per_scan - a.fps_per_scan);
}

Result<FrocResult> compute_froc(const std::vector<ReferenceNodule>& nodules,
                                const std::vector<NoduleDetection>& detections, int scan_count) {
  nlohmann::json problems = nlohmann::json::array();
  if (scan_count < 1) problems.push_back({{"field", "scan_count"}, {"message", "must be at least 1"}});
  for (std::size_t i = 0; i < nodules.size(); ++i) {
    if (!(nodules[i].diameter_mm > 0) || !std::isfinite(nodules[i].diameter_mm))
      problems.push_back({{"field", "nodules[" + std::to_string(i) + "].diameter_mm"},
                          {"message", "must be a positive finite number"}});
    if (!finite(nodules[i].centre_mm))
      problems.push_back({{"field", "nodules[" + std::to_string(i) + "].centre_mm"}, {"message", "must be finite"}});
  }
  for (std::size_t i = 0; i < detections.size(); ++i) {
    if (!std::isfinite(detections[i].score))
      problems.push_back({{"field", "detections[" + std::to_string(i) + "].score"}, {"message", "must be finite"}});
    if (!finite(detections[i].centre_mm))
      problems.push_back({{"field", "detections[" + std::to_string(i) + "].centre_mm"}, {"message", "must be finite"}});
  }
  if (!problems.empty())
    return make_error(ErrorCode::invalid_argument, "FROC input is invalid", {{"problems", problems}});

  std::unordered_map<std::string, std::vector<std::size_t>> nodules_by_scan;
  for (std::size_t i = 0; i < nodules.size(); ++i) nodules_by_scan[nodules[i].scan_id].push_back(i);

  // Per nodule: the best score of the detections that hit it (or none).
  std::vector<double> best(nodules.size(), -INFINITY);
  std::vector<bool> hit(nodules.size(), false);
  std::vector<double> fp_scores;
  FrocResult r;
  r.scans = scan_count;
  for (const auto& d : detections) {
    bool matched = false;
    if (auto it = nodules_by_scan.find(d.scan_id); it != nodules_by_scan.end()) {
      for (std::size_t n : it->second) {
        const double radius = nodules[n].diameter_mm / 2;
        if ((d.centre_mm - nodules[n].centre_mm).norm2() < radius * radius) {
          matched = true;  // a detection may hit several nodules: it counts for each (as LUNA16)
          if (!nodules[n].excluded) {
            hit[n] = true;
            best[n] = std::max(best[n], d.score);
          }
        }
      }
    }
    if (!matched) fp_scores.push_back(d.score);
  }
  std::vector<double> tp_scores;
  for (std::size_t n = 0; n < nodules.size(); ++n) {
    if (nodules[n].excluded) continue;
    ++r.nodules;
    if (hit[n]) tp_scores.push_back(best[n]);
  }
  r.detected_nodules = static_cast<int>(tp_scores.size());
  r.false_positives = static_cast<int>(fp_scores.size());
  r.matched_detections = static_cast<int>(detections.size() - fp_scores.size());  // hits, incl. repeats and excluded

  std::sort(tp_scores.begin(), tp_scores.end(), std::greater<>());
  std::sort(fp_scores.begin(), fp_scores.end(), std::greater<>());
  std::vector<double> thresholds(tp_scores);
  thresholds.insert(thresholds.end(), fp_scores.begin(), fp_scores.end());
  std::sort(thresholds.begin(), thresholds.end(), std::greater<>());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());

  r.curve.push_back({INFINITY, 0, 0});
  std::size_t ti = 0, fi = 0;
  for (double t : thresholds) {
    while (ti < tp_scores.size() && tp_scores[ti] >= t) ++ti;
    while (fi < fp_scores.size() && fp_scores[fi] >= t) ++fi;
    r.curve.push_back({t, static_cast<double>(fi) / scan_count,
                       r.nodules > 0 ? static_cast<double>(ti) / r.nodules : 0.0});
  }
  double sum = 0;
  for (std::size_t i = 0; i < kCpmFpRates.size(); ++i) {
    r.sensitivity_at[i] = sensitivity_at_fp_rate(r.curve, kCpmFpRates[i]);
    sum += r.sensitivity_at[i];
  }
  r.cpm = sum / static_cast<double>(kCpmFpRates.size());
  return r;
}

nlohmann::json to_json(const FrocResult& r) {
  nlohmann::json at = nlohmann::json::array(), curve = nlohmann::json::array();
  for (std::size_t i = 0; i < kCpmFpRates.size(); ++i)
    at.push_back({{"fps_per_scan", kCpmFpRates[i]}, {"sensitivity", r.sensitivity_at[i]}});
  for (const auto& p : r.curve)
    curve.push_back({p.fps_per_scan, p.sensitivity, std::isfinite(p.threshold) ? nlohmann::json(p.threshold) : nullptr});
  return {{"cpm", r.cpm},
          {"sensitivity_at", at},
          {"curve", curve},
          {"scans", r.scans},
          {"nodules", r.nodules},
          {"detected_nodules", r.detected_nodules},
          {"false_positives", r.false_positives},
          {"matched_detections", r.matched_detections}};
}

}  // namespace medai::evaluation
