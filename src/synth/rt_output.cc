// write_rt_study: planning CT + RTSTRUCT + SEG + ground_truth.json.
#include <cmath>

#include "synth/ct_writer.h"
#include "synth/rt_phantom.h"
#include "synth/annotation_adapter.h"
#include "synth/study_output.h"
#include "synth/uid.h"

namespace medai::synth {

Result<nlohmann::json> write_rt_study(std::uint64_t seed, int index, const StudyOptions& options,
                                      const std::filesystem::path& dir) {
  RtOptions o;
  o.small = options.small;
  o.matrix = options.matrix;
  o.threads = options.threads;
  const RtPhantom ph = generate_rt_phantom(study_seed(seed, "rt", index), o);
  const StudyIdentity id = make_identity(seed, "rt", index, ph.age, ph.female, "Synthetic RT planning CT (thorax)");
  const std::string base = "rt/" + std::to_string(index);
  CtSeriesOptions ct;
  ct.series = {synth_uid(seed, base + "/series/ct"), "CT", "Synthetic planning CT " + ds(ph.hu.spacing[2]) + " mm", 1};
  ct.uid_label = base + "/ct";
  ct.window_center = 40;
  ct.window_width = 400;
  ct.protocol = "Synthetic RT planning thorax";
  ct.threads = options.threads;
  MEDAI_ASSIGN_OR_RETURN(WrittenSeries series, write_ct_series(ph.hu, id, ct, dir / "ct"));

  const SeriesInfo rs_series{synth_uid(seed, base + "/series/rtstruct"), "RTSTRUCT",
                             "Ground truth structures (RTSTRUCT)", 200};
  const std::string rs_uid = synth_uid(seed, base + "/rtstruct");
  std::vector<annotations::RoiSpec> roi_specs;
  for (const RtStructure& r : ph.rois) {
    annotations::RoiSpec spec;
    spec.bits = r.bit;
    spec.name = r.name;
    spec.interpreted_type = r.interpreted_type;
    spec.rgb = r.rgb;
    roi_specs.push_back(spec);
  }
  MEDAI_ASSIGN_OR_RETURN(
      std::vector<int> contour_counts,
      write_ground_truth_rtstruct(ph.structures, roi_specs, series, id, rs_series, rs_uid, dir / "rtstruct.dcm"));

  namespace codes = annotations::codes;
  std::vector<annotations::SegmentSpec> segments;
  for (const RtStructure& r : ph.rois) {
    annotations::SegmentSpec s;
    s.bits = r.bit;
    s.name = r.name;
    s.rgb = r.rgb;
    s.tracking_id = r.name;
    if (r.name == "GTV") {
      s.category = codes::kMorphAbnormal;
      s.type = codes::kNeoplasm;
      s.description = "Gross tumour volume";
    } else {
      s.category = codes::kAnatomicalStructure;
      s.type = r.name == "External" ? codes::kBody
               : r.name == "Lung_L" ? codes::kLeftLung
               : r.name == "Lung_R" ? codes::kRightLung
               : r.name == "SpinalCord" ? codes::kSpinalCord
                                        : codes::kHeart;
    }
    segments.push_back(s);
  }
  const SeriesInfo seg_series{synth_uid(seed, base + "/series/seg"), "SEG", "Ground truth structures (SEG)", 201};
  const std::string seg_uid = synth_uid(seed, base + "/seg");
  MEDAI_RETURN_IF_ERROR(write_ground_truth_seg(ph.structures, segments, series, id, seg_series, seg_uid, dir / "seg.dcm"));

  nlohmann::json gt;
  gt["kind"] = "rt";
  gt["generator"] = std::string("medai synth ") + MEDAI_VERSION;
  gt["seed"] = seed;
  gt["index"] = index;
  gt["patient"] = {{"patient_id", id.patient_id}, {"age", ph.age}, {"sex", id.sex}};
  gt["study_instance_uid"] = id.study_uid;
  gt["frame_of_reference_uid"] = id.frame_of_reference_uid;
  gt["ct"] = {{"series_instance_uid", series.series_uid},
              {"folder", "ct"},
              {"size", {ph.hu.nx, ph.hu.ny, ph.hu.nz}},
              {"spacing_mm", {ph.hu.spacing[0], ph.hu.spacing[1], ph.hu.spacing[2]}},
              {"origin_mm", {ph.hu.origin[0], ph.hu.origin[1], ph.hu.origin[2]}}};
  gt["rtstruct"] = {{"file", "rtstruct.dcm"}, {"sop_instance_uid", rs_uid}};
  gt["seg"] = {{"file", "seg.dcm"}, {"sop_instance_uid", seg_uid}};
  const double voxel_cc = ph.hu.spacing[0] * ph.hu.spacing[1] * ph.hu.spacing[2] / 1000.0;
  nlohmann::json rois = nlohmann::json::array();
  for (std::size_t i = 0; i < ph.rois.size(); ++i) {
    std::size_t count = 0;
    for (std::uint8_t v : ph.structures.data) count += (v & ph.rois[i].bit) ? 1 : 0;
    rois.push_back({{"roi_number", i + 1},
                    {"segment_number", i + 1},
                    {"name", ph.rois[i].name},
                    {"interpreted_type", ph.rois[i].interpreted_type},
                    {"voxel_count", count},
                    {"volume_cc", std::round(count * voxel_cc * 100) / 100},
                    {"contours", contour_counts[i]}});
  }
  gt["rois"] = rois;
  gt["gtv"] = {{"center_mm", {std::round(ph.gtv.centroid.x * 100) / 100, std::round(ph.gtv.centroid.y * 100) / 100,
                              std::round(ph.gtv.centroid.z * 100) / 100}},
               {"volume_cc", std::round(ph.gtv.volume_mm3 / 10) / 100},
               {"max_axial_diameter_mm", std::round(ph.gtv.max_axial_diameter_mm * 100) / 100}};
  gt["masks"] = "voxel centre inside the structure; RTSTRUCT contours trace these masks at pixel-edge midpoints";
  MEDAI_RETURN_IF_ERROR(write_json_file(gt, dir / "ground_truth.json"));
  return gt;
}

}  // namespace medai::synth
