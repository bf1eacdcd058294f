#pragma once
// Evaluation of the lung-nodule screening app on generated studies (the
// folders `medai synth chest-ct --out DIR` writes: <study>/ground_truth.json
// + <study>/ct/*.dcm), for the model and the non-learned baseline on the same
// studies. Per detector:
//   froc       LUNA16 FROC / CPM (evaluation::compute_froc) over every
//              candidate the detector returns; reference = ground-truth
//              nodules (center_mm, max_axial_diameter_mm);
//   reported   what the app reports at its operating point
//              (build_lung_findings with min_score): a ground-truth nodule
//              is matched when a reported nodule's measured centre lies within
//              its radius; median |long axis - max_axial_diameter_mm| over
//              matched nodules, type accuracy over matched nodules,
//              sensitivity and false positives per scan at the operating point.
// Studies that fail to load are listed under "failures" (stable code and
// reason, no patient data) and left out of the metrics.
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/lung/lung_findings.h"
#include "core/status.h"
#include "imaging/series_volume.h"

namespace medai::apps::lung {

// The model: candidates (centre, score) of one loaded series (its files too,
// for detectors that run the whole app on them).
using LungDetector = std::function<Result<std::vector<Candidate>>(const imaging::SeriesVolume&,
                                                                  const std::vector<std::filesystem::path>& files)>;

struct LungEvaluationOptions {
  bool baseline = true;
  double model_min_score = 0.3;     // the app's operating point
  double model_max_diameter_mm = 0; // the app's size limit (LungFindingOptions::max_diameter_mm)
  double baseline_min_score = 0.2;  // the baseline's (score = sphericity^2 x size)
  // Before each scan and at the end; returning false stops with `cancelled`.
  std::function<bool(std::size_t done, std::size_t total)> progress;
};

// Study folders of `root`: its sub-folders holding ground_truth.json, sorted.
std::vector<std::filesystem::path> list_study_folders(const std::filesystem::path& root);

// One scan: its name in the report (never the patient's), its ground truth
// ({"nodules": [{center_mm, max_axial_diameter_mm, type}], "patient": {age, sex}})
// and the CT files.
struct LungStudy {
  std::string case_id;
  nlohmann::json ground_truth;
  std::vector<std::filesystem::path> ct_files;
};

// Returns {"model": block?, "baseline": block?, "studies": n, "failures": [...],
// "figures": [{"title", "svg"}]} where a block is
// {"froc": to_json(FrocResult), "cpm", "operating_point": {...}, "median_diameter_error_mm",
//  "type_accuracy", "matched_nodules", "type_confusion": {...}}.
// `model` may be null (baseline only).
Result<nlohmann::json> evaluate_lung_studies(const std::vector<LungStudy>& studies, const LungDetector* model,
                                             const LungEvaluationOptions& options);
// The same over study folders (ground_truth.json + the CT folder it names).
Result<nlohmann::json> evaluate_lung_studies(const std::vector<std::filesystem::path>& studies,
                                             const LungDetector* model, const LungEvaluationOptions& options);

// The candidates of a PatientInfo from the ground truth's "patient" block
// (age, sex) — what the DICOM header of the generated study says.
PatientInfo patient_from_ground_truth(const nlohmann::json& gt);

}  // namespace medai::apps::lung
