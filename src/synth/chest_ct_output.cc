// write_chest_ct_study: CT series + nodule SEG + ground_truth.json.
#include <cmath>
#include <fstream>

#include "synth/chest_ct.h"
#include "synth/ct_writer.h"
#include "synth/rng.h"
#include "synth/annotation_adapter.h"
#include "synth/study_output.h"
#include "synth/uid.h"

namespace medai::synth {
namespace {

double r3(double v) { return std::round(v * 1000.0) / 1000.0; }
nlohmann::json vec(const Vec3& v) { return {r3(v.x), r3(v.y), r3(v.z)}; }

}  // namespace

std::uint64_t study_seed(std::uint64_t seed, std::string_view kind, int index) {
  return mix64(seed ^ mix64(hash_label(kind) + static_cast<std::uint64_t>(index)));
}

Status write_json_file(const nlohmann::json& json, const std::filesystem::path& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << json.dump(2) << "\n";
  f.close();
  if (!f) return make_error(ErrorCode::io_error, "cannot write JSON file", {{"path", path.string()}});
  return Status::ok();
}

Result<nlohmann::json> write_chest_ct_study(std::uint64_t seed, int index, const StudyOptions& options,
                                            const std::filesystem::path& dir) {
  ChestCtOptions o;
  o.small = options.small;
  o.threads = options.threads;
  o.min_nodules = options.min_nodules;
  o.slices = options.slices;
  o.matrix = options.matrix;
  const std::uint64_t s = study_seed(seed, "chest-ct", index);
  const ChestCtStudy study = generate_chest_ct(s, o);
  const StudyIdentity id =
      make_identity(seed, "chest-ct", index, study.patient.age, study.patient.female, "Synthetic chest CT (lung nodules)");
  const std::string base = "chest-ct/" + std::to_string(index);

  CtSeriesOptions ct;
  ct.series = {synth_uid(seed, base + "/series/ct"), "CT", "Chest CT synthetic 1.0 mm lung", 1};
  ct.series.description = "Synthetic chest CT " + ds(study.hu.spacing[2]) + " mm";
  ct.uid_label = base + "/ct";
  ct.threads = options.threads;
  MEDAI_ASSIGN_OR_RETURN(WrittenSeries series, write_ct_series(study.hu, id, ct, dir / "ct"));

  nlohmann::json gt;
  gt["kind"] = "chest-ct";
  gt["generator"] = std::string("medai synth ") + MEDAI_VERSION;
  gt["seed"] = seed;
  gt["index"] = index;
  gt["patient"] = {{"patient_id", id.patient_id}, {"age", study.patient.age}, {"sex", id.sex}};
  gt["study_instance_uid"] = id.study_uid;
  gt["frame_of_reference_uid"] = id.frame_of_reference_uid;
  gt["ct"] = {{"series_instance_uid", series.series_uid},
              {"folder", "ct"},
              {"size", {study.hu.nx, study.hu.ny, study.hu.nz}},
              {"spacing_mm", {r3(study.hu.spacing[0]), r3(study.hu.spacing[1]), r3(study.hu.spacing[2])}},
              {"origin_mm", {r3(study.hu.origin[0]), r3(study.hu.origin[1]), r3(study.hu.origin[2])}},
              {"image_orientation_patient", {1, 0, 0, 0, 1, 0}},
              {"slice_order", "instance k+1 is slice k at z = origin_z + k * spacing_z (inferior first)"},
              {"noise_sigma_hu", r3(study.noise_sigma)}};
  gt["malignancy_model"] =
      "Brock/PanCan full model with spiculation (McWilliams 2013), no family history, no emphysema";
  nlohmann::json nodules = nlohmann::json::array();
  std::vector<annotations::SegmentSpec> segments;
  for (const Nodule& n : study.nodules) {
    const int k = n.centroid_voxel[2];
    nodules.push_back({{"id", n.id},
                       {"segment_number", n.id},
                       {"center_mm", vec(n.centroid)},
                       {"design_center_mm", vec(n.centre)},
                       {"center_voxel", {n.centroid_voxel[0], n.centroid_voxel[1], n.centroid_voxel[2]}},
                       {"slice_index", k},
                       {"instance_number", k + 1},
                       {"sop_instance_uid", series.sop_uids[static_cast<std::size_t>(k)]},
                       {"diameter_mm", r3(2 * n.radius)},
                       {"max_axial_diameter_mm", r3(n.max_axial_diameter_mm)},
                       {"equivalent_diameter_mm", r3(std::cbrt(6.0 * n.volume_mm3 / 3.141592653589793))},
                       {"volume_mm3", r3(n.volume_mm3)},
                       {"voxel_count", n.voxel_count},
                       {"type", to_string(n.type)},
                       {"margin", to_string(n.margin)},
                       {"location", to_string(n.location)},
                       {"attenuation_hu", r3(n.hu)},
                       {"solid_core_hu", n.core_fraction > 0 ? nlohmann::json(r3(n.core_hu)) : nlohmann::json()},
                       {"upper_lobe", n.upper_lobe},
                       {"malignancy_probability", r3(n.malignancy_probability)},
                       {"malignant", n.malignant}});
    annotations::SegmentSpec seg;
    seg.label = static_cast<std::uint8_t>(n.id);
    seg.name = "Nodule " + std::to_string(n.id);
    seg.description = to_string(n.type) + " " + to_string(n.margin) + " " + to_string(n.location);
    seg.category = annotations::codes::kMorphAbnormal;
    seg.type = annotations::codes::kNodule;
    seg.rgb = n.malignant ? std::array<int, 3>{230, 40, 40} : std::array<int, 3>{40, 200, 80};
    seg.tracking_id = "nodule-" + std::to_string(n.id);
    segments.push_back(seg);
  }
  gt["nodules"] = nodules;
  if (!segments.empty()) {
    const SeriesInfo seg_series{synth_uid(seed, base + "/series/seg"), "SEG", "Nodule ground truth (SEG)", 100};
    const std::string seg_uid = synth_uid(seed, base + "/seg");
    MEDAI_RETURN_IF_ERROR(
        write_ground_truth_seg(study.nodule_label, segments, series, id, seg_series, seg_uid, dir / "seg.dcm"));
    gt["seg"] = {{"file", "seg.dcm"}, {"sop_instance_uid", seg_uid}, {"series_instance_uid", seg_series.uid},
                 {"segments", "one segment per nodule, segment number = nodule id"}};
  } else {
    gt["seg"] = nullptr;  // a SEG needs at least one segment; a scan without nodules has none
  }
  MEDAI_RETURN_IF_ERROR(write_json_file(gt, dir / "ground_truth.json"));
  return gt;
}

}  // namespace medai::synth
