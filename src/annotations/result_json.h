#pragma once
// The JSON result of one app run (stored on the job, returned by the API,
// addressed by finding id by the feedback API). Shape (schema "medai.result/1"):
// {
//   "schema": "medai.result/1",
//   "app": {"name": "...", "version": "1.2.0", "vendor": "...", "package_digest": "sha256:..."},
//   "job_id": "...", "input_digest": "sha256:...", "research_use_only": true,
//   "created": "2026-11-27T15:30:00Z",
//   "study_instance_uid": "...", "source_series_instance_uid": "...",
//   "findings": [{
//     "id": "nodule-1",                     // unique within the result; = SR Tracking Identifier = SEG
//     Tracking ID "label": "Nodule", "code": {"scheme": "SCT", "value": "27925004", "meaning": "Nodule"},
//     "score": 0.83,                        // model confidence / malignancy score, or null
//     "centre_mm": [x, y, z], "slice_index": 41,   // optional
//     "measurements": [{"name": "long_axis_diameter", "value": 12.3, "unit": "mm"}, ...],
//     "attributes": {"type": "solid", ...},       // qualitative values, free JSON
//     "references": {"seg": {"sop_instance_uid": "...", "segment_number": 1},
//                    "sr": {"sop_instance_uid": "...", "tracking_uid": "..."},
//                    "rtstruct": {"sop_instance_uid": "...", "roi_number": 1}}   // each optional
//   }],
//   "exam": {"lung_rads": "4A", ...},     // exam-level scores and categories, free JSON
//   "objects": [{"kind": "seg", "sop_class_uid": "...", "sop_instance_uid": "...", "series_instance_uid":
//   "..."}]
// }
#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "annotations/codes.h"
#include "annotations/dicom_object.h"
#include "annotations/provenance.h"

namespace medai::annotations {

struct ResultMeasurement {
  std::string name;  // snake_case, e.g. long_axis_diameter, short_axis_diameter, volume
  double value = 0;
  std::string unit;  // UCUM, e.g. mm, mm3, 1
};

struct SegReference {
  std::string sop_instance_uid;
  int segment_number = 0;
};
struct SrReference {
  std::string sop_instance_uid, tracking_uid;
};
struct RoiReference {
  std::string sop_instance_uid;
  int roi_number = 0;
};

struct ResultFinding {
  std::string id;
  std::string label;
  Code code;
  std::optional<double> score;
  std::optional<std::array<double, 3>> centre_mm;
  std::optional<int> slice_index;
  std::vector<ResultMeasurement> measurements;
  nlohmann::json attributes = nlohmann::json::object();
  std::optional<SegReference> seg;
  std::optional<SrReference> sr;
  std::optional<RoiReference> rtstruct;
};

struct ResultObject {
  std::string kind;  // seg | sr | rtstruct
  std::string sop_class_uid, sop_instance_uid, series_instance_uid;
};

struct AppResult {
  Producer producer;    // app name, version, package digest, input digest, job id, research flag
  std::string vendor;   // manufacturer handle (defaults to producer.manufacturer)
  std::string created;  // ISO 8601 UTC, the job's time (deterministic re-runs)
  std::string study_instance_uid, source_series_instance_uid;
  std::vector<ResultFinding> findings;
  nlohmann::json exam = nlohmann::json::object();
  std::vector<ResultObject> objects;
};

inline constexpr const char* kResultSchema = "medai.result/1";

nlohmann::json to_json(const AppResult& result);

// Parses and checks a result (schema tag, types, unique non-empty finding
// ids, finite numbers); every problem is listed in the error detail
// ("problems": [...]) with code unprocessable.
Result<AppResult> result_from_json(const nlohmann::json& json);

// The finding with `id`, or nullptr (the feedback API's lookup).
const ResultFinding* find_finding(const AppResult& result, const std::string& id);

ResultObject object_entry(const std::string& kind, const DicomObject& object);

}  // namespace medai::annotations
