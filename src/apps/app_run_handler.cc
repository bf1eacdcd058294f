#include "apps/app_run_handler.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "annotations/result_json.h"
#include "annotations/rtstruct_writer.h"
#include "annotations/seg_writer.h"
#include "annotations/source_series.h"
#include "annotations/sr_tid1500_writer.h"
#include "apps/model_call.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "imaging/pipeline.h"
#include "imaging/series_volume.h"

namespace medai::apps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace ann = annotations;

Result<std::string> required_text(const json& input, const char* field) {
  if (!input.contains(field) || !input[field].is_string() || input[field].get<std::string>().empty())
    return make_error(ErrorCode::invalid_argument, std::string("app.run input needs \"") + field + "\"",
                      {{"field", field}});
  return input[field].get<std::string>();
}

// "deliver_to": the institution's DICOM nodes the results are pushed to.
Result<std::vector<std::string>> delivery_nodes(const json& input) {
  std::vector<std::string> out;
  if (!input.contains("deliver_to")) return out;
  const json& v = input["deliver_to"];
  if (!v.is_array() || v.size() > 8)
    return make_error(ErrorCode::invalid_argument, "app.run \"deliver_to\" must be a list of at most 8 DICOM node ids",
                      {{"field", "deliver_to"}});
  for (const auto& n : v) {
    if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 64)
      return make_error(ErrorCode::invalid_argument, "app.run \"deliver_to\" entries must be DICOM node ids",
                        {{"field", "deliver_to"}});
    out.push_back(n);
  }
  return out;
}

// DA and TM of a millisecond timestamp (UTC): the job's creation time, so a
// re-run writes the same bytes.
std::pair<std::string, std::string> dicom_date_time(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16], time[16];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  return {date, time};
}

ann::Code code_of(const json& j, const ann::Code& fallback) {
  if (!j.is_object()) return fallback;
  return {j.value("value", fallback.value), j.value("scheme", fallback.scheme), j.value("meaning", fallback.meaning)};
}

// The digest of the input: every instance's UID and content, in slice order.
std::string input_digest(const std::vector<dicom::StoredInstance>& instances) {
  std::string text;
  for (const auto& i : instances) text += i.sop_instance_uid + "=" + i.blob_sha256 + ";";
  return "sha256:" + crypto::sha256_hex(text);
}

struct Finding {
  std::string id;
  int label = 0;  // value in the finding label map
  imaging::Measurement measurement;
  double score = 0;
};

}  // namespace

Result<json> AppRunHandler::run(const jobs::Job& job, jobs::JobContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  MEDAI_ASSIGN_OR_RETURN(std::string app_name, required_text(job.input, "app"));
  MEDAI_ASSIGN_OR_RETURN(std::string study_uid, required_text(job.input, "study_uid"));
  MEDAI_ASSIGN_OR_RETURN(std::string series_uid, required_text(job.input, "series_uid"));
  std::string version = job.input.value("version", "");
  if (version == "latest-approved" || version == "latest") version.clear();
  MEDAI_ASSIGN_OR_RETURN(std::vector<std::string> deliver_to, delivery_nodes(job.input));

  // 1. Which version may run here.
  ctx.progress(0.02, "resolving the app");
  MEDAI_ASSIGN_OR_RETURN(packages::RunnableApp app,
                         deps_.catalog->resolve_runnable(job.institution_id, app_name, version));
  const json& manifest = app.manifest;
  MEDAI_ASSIGN_OR_RETURN(fs::path package_dir, deps_.packages->unpacked(app));

  // 2. The input series, read as the institution.
  ctx.progress(0.05, "loading the series");
  access::Principal reader;
  reader.user_id = "job:" + job.id;
  reader.institution_id = job.institution_id;
  reader.roles = {access::Role::doctor};
  MEDAI_ASSIGN_OR_RETURN(auto instances,
                         deps_.dicom->locate(reader, {study_uid, series_uid, ""}, "app.input"));
  std::vector<fs::path> files;
  for (const auto& i : instances) files.push_back(i.path);
  MEDAI_ASSIGN_OR_RETURN(imaging::SeriesVolume series, imaging::load_series_volume(files));
  MEDAI_ASSIGN_OR_RETURN(ann::SourceSeries source, ann::source_series_from_files(files));
  const std::string digest_of_input = input_digest(instances);
  if (ctx.cancelled()) return make_error(ErrorCode::unavailable, "cancelled");

  // 3. Pre-processing, model, post-processing.
  MEDAI_ASSIGN_OR_RETURN(imaging::ManifestPipeline pipeline,
                         imaging::parse_manifest_pipeline(manifest.value("pipeline", json::object())));
  const runtime::ModelSpec spec = model_spec_of(app, package_dir, deps_.threads);
  ctx.progress(0.1, "loading the model");
  MEDAI_ASSIGN_OR_RETURN(std::shared_ptr<runtime::ModelRuntime> model, deps_.models->acquire(spec));

  imaging::PipelineData data;
  data.image = series.volume;
  imaging::PipelineContext pctx;
  pctx.infer = patch_infer(model);
  pctx.threads = deps_.threads;
  pctx.progress = [&ctx](double f) {
    ctx.progress(0.15 + 0.6 * f, "inference");
    return !ctx.cancelled();
  };
  ctx.progress(0.15, "pre-processing");
  MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.pre, data, pctx));
  std::vector<float> scores;
  if (data.probabilities.empty()) {  // no sliding window: one whole-volume call
    ctx.progress(0.3, "inference");
    MEDAI_ASSIGN_OR_RETURN(VolumeOutput out, infer_whole_volume(*model, data.image));
    data.probabilities = std::move(out.channels);
    scores = std::move(out.scores);
  }
  if (ctx.cancelled()) return make_error(ErrorCode::unavailable, "cancelled");
  ctx.progress(0.8, "post-processing");
  if (!data.probabilities.empty()) MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.post, data, pctx));

  // 4. Findings: one per connected component (with its measurement).
  const json labels = manifest.value("output", json::object()).value("labels", json::array());
  const json first_label = labels.empty() ? json::object() : labels[0];
  const ann::Code finding_code = code_of(first_label.value("code", json()), ann::codes::kNodule);
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

  // 5. Result objects, as the manifest declares.
  const auto [content_date, content_time] = dicom_date_time(job.created_at);
  ann::Producer producer;
  producer.manufacturer = app.vendor;
  producer.app_name = app.app_name;
  producer.app_version = app.version;
  producer.package_digest = app.digest;
  producer.input_digest = digest_of_input;
  producer.job_id = job.id;
  producer.research_use_only = manifest.value("research_use_only", true);
  ann::UidDeriver uids{"2.25", deps_.uid_key};
  auto output = [&](const char* kind, int series_number, const std::string& description) {
    ann::OutputSeries o = uids.output_series(job.id, digest_of_input, kind);
    o.series_number = series_number;
    o.series_description = description;
    o.content_date = content_date;
    o.content_time = content_time;
    return o;
  };
  const std::string display = manifest.value("display_name", app.app_name);
  ann::AppResult result;
  result.producer = producer;
  result.vendor = app.vendor;
  result.created = iso8601_utc(job.created_at);
  result.study_instance_uid = series.study_instance_uid;
  result.source_series_instance_uid = series.series_instance_uid;
  std::vector<ann::DicomObject> objects;
  std::set<std::string> writers;
  for (const auto& w : manifest.value("writers", json::array())) writers.insert(w.get<std::string>());

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
  if (!scores.empty()) result.exam["scores"] = scores;

  ctx.progress(0.9, "writing results");
  if (writers.count("seg") && finding_map && !findings.empty()) {
    std::vector<ann::SegmentSpec> segments;
    for (const auto& f : findings)
      segments.push_back({.label = static_cast<std::uint8_t>(f.label), .name = f.id, .type = finding_code,
                          .tracking_id = f.id});
    MEDAI_ASSIGN_OR_RETURN(auto seg, ann::write_seg(*finding_map, segments, source, producer,
                                                    output("seg", 901, display + " segmentation")));
    for (std::size_t n = 0; n < findings.size(); ++n)
      result.findings[n].seg = ann::SegReference{seg.sop_instance_uid, static_cast<int>(n + 1)};
    result.objects.push_back(ann::object_entry("seg", seg));
    objects.push_back(std::move(seg));
  }
  if (writers.count("rtstruct") && finding_map && !findings.empty()) {
    std::vector<ann::RoiSpec> rois;
    for (const auto& f : findings)
      rois.push_back({.label = static_cast<std::uint8_t>(f.label), .name = f.id, .interpreted_type = "GTV"});
    MEDAI_ASSIGN_OR_RETURN(auto rt, ann::write_rtstruct(*finding_map, rois, source, producer,
                                                        output("rtstruct", 902, display + " structures")));
    for (std::size_t n = 0; n < findings.size(); ++n)
      result.findings[n].rtstruct = ann::RoiReference{rt.object.sop_instance_uid, static_cast<int>(n + 1)};
    result.objects.push_back(ann::object_entry("rtstruct", rt.object));
    objects.push_back(std::move(rt.object));
  }
  if (writers.count("sr-tid1500")) {
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
    MEDAI_ASSIGN_OR_RETURN(auto sr, ann::write_sr_tid1500(sr_findings, source, producer,
                                                          output("sr", 903, display + " report")));
    for (std::size_t n = 0; n < findings.size(); ++n) result.findings[n].sr = ann::SrReference{sr.sop_instance_uid, ""};
    result.objects.push_back(ann::object_entry("sr", sr));
    objects.push_back(std::move(sr));
  }

  // 6. Store the objects in the study (same bytes on a re-run: already present).
  if (!objects.empty()) {
    std::vector<dicom::IngestItem> items;
    for (const auto& o : objects) items.push_back({o.bytes, {}});
    auto stored = deps_.dicom->ingest_batch(
        items, {.institution_id = job.institution_id, .user_id = "", .calling_ae = "", .protocol = "app",
                .required_study_uid = series.study_instance_uid});
    for (const auto& s : stored)
      if (!s.ok()) return s.error;
  }

  // 7. Results back to the hospital: one dicom.push job per node (keyed by
  // this job, so a re-run does not push twice; the push jobs retry on their own).
  json deliveries = json::array();
  if (!deliver_to.empty() && !objects.empty()) {
    if (deps_.engine == nullptr) return make_error(ErrorCode::internal, "result delivery is not configured");
    json uids = json::array();
    for (const auto& o : objects) uids.push_back(o.sop_instance_uid);
    for (const auto& node : deliver_to) {
      jobs::JobRequest push;
      push.type = "dicom.push";
      push.institution_id = job.institution_id;
      push.created_by = job.created_by;
      push.idempotency_key = job.id + ":deliver:" + node;
      push.input = {{"node_id", node}, {"study_uid", series.study_instance_uid}, {"sop_instance_uids", uids},
                    {"trigger", "app.run"}, {"app_job_id", job.id}};
      MEDAI_ASSIGN_OR_RETURN(jobs::EnqueueResult queued, deps_.engine->enqueue(std::move(push)));
      deliveries.push_back({{"node_id", node}, {"job_id", queued.job.id}});
    }
  }

  // 8. Usage.
  const auto compute_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started).count();
  if (deps_.usage)
    MEDAI_RETURN_IF_ERROR(deps_.usage->record_job_usage(job.id, app.app_name, app.version, job.institution_id, compute_ms,
                                                        now_ms()));
  ctx.progress(1.0, "done");
  json out = ann::to_json(result);
  out["pipeline_log"] = data.log;
  if (!deliveries.empty()) out["deliveries"] = deliveries;
  return out;
}

}  // namespace medai::apps
