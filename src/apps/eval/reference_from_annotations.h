#pragma once
// Ground truth of stored studies, for scoring an app on a dataset the
// platform holds (POST /api/v1/evaluations on an imaging dataset) instead of
// on generated study folders with their ground_truth.json. What each task's
// evaluator reads, derived from the annotation objects stored with the study
// and the dataset item's label:
//   detection       one nodule per segment of the study's SEG, on the CT grid:
//                   centre = the mask's centroid (patient mm),
//                   max_axial_diameter_mm = the longest in-plane extent (row or
//                   column) on any slice — how the generator measures it —,
//                   volume_mm3, and type when the Segment Description starts
//                   with solid | part_solid | ground_glass (or with hyphens) (medai's SEGs do;
//                   others count for detection and size, not for type);
//                   patient age and sex from the CT header (malignancy model).
//   image exams     from the label: "malignant" or "malignant:R|L" (side of the
//                   finding) → a malignant exam; any other label → not malignant.
//   segmentation    nothing here: load_reference_plan reads the SEG (or the
//                   RTSTRUCT) the study carries.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/eval/package_evaluation.h"
#include "core/status.h"

namespace medai::apps::eval {

// {"nodules": [...], "patient": {...}}. A study without a SEG has no nodules
// only when its label says so (is_negative_label: a scan without findings
// has no SEG to store); otherwise invalid_argument, since an unlabelled scan
// cannot be told from a negative one.
Result<nlohmann::json> detection_truth_from_seg(const std::vector<std::filesystem::path>& image_files,
                                                const std::vector<AnnotationFile>& annotations,
                                                const std::string& label);

// "no-nodule" (what `medai synth chest-ct --dataset` labels), "none" (no
// annotation object references the series), "normal", "negative".
bool is_negative_label(const std::string& label);

// {"kind": "mammo", "exam_label", "lesion": {"laterality"} | null}.
nlohmann::json exam_truth_from_label(const std::string& label);

}  // namespace medai::apps::eval
