#pragma once
// Runs one imaging app version on the DICOM files of one series and returns
// its results: the JSON result and the DICOM objects (SEG, SR, RTSTRUCT …)
// the manifest's writers ask for. No job engine, HTTP or DICOM store here:
// app.run (app_run_handler.cc) stores what this returns; package evaluation
// (eval/package_evaluation.h) scores it against ground truth.
//
// Flow for input.kind "volume": series → volume (HU) → pipeline.pre → model
// (sliding window or one whole-volume call) → pipeline.post → results by
// task (build_detection_results / build_segmentation_results, see
// app_result_builders.h). input.kind "image" (2-D exams such as a 4-view
// mammogram) goes to run_image_exam_app as a whole.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "annotations/dicom_object.h"
#include "annotations/result_json.h"
#include "core/status.h"
#include "packages/app_catalog.h"
#include "runtime/model_runtime.h"

namespace medai::apps {

// An app version and where its package is unpacked.
struct ImagingApp {
  packages::RunnableApp app;  // name, vendor, version, digest, manifest
  std::filesystem::path package_dir;
};

struct RunContext {
  std::string job_id;              // with the input digest, keys the output UIDs (any stable id offline)
  std::int64_t created_at_ms = 0;  // content date/time of the objects (the job's creation: re-runs are identical)
  std::string uid_key;             // installation secret keying output UIDs
  std::string input_digest;        // "sha256:…" of the input; computed from the files' bytes when empty
  int threads = 2;
  // Progress in [0, 1] with a short message; returning false cancels (the
  // run stops at the next step with ErrorCode::cancelled).
  std::function<bool(double fraction, const std::string& message)> progress;
};

struct AppRunOutput {
  annotations::AppResult result;               // the JSON result (findings, exam block, object entries)
  std::vector<annotations::DicomObject> objects;  // DICOM results, all in the input's study
  nlohmann::json log = nlohmann::json::array();   // pipeline log (operator, parameters, timings)
  std::string study_instance_uid;                 // of the input
  std::string series_instance_uid;                // of the input
};

// `files`: every instance of the input series (any order). The model must be
// loaded from the app's artifact (ModelRepository::acquire or make_runtime).
Result<AppRunOutput> run_imaging_app(const ImagingApp& app, const std::vector<std::filesystem::path>& files,
                                     runtime::ModelRuntime& model, const RunContext& run);

// "sha256:…" over the files' bytes in name order (what app.run computes from
// the stored blobs when it has them).
Result<std::string> input_digest_of_files(const std::vector<std::filesystem::path>& files);

}  // namespace medai::apps
