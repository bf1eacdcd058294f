#pragma once
// Detection metrics for nodules: FROC and CPM as the LUNA16 challenge
// defines them (Setio et al. 2017, evaluation script noduleCADEvaluation):
//  - A detection hits a reference nodule of the same scan when its centre is
//    strictly closer than the nodule's radius (diameter / 2) to the nodule's
//    centre (Euclidean, mm, patient coordinates).
//  - Each nodule is counted once: its score is the highest score among the
//    detections that hit it; a nodule no detection hits is a miss at every
//    threshold. Further hits on the same nodule are neither TP nor FP.
//  - Detections that hit an excluded nodule (LUNA16's "irrelevant
//    findings") are ignored; excluded nodules are not counted either.
//  - Every other detection is a false positive.
//  - Operating points: for each distinct score t (descending), sensitivity =
//    nodules with score ≥ t / all counted nodules, FPs per scan = false
//    positives with score ≥ t / number of scans; the curve starts at (0, 0).
//  - Sensitivity at a given FP rate: linear interpolation between operating
//    points (numpy.interp, as LUNA16), the last sensitivity beyond the last
//    point. CPM = mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4, 8 FPs per scan.
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "imaging/volume.h"

namespace medai::evaluation {

struct ReferenceNodule {
  std::string scan_id;
  imaging::Vec3 centre_mm;
  double diameter_mm = 0;
  bool excluded = false;  // irrelevant finding: hits on it are ignored
};

struct NoduleDetection {
  std::string scan_id;
  imaging::Vec3 centre_mm;
  double score = 0;
};

struct FrocPoint {
  double threshold = 0;
  double fps_per_scan = 0;
  double sensitivity = 0;
};

inline constexpr std::array<double, 7> kCpmFpRates{0.125, 0.25, 0.5, 1, 2, 4, 8};

struct FrocResult {
  std::vector<FrocPoint> curve;          // (0,0) first, then by descending threshold
  std::array<double, 7> sensitivity_at;  // at kCpmFpRates
  double cpm = 0;
  int scans = 0, nodules = 0, detected_nodules = 0, false_positives = 0, matched_detections = 0;
};

// scan_count: scans in the test set, including those without nodules or
// detections (must be ≥ 1). invalid_argument for a non-positive or
// non-finite diameter, a non-finite score or centre, scan_count < 1;
// detail.problems lists every one (index and field, no patient data).
Result<FrocResult> compute_froc(const std::vector<ReferenceNodule>& nodules,
                                const std::vector<NoduleDetection>& detections, int scan_count);

// numpy.interp over the curve's (fps_per_scan, sensitivity) points.
double sensitivity_at_fp_rate(const std::vector<FrocPoint>& curve, double fps_per_scan);

// {"cpm", "sensitivity_at": [{"fps_per_scan","sensitivity"}…], "curve":
// [[fps, sensitivity, threshold]…], "scans", "nodules", "detected_nodules",
// "false_positives", "matched_detections"}
nlohmann::json to_json(const FrocResult& r);

}  // namespace medai::evaluation
