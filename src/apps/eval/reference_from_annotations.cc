#include "apps/eval/reference_from_annotations.h"

#include <algorithm>
#include <cmath>

#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "apps/app_result_builders.h"
#include "core/files.h"

namespace medai::apps::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The nodule type a medai SEG states as the first word of its Segment
// Description ("solid", "part_solid", "ground_glass"; hyphens accepted),
// in the spelling the lung app reports.
std::string type_of(const std::string& description) {
  std::string first = description.substr(0, description.find(' '));
  std::replace(first.begin(), first.end(), '-', '_');
  return first == "solid" || first == "part_solid" || first == "ground_glass" ? first : "";
}

double round3(double v) { return std::round(v * 1000) / 1000; }

json nodule_of(const annotations::SegSegmentInfo& segment, const imaging::Volume<std::uint8_t>& mask) {
  std::size_t count = 0;
  double si = 0, sj = 0, sk = 0, longest = 0;
  for (int k = 0; k < mask.nz; ++k) {
    const std::uint8_t* s = mask.slice(k);
    int i0 = mask.nx, i1 = -1, j0 = mask.ny, j1 = -1;
    for (int j = 0; j < mask.ny; ++j)
      for (int i = 0; i < mask.nx; ++i) {
        if (!s[static_cast<std::size_t>(j) * mask.nx + i]) continue;
        ++count;
        si += i, sj += j, sk += k;
        i0 = std::min(i0, i), i1 = std::max(i1, i), j0 = std::min(j0, j), j1 = std::max(j1, j);
      }
    if (i1 >= 0)
      longest = std::max({longest, (i1 - i0 + 1) * mask.spacing[0], (j1 - j0 + 1) * mask.spacing[1]});
  }
  if (count == 0) return nullptr;
  const imaging::Vec3 c = mask.position(si / count, sj / count, sk / count);
  json n = {{"segment_number", segment.number},
            {"center_mm", {round3(c.x), round3(c.y), round3(c.z)}},
            {"max_axial_diameter_mm", round3(longest)},
            {"volume_mm3", round3(count * mask.spacing[0] * mask.spacing[1] * mask.spacing[2])}};
  if (const std::string type = type_of(segment.description); !type.empty()) n["type"] = type;
  return n;
}

}  // namespace

Result<json> detection_truth_from_seg(const std::vector<fs::path>& image_files,
                                      const std::vector<AnnotationFile>& annotations, const std::string& label) {
  MEDAI_ASSIGN_OR_RETURN(annotations::SourceSeries source, annotations::source_series_from_files(image_files));
  json truth = {{"nodules", json::array()}};
  const lung::PatientInfo patient = lung_patient_info(source);
  truth["patient"] = json::object();
  if (patient.age_years) truth["patient"]["age"] = *patient.age_years;
  if (patient.female) truth["patient"]["sex"] = *patient.female ? "F" : "M";
  bool any_seg = false;
  for (const AnnotationFile& a : annotations) {
    if (a.kind != "SEG") continue;
    any_seg = true;
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(a.path));
    MEDAI_ASSIGN_OR_RETURN(annotations::SegLabels seg, annotations::read_seg(bytes, source));
    for (std::size_t i = 0; i < seg.segments.size(); ++i)
      if (json n = nodule_of(seg.segments[i], seg.masks[i]); !n.is_null()) truth["nodules"].push_back(std::move(n));
  }
  if (!any_seg && !is_negative_label(label))
    return make_error(ErrorCode::invalid_argument,
                      "the study has no SEG with its nodules and its label does not say it has none",
                      {{"negative_labels", {"no-nodule", "none", "normal", "negative"}}});
  return truth;
}

bool is_negative_label(const std::string& label) {
  return label == "no-nodule" || label == "none" || label == "normal" || label == "negative";
}

json exam_truth_from_label(const std::string& label) {
  json truth = {{"kind", "mammo"}, {"lesion", nullptr}};
  const std::string head = label.substr(0, label.find(':'));
  truth["exam_label"] = head;
  if (head == "malignant") {
    const std::string side = label.size() > head.size() + 1 ? label.substr(head.size() + 1) : "";
    truth["lesion"] = {{"laterality", side == "R" || side == "L" ? side : ""}};
  }
  return truth;
}

}  // namespace medai::apps::eval
