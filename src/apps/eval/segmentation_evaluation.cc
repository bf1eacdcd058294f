// Package evaluation of segmentation apps (radiotherapy auto-contouring):
// per study, the app runs on the CT (imaging_app_runner, as app.run does) and
// its SEG is read back onto the CT grid and scored against the study's
// reference structures (Dice, HD95, volume error per structure); its RTSTRUCT
// is read back with the project's RTSTRUCT reader and compared with the SEG
// (the structure set a planning system imports must match what was scored).
// The non-learned baseline (apps/rt/rt_baseline.h: HU threshold + largest
// component) is scored on the same CTs. Report: medai.evaluation-report/1 with
// splits.test.segmentation (summarise_segmentation + targets), per-case rows,
// baseline.segmentation, run times, a box plot of Dice and of HD95.
#include <chrono>
#include <cmath>
#include <map>

#include "annotations/rtstruct_reader.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "apps/eval/package_evaluation.h"
#include "apps/rt/box_plot.h"
#include "apps/rt/plan_scoring.h"
#include "apps/rt/rt_baseline.h"
#include "apps/rt/rt_structures.h"
#include "evaluation/segmentation_metrics.h"
#include "imaging/series_volume.h"

namespace medai::apps::eval {
namespace {
using nlohmann::json;
namespace ann = annotations;
using Masks = std::map<std::string, imaging::Volume<std::uint8_t>>;

// Issue #7 targets: Dice >= 0.90 for a target volume, >= 0.85 per organ at risk
// (the body outline is reported without a target).
std::optional<double> dice_target(const std::string& name) {
  const auto info = rt::structure_info(name);
  const std::string type = info ? info->interpreted_type : "ORGAN";
  if (type == "GTV" || type == "CTV" || type == "PTV") return 0.90;
  if (type == "ORGAN") return 0.85;
  return std::nullopt;
}

Masks baseline_masks(const imaging::Volume<float>& hu) {
  const rt::BaselineMasks b = rt::baseline_contours(hu);
  Masks out;
  for (std::size_t s = 0; s < b.names.size(); ++s) {
    auto m = b.bits.like<std::uint8_t>();
    for (std::size_t v = 0; v < m.data.size(); ++v) m.data[v] = (b.bits.data[v] >> s) & 1;
    out[b.names[s]] = std::move(m);
  }
  return out;
}

json case_rows(const std::vector<evaluation::StructureScore>& scores) {
  json rows = json::array();
  for (const auto& s : scores) {
    json r = evaluation::to_json(s.score);
    r["case"] = s.case_id;
    r["structure"] = s.structure;
    rows.push_back(r);
  }
  return rows;
}

json targets_block(const json& summary) {
  json out = json::object();
  const json structures = summary.value("structures", json::object());
  for (const auto& [name, block] : structures.items()) {
    const auto target = dice_target(name);
    const double mean = block.value("dice", json::object()).value("mean", 0.0);
    const double median = block.value("dice", json::object()).value("median", 0.0);
    json t = {{"dice_mean", mean}, {"dice_median", median}};
    if (target) {
      t["dice_target"] = *target;
      t["met"] = mean >= *target;
    }
    out[name] = t;
  }
  return out;
}

std::string fmt(double v, const char* f = "%.3f") {
  char b[32];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

}  // namespace

Result<json> evaluate_segmentation_app(const EvaluationTarget& target, const std::vector<EvaluationStudy>& studies,
                                       const PackageEvaluationOptions& options) {
  if (studies.empty()) return make_error(ErrorCode::invalid_argument, "no studies to evaluate");
  if (!target.model) return make_error(ErrorCode::invalid_argument, "the evaluation needs the app's loaded model");
  json report = report_skeleton(target, studies);
  std::vector<evaluation::StructureScore> model_scores, baseline_scores;
  std::vector<double> seconds, baseline_seconds, rtstruct_agreement;
  json per_case = json::array();
  for (std::size_t index = 0; index < studies.size(); ++index) {
    const EvaluationStudy& study = studies[index];
    if (options.progress && !options.progress(index, studies.size()))
      return make_error(ErrorCode::cancelled, "the evaluation was cancelled");
    std::filesystem::path seg_file, rtstruct_file;
    for (const AnnotationFile& a : study.annotation_files) {
      if (a.kind == "SEG" && seg_file.empty()) seg_file = a.path;
      if (a.kind == "RTSTRUCT" && rtstruct_file.empty()) rtstruct_file = a.path;
    }
    MEDAI_ASSIGN_OR_RETURN(rt::ReferencePlan ref,
                           rt::load_reference_plan(study.case_id, study.image_files, seg_file, rtstruct_file));
    MEDAI_ASSIGN_OR_RETURN(ann::SourceSeries source, ann::source_series_from_files(study.image_files));

    // The app, as app.run runs it; the runner's progress messages time its
    // stages (load, pre-processing, inference, post-processing, results).
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::pair<std::string, double>> marks;
    RunContext run_context = target.run;
    run_context.progress = [&](double fraction, const std::string& message) {
      if (marks.empty() || marks.back().first != message)
        marks.emplace_back(message, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      return !target.run.progress || target.run.progress(fraction, message);
    };
    MEDAI_ASSIGN_OR_RETURN(AppRunOutput run, run_imaging_app(target.app, study.image_files, *target.model, run_context));
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    json stages = json::object();
    for (std::size_t m = 0; m < marks.size(); ++m) {
      const double end = m + 1 < marks.size() ? marks[m + 1].second : seconds.back();
      stages[marks[m].first] = stages.value(marks[m].first, 0.0) + (end - marks[m].second);
    }
    const ann::DicomObject* seg = nullptr;
    const ann::DicomObject* rtstruct = nullptr;
    for (const auto& o : run.objects) {
      if (o.sop_class_uid == "1.2.840.10008.5.1.4.1.1.66.4") seg = &o;
      if (o.sop_class_uid == "1.2.840.10008.5.1.4.1.1.481.3") rtstruct = &o;
    }
    if (!seg)
      return make_error(ErrorCode::unprocessable, "the app wrote no SEG to score (manifest writers need \"seg\")",
                        {{"case", ref.case_id}});
    MEDAI_ASSIGN_OR_RETURN(ann::SegLabels labels, ann::read_seg(seg->bytes, source));
    Masks predicted;
    for (std::size_t i = 0; i < labels.segments.size(); ++i) predicted[labels.segments[i].label] = labels.masks[i];
    MEDAI_ASSIGN_OR_RETURN(auto scores, rt::score_plan(ref, predicted));
    // RTSTRUCT read back vs the SEG: the lowest Dice over structures.
    double worst = 1.0;
    if (rtstruct) {
      MEDAI_ASSIGN_OR_RETURN(ann::RtStructContents rs, ann::parse_rtstruct(rtstruct->bytes));
      MEDAI_ASSIGN_OR_RETURN(ann::RtMasks rm, ann::rasterise_rtstruct(rs, source));
      for (std::size_t i = 0; i < rs.rois.size(); ++i) {
        const auto it = predicted.find(rs.rois[i].name);
        if (it == predicted.end()) continue;
        worst = std::min(worst, evaluation::dice_coefficient(rm.masks[i].data.data(), it->second.data.data(),
                                                             it->second.data.size()));
      }
      rtstruct_agreement.push_back(worst);
    }
    json row = {{"case", ref.case_id}, {"seconds", seconds.back()}, {"stage_seconds", stages},
                {"ct_size", {source.nx, source.ny, source.nz()}}};
    if (rtstruct) row["rtstruct_vs_seg_min_dice"] = worst;
    for (const auto& s : scores) row["dice"][s.structure] = s.score.dice;
    model_scores.insert(model_scores.end(), scores.begin(), scores.end());

    if (options.baseline) {
      const auto b0 = std::chrono::steady_clock::now();
      MEDAI_ASSIGN_OR_RETURN(imaging::SeriesVolume ct, imaging::load_series_volume(study.image_files));
      MEDAI_ASSIGN_OR_RETURN(auto b, rt::score_plan(ref, baseline_masks(ct.volume)));
      baseline_seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - b0).count());
      for (const auto& s : b) row["baseline_dice"][s.structure] = s.score.dice;
      baseline_scores.insert(baseline_scores.end(), b.begin(), b.end());
    }
    per_case.push_back(row);
  }

  json summary = evaluation::summarise_segmentation(model_scores);
  summary["cases"] = studies.size();
  summary["targets"] = targets_block(summary);
  summary["seconds_per_case"] = evaluation::distribution(seconds);
  if (!rtstruct_agreement.empty()) summary["rtstruct_vs_seg_min_dice"] = evaluation::distribution(rtstruct_agreement);
  summary["reference"] = "SEG of each study (voxel masks on the CT grid); the app's SEG read back onto the same grid";
  report["splits"]["test"]["segmentation"] = summary;
  report["cases"] = per_case;
  report["scores"] = case_rows(model_scores);

  json headline = json::array();
  json baseline_summary;
  if (options.baseline) {
    baseline_summary = evaluation::summarise_segmentation(baseline_scores);
    baseline_summary["targets"] = targets_block(baseline_summary);
    rt::BaselineThresholds t;
    report["baseline"] = {
        {"name", "HU threshold + largest component"},
        {"method",
         "per structure one HU window inside a region from the structures before it, largest 26-connected "
         "component: External HU > -300 (holes filled per slice); Lung_L/Lung_R HU < -400 inside External on the "
         "patient's left/right of the body's midline; GTV HU > -300 enclosed by a lung on its slice; Heart 0..100 HU "
         "between the lungs (row by row); SpinalCord -50..100 HU in the holes of the bone (HU > 200, 2 mm closing)"},
        {"thresholds_hu",
         {{"body_above", t.body_above}, {"lung_below", t.lung_below}, {"tumour_above", t.tumour_above},
          {"heart", {t.heart_low, t.heart_high}}, {"bone_above", t.bone_above},
          {"cord", {t.cord_low, t.cord_high}}, {"bone_closing_mm", t.bone_closing_mm}}},
        {"segmentation", baseline_summary},
        {"seconds_per_case", evaluation::distribution(baseline_seconds)},
        {"scores", case_rows(baseline_scores)}};
  }
  for (const auto& [name, block] : summary["structures"].items()) {
    std::string line = name + " Dice " + fmt(block["dice"].value("mean", 0.0)) + " (median " +
                       fmt(block["dice"].value("median", 0.0)) + ")";
    if (block.contains("hd95_mm") && block["hd95_mm"].value("n", 0) > 0)
      line += ", HD95 " + fmt(block["hd95_mm"].value("median", 0.0), "%.1f") + " mm median";
    if (const auto t = dice_target(name)) line += ", target " + fmt(*t, "%.2f");
    if (options.baseline && baseline_summary["structures"].contains(name))
      line += "; baseline Dice " + fmt(baseline_summary["structures"][name]["dice"].value("mean", 0.0));
    headline.push_back(line + " on " + std::to_string(studies.size()) + " plans");
  }
  report["headline"] = headline;

  // Figures: Dice and HD95 per structure, model vs baseline.
  std::vector<std::string> groups;
  for (const auto& s : rt::thorax_structures())
    if (summary["structures"].contains(s.name)) groups.push_back(s.name);
  for (const auto& [name, block] : summary["structures"].items())
    if (!rt::structure_info(name)) groups.push_back(name);
  auto series_of = [&](const json& sum, const char* metric, const std::string& label, const std::string& colour) {
    rt::BoxSeries b{label, colour, {}};
    for (const auto& g : groups)
      b.per_group.push_back(sum.value("structures", json::object()).value(g, json::object()).value(metric, json()));
    return b;
  };
  std::vector<rt::BoxSeries> dice_series{series_of(summary, "dice", "model", "#1f77b4")};
  std::vector<rt::BoxSeries> hd_series{series_of(summary, "hd95_mm", "model", "#1f77b4")};
  if (options.baseline) {
    dice_series.push_back(series_of(baseline_summary, "dice", "baseline (HU threshold)", "#ff7f0e"));
    hd_series.push_back(series_of(baseline_summary, "hd95_mm", "baseline (HU threshold)", "#ff7f0e"));
  }
  double hd_max = 10;
  for (const auto& s : hd_series)
    for (const auto& d : s.per_group)
      if (d.is_object() && d.contains("max")) hd_max = std::max(hd_max, d["max"].get<double>());
  hd_max = std::min(100.0, std::ceil(hd_max / 10) * 10);
  report["figures"] = json::array();
  report["figures"].push_back(
      {{"title", "Dice per structure"},
       {"svg", rt::svg_box_plot(groups, dice_series,
                                {"Dice per structure (" + std::to_string(studies.size()) + " plans)", "Dice", 0, 1,
                                 {0.85, 0.90}})}});
  report["figures"].push_back(
      {{"title", "95% Hausdorff distance per structure"},
       {"svg", rt::svg_box_plot(groups, hd_series,
                                {"HD95 per structure (mm, capped at " + fmt(hd_max, "%.0f") + ")", "HD95 (mm)", 0,
                                 hd_max, {}})}});
  return report;
}

}  // namespace medai::apps::eval
