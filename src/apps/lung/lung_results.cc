#include "apps/lung/lung_results.h"

#include <algorithm>

#include "annotations/codes.h"
#include "annotations/seg_writer.h"
#include "annotations/sr_tid1500_writer.h"

namespace medai::apps::lung {
namespace ann = annotations;
using nlohmann::json;

namespace {

const ann::Code kNoduleType{"nodule-type", "99MEDAI", "Nodule attenuation type"};
const ann::Code kLungRadsCategory{"lung-rads-v2022", "99MEDAI", "Lung-RADS v2022 assessment category"};
const ann::Code kMalignancy{"brock-probability", "99MEDAI", "Malignancy probability (Brock model)"};
const ann::Code kNoUnits{"1", "UCUM", "no units"};
const ann::Code kNotice{"research-notice", "99MEDAI", "Research use notice"};

std::string type_text(NoduleType t) {
  switch (t) {
    case NoduleType::solid: return "solid";
    case NoduleType::part_solid: return "part-solid";
    case NoduleType::ground_glass: return "ground-glass (non-solid)";
  }
  return "solid";
}

}  // namespace

std::string research_notice(const ann::Producer& p) {
  return "Research use only - trained on synthetic data (" + p.app_name + " " + p.app_version +
         (p.package_digest.empty() ? "" : ", " + p.package_digest) + "); not for diagnosis";
}

Status check_lung_series(const imaging::SeriesVolume& s) {
  if (s.modality != "CT")
    return make_error(ErrorCode::invalid_series, "lung nodule screening needs a CT series",
                      {{"reason", "wrong_modality"}, {"modality", s.modality}});
  if (s.volume.nz < 16)
    return make_error(ErrorCode::invalid_series, "too few slices for a chest CT volume",
                      {{"reason", "too_few_slices"}, {"slices", s.volume.nz}});
  const double thickness = s.slice_thickness_mm.value_or(s.slice_spacing_mm);
  if (thickness > kMaxSliceThicknessMm + 1e-6)
    return make_error(ErrorCode::invalid_series,
                      "slices are too thick for nodule screening (at most 2.5 mm; reconstruct thin slices)",
                      {{"reason", "slice_too_thick"},
                       {"slice_thickness_mm", thickness},
                       {"max_slice_thickness_mm", kMaxSliceThicknessMm}});
  return Status::ok();
}

Result<LungResultOutput> write_lung_results(const LungFindings& findings, const LungResultContext& ctx) {
  if (!ctx.series || !ctx.source || !ctx.output)
    return make_error(ErrorCode::internal, "lung results need the series, the source and the output identities");
  LungResultOutput out;
  ann::AppResult& result = out.result;
  const auto& hu = ctx.series->volume;
  for (const auto& n : findings.nodules) {
    const auto& m = n.measurement;
    ann::ResultFinding f;
    f.id = "nodule-" + std::to_string(n.number);
    f.label = "Nodule";
    f.code = ann::codes::kNodule;
    f.score = n.score;
    f.centre_mm = std::array<double, 3>{m.centre.x, m.centre.y, m.centre.z};
    f.slice_index = m.centre_voxel[2];
    f.measurements = {{"long_axis_diameter", m.long_axis_mm, "mm"},
                      {"short_axis_diameter", m.short_axis_mm, "mm"},
                      {"mean_diameter", n.mean_diameter_mm, "mm"},
                      {"volume", m.volume_mm3, "mm3"},
                      {"malignancy_probability", n.malignancy, "1"}};
    f.attributes = to_json(n);
    result.findings.push_back(std::move(f));
  }
  result.exam = exam_json(findings);
  result.exam["notice"] = research_notice(ctx.producer);

  if (ctx.writers.count("seg") && !findings.nodules.empty()) {
    imaging::Volume<std::uint8_t> labels = hu.like<std::uint8_t>();
    std::vector<ann::SegmentSpec> segments;
    for (const auto& n : findings.nodules) {
      for (std::size_t idx : n.measurement.voxel_indices)
        if (labels.data[idx] == 0) labels.data[idx] = static_cast<std::uint8_t>(n.number);
      ann::SegmentSpec s;
      s.label = static_cast<std::uint8_t>(n.number);
      s.name = "Nodule " + std::to_string(n.number);
      s.description = type_text(n.measurement.type) + ", Lung-RADS " + to_string(n.lung_rads);
      s.type = ann::codes::kNodule;
      s.tracking_id = "nodule-" + std::to_string(n.number);
      s.rgb = n.lung_rads == LungRads::c4A || n.lung_rads == LungRads::c4B ? std::array<int, 3>{230, 40, 40}
                                                                              : std::array<int, 3>{240, 200, 40};
      segments.push_back(std::move(s));
    }
    MEDAI_ASSIGN_OR_RETURN(auto seg, ann::write_seg(labels, segments, *ctx.source, ctx.producer,
                                                    ctx.output("seg", 901, ctx.display_name + " nodules")));
    for (std::size_t i = 0; i < findings.nodules.size(); ++i)
      result.findings[i].seg = ann::SegReference{seg.sop_instance_uid, static_cast<int>(i + 1)};
    result.objects.push_back(ann::object_entry("seg", seg));
    out.objects.push_back(std::move(seg));
  }
  if (ctx.writers.count("sr-tid1500")) {
    std::vector<ann::SrFinding> sr_findings;
    for (const auto& n : findings.nodules) {
      const auto& m = n.measurement;
      ann::SrFinding s;
      s.tracking_id = "nodule-" + std::to_string(n.number);
      s.finding = ann::codes::kNodule;
      // Patient left is +x in LPS.
      s.finding_site = m.centre.x > 0 ? ann::codes::kLeftLung : ann::codes::kRightLung;
      s.measurements = {{ann::codes::kLongAxis, m.long_axis_mm, ann::codes::kMillimetre},
                        {ann::codes::kShortAxis, m.short_axis_mm, ann::codes::kMillimetre},
                        {ann::codes::kVolume, m.volume_mm3, ann::codes::kCubicMillimetre},
                        {kMalignancy, n.malignancy, kNoUnits}};
      s.evaluations = {{kNoduleType, {}, type_text(m.type)}, {kLungRadsCategory, {}, to_string(n.lung_rads)}};
      s.source_slices = {std::clamp(m.axis_slice, 0, ctx.source->nz() - 1)};
      sr_findings.push_back(std::move(s));
    }
    ann::SrOptions so;
    so.report_evaluations = {{kLungRadsCategory, {}, to_string(findings.exam_category)},
                             {kNotice, {}, research_notice(ctx.producer)}};
    MEDAI_ASSIGN_OR_RETURN(auto sr, ann::write_sr_tid1500(sr_findings, *ctx.source, ctx.producer,
                                                          ctx.output("sr", 903, ctx.display_name + " report"), so));
    for (auto& f : result.findings) f.sr = ann::SrReference{sr.sop_instance_uid, ""};
    result.objects.push_back(ann::object_entry("sr", sr));
    out.objects.push_back(std::move(sr));
  }
  return out;
}

}  // namespace medai::apps::lung
