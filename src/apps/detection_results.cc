// Results of volume apps with task "detection" (and the default for volume
// apps). Lung-nodule apps (modality CT, body part CHEST, first output label
// coded SCT 27925004 Nodule) get the lung screening results
// (apps/lung/lung_results.h): heat-map peaks of output channel 0 as
// candidates, nodules segmented and measured on the CT, type, Lung-RADS
// v2022, Brock malignancy score, SEG + SR TID 1500 + JSON. Every other
// detection app: one finding per connected component of the post-processed
// output, with its measurement; SEG (one segment per finding), RTSTRUCT (one
// ROI per finding) and SR TID 1500 (one measurement group per finding) as the
// manifest's writers ask.
#include <algorithm>
#include <optional>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "annotations/codes.h"
#include "annotations/rtstruct_writer.h"
#include "annotations/seg_writer.h"
#include "annotations/sr_tid1500_writer.h"
#include "apps/app_result_builders.h"
#include "apps/lung/heatmap_peaks.h"
#include "apps/lung/lung_results.h"
#include "apps/lung/malignancy.h"

namespace medai::apps {
namespace {

using nlohmann::json;
namespace ann = annotations;

struct Finding {
  std::string id;
  int label = 0;  // value in the finding label map
  imaging::Measurement measurement;
  double score = 0;
};

bool contains(const json& list, const char* value) {
  if (!list.is_array()) return false;
  for (const auto& v : list)
    if (v.is_string() && v.get<std::string>() == value) return true;
  return false;
}

bool is_lung_nodule_app(const json& manifest) {
  const json labels = manifest.value("output", json::object()).value("labels", json::array());
  const json code = labels.empty() ? json() : labels[0].value("code", json());
  return contains(manifest.value("modality", json::array()), "CT") &&
         contains(manifest.value("body_part", json::array()), "CHEST") && code.is_object() &&
         code.value("value", "") == ann::codes::kNodule.value;
}

Status build_lung_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out) {
  namespace lung = apps::lung;
  MEDAI_RETURN_IF_ERROR(lung::check_lung_series(run.series));
  if (run.data.probabilities.empty())
    return make_error(ErrorCode::invalid_pipeline, "the lung detector produced no heat-map");
  const json thresholds =
      ctx.app->app.manifest.value("output", json::object()).value("thresholds", json::object());
  const double candidate_score = thresholds.value("candidate_score", 0.05);
  lung::LungFindingOptions options;
  options.min_score = thresholds.value("min_score", 0.3);
  options.max_diameter_mm = thresholds.value("max_diameter_mm", 0.0);
  // Peaks of the nodule probability (working grid; padding lies beyond the
  // scan and measure_nodule finds nothing there).
  // Only candidates in or next to the lungs (the network also answers in the
  // padding and outside the body).
  const lung::LungMask lungs = lung::compute_lung_mask(run.series.volume);
  const std::vector<lung::Candidate> candidates = lung::candidates_near_lungs(
      run.series.volume, lungs,
      lung::heatmap_peaks(
          lung::nodule_probability(run.data.probabilities, thresholds.value("heat_from_background", 0.0) != 0.0),
          candidate_score, 200));
  if (!ctx.progress(0.85, "measuring nodules")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  const lung::LungFindings findings =
      lung::build_lung_findings(run.series.volume, lungs, candidates, lung_patient_info(run.source), options);
  lung::LungResultContext lctx;
  lctx.series = &run.series;
  lctx.source = &run.source;
  lctx.producer = ctx.producer;
  lctx.output = ctx.output_series;
  lctx.display_name = ctx.display_name;
  lctx.writers = ctx.writers;
  if (!ctx.progress(0.9, "writing results")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  MEDAI_ASSIGN_OR_RETURN(lung::LungResultOutput written, lung::write_lung_results(findings, lctx));
  // Keep what the runner filled (producer, UIDs, created) and add ours.
  ann::AppResult& result = out.result;
  result.findings = std::move(written.result.findings);
  for (auto& [k, v] : written.result.exam.items()) result.exam[k] = v;
  // Every candidate the detector proposed (centre, score): FROC evaluation
  // and audit; only those at or above min_score are findings.
  json proposed = json::array();
  for (const auto& c : candidates)
    proposed.push_back({{"centre_mm", {c.centre.x, c.centre.y, c.centre.z}}, {"score", c.score}});
  result.exam["detector_candidates"] = proposed;
  result.exam["operating_point"] = {{"min_score", options.min_score},
                                    {"candidate_score", candidate_score},
                                    {"max_diameter_mm", options.max_diameter_mm}};
  for (auto& o : written.result.objects) result.objects.push_back(std::move(o));
  for (auto& o : written.objects) out.objects.push_back(std::move(o));
  return Status{};
}

}  // namespace

Status build_detection_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out) {
  const json& manifest = ctx.app->app.manifest;
  if (is_lung_nodule_app(manifest)) return build_lung_results(run, ctx, out);
  const imaging::PipelineData& data = run.data;
  const ann::SourceSeries& source = run.source;
  const json labels = manifest.value("output", json::object()).value("labels", json::array());
  const json first_label = labels.empty() ? json::object() : labels[0];
  const ann::Code finding_code = manifest_code(first_label.value("code", json()), ann::codes::kNodule);

  // One finding per connected component (with its measurement).
  std::vector<Finding> findings;
  std::optional<imaging::Volume<std::uint8_t>> finding_map;  // finding label per voxel, source grid
  if (data.components) {
    auto on_working = data.image.like<std::uint8_t>();
    const auto& comp = *data.components;
    const int kept = static_cast<int>(std::min<std::size_t>(comp.stats.size(), 250));
    for (std::size_t v = 0; v < comp.labels.data.size(); ++v) {
      const int id = comp.labels.data[v];
      if (id > 0 && id <= kept) on_working.data[v] = static_cast<std::uint8_t>(id);
    }
    finding_map = imaging::labels_on_source_grid(data, on_working);
    for (int id = 1; id <= kept; ++id) {
      Finding f;
      f.id = "finding-" + std::to_string(id);
      f.label = id;
      f.score = comp.stats[id - 1].score_max;
      for (const auto& m : data.measurements)
        if (m.id == id) f.measurement = m;
      findings.push_back(std::move(f));
    }
  }

  ann::AppResult& result = out.result;
  for (const auto& f : findings) {
    ann::ResultFinding rf;
    rf.id = f.id;
    rf.label = first_label.value("name", std::string("Finding"));
    rf.code = finding_code;
    rf.score = f.score;
    rf.centre_mm = std::array<double, 3>{f.measurement.centroid.x, f.measurement.centroid.y, f.measurement.centroid.z};
    rf.slice_index = f.measurement.slice;
    rf.measurements = {{"long_axis_diameter", f.measurement.long_axis_mm, "mm"},
                       {"short_axis_diameter", f.measurement.short_axis_mm, "mm"},
                       {"volume", f.measurement.volume_mm3, "mm3"}};
    result.findings.push_back(std::move(rf));
  }

  if (!ctx.progress(0.9, "writing results")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  if (ctx.writers.count("seg") && finding_map && !findings.empty()) {
    std::vector<ann::SegmentSpec> segments;
    for (const auto& f : findings)
      segments.push_back({.label = static_cast<std::uint8_t>(f.label), .name = f.id, .type = finding_code,
                          .tracking_id = f.id});
    MEDAI_ASSIGN_OR_RETURN(auto seg, ann::write_seg(*finding_map, segments, source, ctx.producer,
                                                    ctx.output_series("seg", 901, ctx.display_name + " segmentation")));
    for (std::size_t n = 0; n < findings.size(); ++n)
      result.findings[n].seg = ann::SegReference{seg.sop_instance_uid, static_cast<int>(n + 1)};
    result.objects.push_back(ann::object_entry("seg", seg));
    out.objects.push_back(std::move(seg));
  }
  if (ctx.writers.count("rtstruct") && finding_map && !findings.empty()) {
    std::vector<ann::RoiSpec> rois;
    for (const auto& f : findings)
      rois.push_back({.label = static_cast<std::uint8_t>(f.label), .name = f.id, .interpreted_type = "GTV"});
    MEDAI_ASSIGN_OR_RETURN(auto rt, ann::write_rtstruct(*finding_map, rois, source, ctx.producer,
                                                        ctx.output_series("rtstruct", 902, ctx.display_name + " structures")));
    for (std::size_t n = 0; n < findings.size(); ++n)
      result.findings[n].rtstruct = ann::RoiReference{rt.object.sop_instance_uid, static_cast<int>(n + 1)};
    result.objects.push_back(ann::object_entry("rtstruct", rt.object));
    out.objects.push_back(std::move(rt.object));
  }
  if (ctx.writers.count("sr-tid1500")) {
    std::vector<ann::SrFinding> sr_findings;
    for (const auto& f : findings) {
      ann::SrFinding s;
      s.tracking_id = f.id;
      s.finding = finding_code;
      s.measurements = {{ann::codes::kLongAxis, f.measurement.long_axis_mm, ann::codes::kMillimetre},
                        {ann::codes::kShortAxis, f.measurement.short_axis_mm, ann::codes::kMillimetre},
                        {ann::codes::kVolume, f.measurement.volume_mm3, ann::codes::kCubicMillimetre}};
      s.source_slices = {std::clamp(f.measurement.slice, 0, source.nz() - 1)};
      sr_findings.push_back(std::move(s));
    }
    MEDAI_ASSIGN_OR_RETURN(auto sr, ann::write_sr_tid1500(sr_findings, source, ctx.producer,
                                                          ctx.output_series("sr", 903, ctx.display_name + " report")));
    for (std::size_t n = 0; n < findings.size(); ++n) result.findings[n].sr = ann::SrReference{sr.sop_instance_uid, ""};
    result.objects.push_back(ann::object_entry("sr", sr));
    out.objects.push_back(std::move(sr));
  }
  return Status{};
}

// Age and sex for the malignancy model, from the source's Patient module.
lung::PatientInfo lung_patient_info(const annotations::SourceSeries& source) {
  lung::PatientInfo p;
  if (!source.patient_study) return p;
  auto* item = const_cast<DcmItem*>(source.patient_study.get());  // DCMTK getters are not const
  OFString age, sex;
  if (item->findAndGetOFString(DCM_PatientAge, age).good()) p.age_years = lung::age_from_dicom(age.c_str());
  if (item->findAndGetOFString(DCM_PatientSex, sex).good() && (sex == "F" || sex == "M")) p.female = sex == "F";
  return p;
}

}  // namespace medai::apps
