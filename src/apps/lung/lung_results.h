#pragma once
// The lung-nodule screening app's result objects from its findings:
//   JSON   one finding per nodule (id "nodule-n", centre in patient mm and
//          slice index, long/short axis, volume, type, Lung-RADS, malignancy
//          score as attributes) + exam block (Lung-RADS v2022 category,
//          management text, notice "research use only - trained on synthetic
//          data" with app name, version and package digest);
//   SEG    one segment per nodule ("Nodule n", SCT Nodule, tracking id
//          nodule-n), only when there are nodules;
//   SR     TID 1500, one measurement group per nodule: long axis, short
//          axis, volume (SCT/UCUM), malignancy probability (99MEDAI code,
//          UCUM "1"), type and Lung-RADS as text evaluations (99MEDAI
//          concept names); exam-level Lung-RADS category and notice as
//          report evaluations. An SR is written also when nothing is found.
// And the input check the app applies before inference (check_lung_series).
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "annotations/dicom_object.h"
#include "annotations/provenance.h"
#include "annotations/result_json.h"
#include "annotations/source_series.h"
#include "apps/lung/lung_findings.h"
#include "core/status.h"
#include "imaging/series_volume.h"

namespace medai::apps::lung {

// Thickest slice the app accepts (mm): thin-section screening CT.
constexpr double kMaxSliceThicknessMm = 2.5;

// invalid_series with detail.reason:
//   wrong_modality   the series is not CT (detail.modality)
//   slice_too_thick  Slice Thickness (or, without it, the slice spacing) above 2.5 mm
//                    (detail.slice_thickness_mm, detail.max_slice_thickness_mm)
//   too_few_slices   fewer than 16 slices: not a chest CT volume
// Localizers mixed into the series never get here: the series loader refuses
// them (invalid_series, reason mixed_orientation, detail.localizers).
Status check_lung_series(const imaging::SeriesVolume& series);

struct LungResultContext {
  const imaging::SeriesVolume* series = nullptr;
  const annotations::SourceSeries* source = nullptr;
  annotations::Producer producer;
  // Identity of each output object: kind "seg" | "sr", series number, description.
  std::function<annotations::OutputSeries(const char* kind, int series_number, const std::string& description)>
      output;
  std::string display_name = "Lung nodule screening";
  std::set<std::string> writers{"seg", "sr-tid1500", "json"};
};

struct LungResultOutput {
  annotations::AppResult result;  // findings, exam, objects (the caller fills producer/vendor/created/UIDs)
  std::vector<annotations::DicomObject> objects;
};

Result<LungResultOutput> write_lung_results(const LungFindings& findings, const LungResultContext& ctx);

// "Research use only - trained on synthetic data (<app> <version>, <digest>)".
std::string research_notice(const annotations::Producer& producer);

}  // namespace medai::apps::lung
