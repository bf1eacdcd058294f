#include "apps/imaging_app_runner.h"

#include <algorithm>
#include <ctime>

#include "annotations/provenance.h"
#include "apps/app_result_builders.h"
#include "apps/model_call.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/files.h"

namespace medai::apps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace ann = annotations;

// DA and TM of a millisecond timestamp (UTC).
std::pair<std::string, std::string> dicom_date_time(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16], time[16];
  std::strftime(date, sizeof date, "%Y%m%d", &tm);
  std::strftime(time, sizeof time, "%H%M%S", &tm);
  return {date, time};
}

Status cancelled_error() { return make_error(ErrorCode::cancelled, "the app run was cancelled"); }

Result<AppRunOutput> run_volume_app(const ImagingApp& app, const std::vector<fs::path>& files,
                                    runtime::ModelRuntime& model, const ResultContext& rctx) {
  const json& manifest = app.app.manifest;
  if (!rctx.progress(0.05, "loading the series")) return cancelled_error();
  VolumeRun run;
  MEDAI_ASSIGN_OR_RETURN(run.series, imaging::load_series_volume(files));
  MEDAI_ASSIGN_OR_RETURN(run.source, ann::source_series_from_files(files));

  MEDAI_ASSIGN_OR_RETURN(imaging::ManifestPipeline pipeline,
                         imaging::parse_manifest_pipeline(manifest.value("pipeline", json::object())));
  std::shared_ptr<runtime::ModelRuntime> shared(&model, [](runtime::ModelRuntime*) {});  // borrowed
  run.data.image = run.series.volume;
  imaging::PipelineContext pctx;
  pctx.infer = patch_infer(shared);
  pctx.threads = rctx.run ? rctx.run->threads : 2;
  pctx.progress = [&rctx](double f) { return rctx.progress(0.15 + 0.6 * f, "inference"); };
  if (!rctx.progress(0.15, "pre-processing")) return cancelled_error();
  MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.pre, run.data, pctx));
  if (run.data.probabilities.empty()) {  // no sliding window: one whole-volume call
    if (!rctx.progress(0.3, "inference")) return cancelled_error();
    MEDAI_ASSIGN_OR_RETURN(VolumeOutput out, infer_whole_volume(model, run.data.image));
    run.data.probabilities = std::move(out.channels);
    run.scores = std::move(out.scores);
  }
  if (!rctx.progress(0.8, "post-processing")) return cancelled_error();
  if (!run.data.probabilities.empty()) MEDAI_RETURN_IF_ERROR(imaging::run_pipeline(pipeline.post, run.data, pctx));

  AppRunOutput out;
  out.study_instance_uid = run.series.study_instance_uid;
  out.series_instance_uid = run.series.series_instance_uid;
  out.result.study_instance_uid = run.series.study_instance_uid;
  out.result.source_series_instance_uid = run.series.series_instance_uid;
  if (!run.scores.empty()) out.result.exam["scores"] = run.scores;
  if (!rctx.progress(0.85, "building results")) return cancelled_error();
  if (manifest.value("task", std::string()) == "segmentation")
    MEDAI_RETURN_IF_ERROR(build_segmentation_results(run, rctx, out));
  else
    MEDAI_RETURN_IF_ERROR(build_detection_results(run, rctx, out));
  out.log = run.data.log;
  return out;
}

}  // namespace

ann::Code manifest_code(const json& j, const ann::Code& fallback) {
  if (!j.is_object()) return fallback;
  return {j.value("value", fallback.value), j.value("scheme", fallback.scheme), j.value("meaning", fallback.meaning)};
}

Result<std::string> input_digest_of_files(const std::vector<fs::path>& files) {
  std::vector<fs::path> sorted = files;
  std::sort(sorted.begin(), sorted.end());
  std::string text;
  for (const auto& f : sorted) {
    MEDAI_ASSIGN_OR_RETURN(std::string bytes, read_file(f));
    text += f.filename().string() + "=" + crypto::sha256_hex(bytes) + ";";
  }
  return "sha256:" + crypto::sha256_hex(text);
}

Result<AppRunOutput> run_imaging_app(const ImagingApp& app, const std::vector<fs::path>& files,
                                     runtime::ModelRuntime& model, const RunContext& run) {
  const json& manifest = app.app.manifest;
  if (files.empty()) return make_error(ErrorCode::invalid_argument, "the app run has no input files");
  std::string digest = run.input_digest;
  if (digest.empty()) {
    MEDAI_ASSIGN_OR_RETURN(digest, input_digest_of_files(files));
  }

  ResultContext rctx;
  rctx.app = &app;
  rctx.run = &run;
  rctx.producer.manufacturer = app.app.vendor;
  rctx.producer.app_name = app.app.app_name;
  rctx.producer.app_version = app.app.version;
  rctx.producer.package_digest = app.app.digest;
  rctx.producer.input_digest = digest;
  rctx.producer.job_id = run.job_id;
  rctx.producer.research_use_only = manifest.value("research_use_only", true);
  rctx.producer.synthetic_training_data = manifest.value("synthetic_training_data", false);
  for (const auto& w : manifest.value("writers", json::array())) rctx.writers.insert(w.get<std::string>());
  rctx.display_name = manifest.value("display_name", app.app.app_name);
  std::tie(rctx.content_date, rctx.content_time) = dicom_date_time(run.created_at_ms);
  const ann::UidDeriver uids{"2.25", run.uid_key};
  rctx.output_series = [uids, job_id = run.job_id, digest, date = rctx.content_date, time = rctx.content_time](
                           const char* kind, int series_number, const std::string& description) {
    ann::OutputSeries o = uids.output_series(job_id, digest, kind);
    o.series_number = series_number;
    o.series_description = description;
    o.content_date = date;
    o.content_time = time;
    return o;
  };

  Result<AppRunOutput> out = manifest.value("input", json::object()).value("kind", std::string("volume")) == "image"
                                 ? run_image_exam_app(files, model, rctx)
                                 : run_volume_app(app, files, model, rctx);
  if (!out) return out;
  out->result.producer = rctx.producer;
  out->result.vendor = app.app.vendor;
  out->result.created = iso8601_utc(run.created_at_ms);
  return out;
}

}  // namespace medai::apps
