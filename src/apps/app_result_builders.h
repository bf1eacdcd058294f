#pragma once
// The seams between the generic runner (imaging_app_runner.cc) and the
// task-specific result builders, one file each:
//   detection_results.cc     volume apps, task detection (and the default)
//   segmentation_results.cc  volume apps, task segmentation
//   image_exam_app.cc        input.kind "image": 2-D exams (mammography)
// A builder turns the pipeline's output into findings, the exam block and the
// DICOM objects the manifest's writers ask for, all carrying the producer
// (app name, version, package digest, research-use / synthetic-data notice).
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "annotations/common_modules.h"
#include "annotations/source_series.h"
#include "apps/imaging_app_runner.h"
#include "apps/lung/lung_findings.h"
#include "imaging/pipeline.h"
#include "imaging/series_volume.h"

namespace medai::apps {

struct ResultContext {
  const ImagingApp* app = nullptr;
  const RunContext* run = nullptr;
  annotations::Producer producer;      // manufacturer, app name/version, digests, job id, research use
  std::set<std::string> writers;       // manifest "writers"
  std::string display_name;            // manifest display_name (or the app name)
  std::string content_date, content_time;  // DA/TM of the run (from RunContext::created_at_ms)
  // Output series identity for one object kind ("seg", "sr", "rtstruct", …):
  // UIDs derived from (job id, input digest, kind), number and description set.
  std::function<annotations::OutputSeries(const char* kind, int series_number, const std::string& description)>
      output_series;
  // Reports progress; false = the caller cancelled.
  bool progress(double fraction, const std::string& message) const {
    return !run || !run->progress || run->progress(fraction, message);
  }
};

// A volume app after pre-processing, model and post-processing.
struct VolumeRun {
  imaging::SeriesVolume series;       // the input volume (HU) and its geometry/UIDs
  annotations::SourceSeries source;   // what DICOM results reference
  imaging::PipelineData data;         // image, probabilities, labels, components, measurements, log
  std::vector<float> scores;          // classification heads of a whole-volume call
};

Status build_detection_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out);
Status build_segmentation_results(VolumeRun& run, const ResultContext& ctx, AppRunOutput& out);

// 2-D exam apps: loads the images itself (all instances of the series).
Result<AppRunOutput> run_image_exam_app(const std::vector<std::filesystem::path>& files,
                                        runtime::ModelRuntime& model, const ResultContext& ctx);

// Age and sex for the lung malignancy model, from the source's Patient module.
lung::PatientInfo lung_patient_info(const annotations::SourceSeries& source);

// Shared by the builders: the manifest's first output label's code (or
// `fallback`), and the DICOM code of a manifest code object.
annotations::Code manifest_code(const nlohmann::json& code, const annotations::Code& fallback);

}  // namespace medai::apps
