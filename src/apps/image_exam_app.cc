// 2-D exam apps (input.kind "image"): a screening mammogram of up to four
// views (RCC, LCC, RMLO, LMLO) in one series.
//
//   load every instance (imaging 2-D loader: presentation values in [0, 1])
//   → group into views, set aside what is not a scorable MG view, flag the
//     missing standard views (apps/mammo/exam_views)
//   → one batched model call: per-view malignancy score + class-activation map
//   → per breast (max of its views) and exam (max of its breasts) score,
//     suggested BI-RADS category from the manifest's operating points
//     (output.thresholds {recall, high_suspicion}; apps/mammo/assessment)
//   → JSON result: one finding per scored view (score, hot-spot box, heat-map
//     PNG as a data: URI in attributes.heatmap_png), exam block (breasts,
//     exam score, BI-RADS, missing / set-aside views, operating points)
//   → DICOM SEG (writer "seg"): the heat-maps as one FRACTIONAL / PROBABILITY
//     Segmentation per image size, one segment per view on the view's own
//     pixel grid (annotations/probability_seg_writer.h);
//   → DICOM SR TID 1500 (writer "sr-tid1500"): one measurement group per
//     breast at or above the recall point (or its hottest view otherwise),
//     finding site = breast, location = laterality + view + hot-spot box,
//     the BI-RADS suggestion and the research-use notice.
// Timings of each stage are in the run log.
#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "apps/app_result_builders.h"
#include "apps/mammo/exam_scoring.h"
#include "annotations/probability_seg_writer.h"
#include "annotations/sr_tid1500_writer.h"

namespace medai::apps {
namespace {

namespace fs = std::filesystem;
namespace ann = annotations;
namespace mm = mammo;
using nlohmann::json;

constexpr const char* kMgForPresentation = "1.2.840.10008.5.1.4.1.1.1.2";
const ann::Code kRightBreast{"73056007", "SCT", "Right breast"};
const ann::Code kLeftBreast{"80248007", "SCT", "Left breast"};
const ann::Code kFindingFallback{"49755003", "SCT", "Morphologically Abnormal Structure"};
const ann::Code kMalignancyScore{"111047", "DCM", "Probability of cancer"};
const ann::Code kComment{"121106", "DCM", "Comment"};  // free-text location of the hot spot
const ann::Code kAssessment{"111005", "DCM", "Assessment Category"};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string box_text(const std::array<int, 4>& b) {
  return "x " + std::to_string(b[0]) + "-" + std::to_string(b[2]) + ", y " + std::to_string(b[1]) + "-" +
         std::to_string(b[3]) + " (pixels of the view)";
}

// What the SR needs of the source: the scored views as its "slices" (SR
// cites instances, not geometry) and the patient/study attributes of one.
Result<ann::SourceSeries> source_of(const std::vector<imaging::ProjectionImage>& images,
                                    const std::vector<mm::ScoredView>& views, const std::vector<fs::path>& files) {
  ann::SourceSeries s;
  const auto& first = images[views.front().view.source];
  s.study_instance_uid = first.study_instance_uid;
  s.series_instance_uid = first.series_instance_uid;
  s.sop_class_uid = kMgForPresentation;
  s.modality = "MG";
  s.nx = first.image.nx;
  s.ny = first.image.ny;
  for (const auto& v : views) s.slices.push_back({images[v.view.source].sop_instance_uid, {0, 0, 0}});
  DcmFileFormat ff;
  if (ff.loadFile(files[views.front().view.source].c_str()).bad() || !ff.getDataset())
    return make_error(ErrorCode::invalid_dicom, "a view of the series cannot be read again for its patient/study attributes");
  s.patient_study = std::make_shared<DcmDataset>(*ff.getDataset());
  return s;
}

}  // namespace

Result<AppRunOutput> run_image_exam_app(const std::vector<fs::path>& files, runtime::ModelRuntime& model,
                                        const ResultContext& ctx) {
  const json& manifest = ctx.app->app.manifest;
  const json output_spec = manifest.value("output", json::object());
  MEDAI_ASSIGN_OR_RETURN(mm::ModelInput input, mm::model_input_from(manifest.value("input", json::object())));
  MEDAI_ASSIGN_OR_RETURN(mm::OperatingPoints points, mm::operating_points_from(output_spec.value("thresholds", json())));
  if (files.empty()) return make_error(ErrorCode::invalid_argument, "the exam has no images");
  if (files.size() > 64)
    return make_error(ErrorCode::unprocessable, "too many images for one screening exam (at most 64)",
                      {{"images", files.size()}});
  json log = json::array();

  // Load.
  if (!ctx.progress(0.05, "loading the views")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<imaging::ProjectionImage> images;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto img = imaging::load_projection_image(files[i]);
    if (!img) {
      // One unreadable instance fails the run with its reason: a screening
      // read must not silently drop a view.
      json detail = img.status().detail();
      detail["image"] = i;
      return make_error(img.status().code(), img.status().message(), detail);
    }
    images.push_back(std::move(*img));
  }
  log.push_back({{"op", "load_projection_images"}, {"images", images.size()}, {"seconds", seconds_since(t0)}});

  // Pre-process, model, post-process.
  if (!ctx.progress(0.3, "scoring the views")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  mm::ScoringOptions so;
  MEDAI_ASSIGN_OR_RETURN(mm::ScoredExam exam, mm::score_exam(images, &model, input, so));
  log.push_back({{"op", "fit_to_model_grid"}, {"size", {input.width, input.height}}, {"seconds", exam.prepare_seconds}});
  log.push_back({{"op", "model"}, {"views", exam.scored.size()}, {"seconds", exam.model_seconds}});
  log.push_back({{"op", "hot_spots"}, {"seconds", exam.post_seconds}});
  const mm::Assessment assessment = mm::suggest_birads(exam.exam, points);

  // Results.
  if (!ctx.progress(0.7, "writing results")) return make_error(ErrorCode::cancelled, "the app run was cancelled");
  t0 = std::chrono::steady_clock::now();
  AppRunOutput out;
  out.study_instance_uid = images[exam.scored.front().view.source].study_instance_uid;
  out.series_instance_uid = images[exam.scored.front().view.source].series_instance_uid;
  out.result.study_instance_uid = out.study_instance_uid;
  out.result.source_series_instance_uid = out.series_instance_uid;
  const json labels = output_spec.value("labels", json::array());
  const ann::Code finding_code =
      manifest_code(labels.is_array() && !labels.empty() ? labels[0].value("code", json()) : json(), kFindingFallback);

  json views_json = json::array();
  for (std::size_t k = 0; k < exam.scored.size(); ++k) {
    const mm::ScoredView& v = exam.scored[k];
    const auto& im = images[v.view.source];
    ann::ResultFinding f;
    f.id = "view-" + v.view.name;
    f.label = v.view.name + " view";
    f.code = finding_code;
    f.score = v.score;
    f.slice_index = static_cast<int>(k);
    f.attributes = {{"view", v.view.name}, {"laterality", v.view.laterality}, {"view_position", v.view.view},
                    {"sop_instance_uid", im.sop_instance_uid}, {"recall", v.score >= points.recall}};
    if (v.has_map) {
      const double px = im.image.spacing[0];
      f.attributes["hot_spot"] = {{"box", {{"x0", v.source_box[0]}, {"y0", v.source_box[1]},
                                           {"x1", v.source_box[2]}, {"y1", v.source_box[3]}}},
                                  {"coordinates", "pixels of the view (x = column, y = row, inclusive)"},
                                  {"peak_activation", v.spot.peak}};
      f.measurements = {{"hot_spot_width", (v.source_box[2] - v.source_box[0] + 1) * px, "mm"},
                        {"hot_spot_height", (v.source_box[3] - v.source_box[1] + 1) * px, "mm"}};
      // Portal heat-map: the view at half the model grid with the map over it.
      mm::ActivationMap half = v.map;
      half.cell = v.map.cell / 2;
      mm::HotSpot spot = v.spot;
      for (auto& c : spot.model_box) c /= 2;
      const std::string png = mm::heatmap_png(mm::half_size(v.model_image), half, &spot);
      f.attributes["heatmap_png"] = "data:image/png;base64," + mm::base64_encode(png);
      f.attributes["heatmap"] = {{"grid", {v.map.nx, v.map.ny}}, {"values", v.map.values},
                                 {"meaning", "class-activation map in [0,1], one value per " +
                                                 fmt("%.0f", v.map.cell) + "x" + fmt("%.0f", v.map.cell) +
                                                 " model pixels; model grid = the view scaled to fit " +
                                                 std::to_string(input.width) + "x" + std::to_string(input.height)}};
    }
    out.result.findings.push_back(std::move(f));
    views_json.push_back({{"view", v.view.name}, {"score", v.score}});
  }
  json breasts = json::array();
  for (const auto& b : exam.exam.breasts)
    breasts.push_back({{"laterality", b.laterality}, {"score", b.score}, {"views", b.views}, {"missing_views", b.missing},
                       {"recall", b.score >= points.recall}});
  out.result.exam = {
      {"exam_score", exam.exam.score},
      {"breasts", breasts},
      {"views", views_json},
      {"complete", exam.views.complete()},
      {"missing_views", exam.views.missing},
      {"set_aside", exam.views.set_aside},
      {"birads", {{"category", assessment.category}, {"meaning", assessment.meaning},
                  {"suspicion", assessment.suspicion}, {"reason", assessment.reason},
                  {"note", "suggestion for the reading radiologist (screening categories 0/1 only)"}}},
      {"operating_points", {{"recall", points.recall}, {"high_suspicion", points.high_suspicion}}},
      {"aggregation", "breast = max of its views, exam = max of its breasts"}};

  // The SEG and the SR share one source description (it re-reads a view's header).
  std::optional<ann::SourceSeries> source_cache;
  auto source = [&]() -> Result<const ann::SourceSeries*> {
    if (!source_cache) {
      MEDAI_ASSIGN_OR_RETURN(ann::SourceSeries s, source_of(images, exam.scored, files));
      source_cache = std::move(s);
    }
    return &*source_cache;
  };
  if (ctx.writers.count("seg")) {
    // Views grouped by size (a SEG's frames share rows and columns; the views
    // of one exam normally come from one detector).
    std::vector<std::vector<std::size_t>> groups;
    for (std::size_t k = 0; k < exam.scored.size(); ++k) {
      if (!exam.scored[k].has_map) continue;
      const auto& im = images[exam.scored[k].view.source].image;
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& group) {
        const auto& first = images[exam.scored[group.front()].view.source].image;
        return first.nx == im.nx && first.ny == im.ny;
      });
      if (g == groups.end()) groups.push_back({k});
      else g->push_back(k);
    }
    if (!groups.empty()) {
      MEDAI_ASSIGN_OR_RETURN(const ann::SourceSeries* seg_source, source());
      for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        std::vector<ann::ProbabilityFrame> frames;
        for (std::size_t k : groups[gi]) {
          const mm::ScoredView& v = exam.scored[k];
          const auto& im = images[v.view.source];
          ann::ProbabilityFrame f;
          f.sop_instance_uid = im.sop_instance_uid;
          f.nx = im.image.nx;
          f.ny = im.image.ny;
          f.pixel_spacing_mm = im.image.spacing[0];
          f.values = mm::map_on_source(v.map, v.mapping, im.image.nx, im.image.ny);
          f.segment.name = "Malignancy likelihood " + v.view.name;
          f.segment.description = "class-activation map of the malignancy score, " + v.view.name + " view";
          f.segment.category = ann::codes::kMorphAbnormal;
          f.segment.type = finding_code;
          f.segment.rgb = {255, 64, 0};
          f.segment.tracking_id = "view-" + v.view.name;
          frames.push_back(std::move(f));
        }
        // One UID stream per object: "seg", then "seg-2", ... for other image sizes.
        const std::string kind = gi == 0 ? std::string("seg") : "seg-" + std::to_string(gi + 1);
        ann::SegOptions so_seg;
        so_seg.content_label = "HEATMAP";
        MEDAI_ASSIGN_OR_RETURN(ann::DicomObject seg,
                               ann::write_probability_seg(frames, *seg_source, ctx.producer,
                                                          ctx.output_series(kind.c_str(), 904 + static_cast<int>(gi),
                                                                            ctx.display_name + " heat-maps"),
                                                          so_seg));
        for (std::size_t j = 0; j < groups[gi].size(); ++j)
          out.result.findings[groups[gi][j]].seg = ann::SegReference{seg.sop_instance_uid, static_cast<int>(j + 1)};
        out.result.objects.push_back(ann::object_entry("seg", seg));
        out.objects.push_back(std::move(seg));
      }
    }
  }
  if (ctx.writers.count("sr-tid1500")) {
    MEDAI_ASSIGN_OR_RETURN(const ann::SourceSeries* sr_source, source());
    std::vector<ann::SrFinding> sr_findings;
    for (const auto& b : exam.exam.breasts) {
      // The breast's hottest view carries its finding.
      std::size_t best = 0;
      bool found = false;
      for (std::size_t k = 0; k < exam.scored.size(); ++k)
        if (exam.scored[k].view.laterality == b.laterality && (!found || exam.scored[k].score > exam.scored[best].score))
          best = k, found = true;
      if (!found) continue;
      const mm::ScoredView& v = exam.scored[best];
      ann::SrFinding s;
      s.tracking_id = "breast-" + b.laterality;
      s.finding = finding_code;
      s.finding_site = b.laterality == "L" ? kLeftBreast : kRightBreast;
      s.source_slices = {static_cast<int>(best)};
      if (v.has_map) {
        const double px = images[v.view.source].image.spacing[0];
        s.measurements = {{ann::codes::kLongAxis,
                           std::max(v.source_box[2] - v.source_box[0] + 1, v.source_box[3] - v.source_box[1] + 1) * px,
                           ann::codes::kMillimetre},
                          {ann::codes::kShortAxis,
                           std::min(v.source_box[2] - v.source_box[0] + 1, v.source_box[3] - v.source_box[1] + 1) * px,
                           ann::codes::kMillimetre}};
      }
      s.evaluations = {{kMalignancyScore, {}, fmt("%.3f", b.score) + " (breast score: max of its views)"},
                       {kComment, {}, "Location: " + (b.laterality == "L" ? std::string("left breast, ") : std::string("right breast, ")) +
                                           v.view.name + (v.has_map ? ", hot spot " + box_text(v.source_box) : "")}};
      sr_findings.push_back(std::move(s));
    }
    ann::SrOptions o;
    o.procedure_reported = {"24623002", "SCT", "Screening mammography"};
    std::string missing;
    for (const auto& m : exam.views.missing) missing += (missing.empty() ? "" : ", ") + m;
    o.report_evaluations = {
        {kAssessment, {}, "BI-RADS " + assessment.category + " (suggested): " + assessment.meaning + "; " + assessment.reason},
        {kMalignancyScore, {}, fmt("%.3f", exam.exam.score) + " (exam score)"}};
    if (!missing.empty()) o.report_evaluations.push_back({kAssessment, {}, "views missing: " + missing});
    MEDAI_ASSIGN_OR_RETURN(ann::DicomObject sr,
                           ann::write_sr_tid1500(sr_findings, *sr_source, ctx.producer,
                                                 ctx.output_series("sr", 903, ctx.display_name + " report"), o));
    for (auto& f : out.result.findings) f.sr = ann::SrReference{sr.sop_instance_uid, ""};
    out.result.objects.push_back(ann::object_entry("sr", sr));
    out.objects.push_back(std::move(sr));
  }
  log.push_back({{"op", "write_results"}, {"seconds", seconds_since(t0)}});
  out.log = log;
  return out;
}

}  // namespace medai::apps
