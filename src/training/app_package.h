#pragma once
// Turns a finished training job into an app package (unsigned archive):
// manifest from the trainer's fragment (input, output, pipeline; optional
// task/modality/body_part/writers), the report's metrics as `validation`,
// a `training_data` summary, research-use-only flags, the model file and
// the training report (JSON + HTML page, validation.report).
// Signing and publishing stay with the caller (client-side for a vendor key,
// or the server for POST /api/v1/training-jobs/{id}/publish).
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "training/training_service.h"

namespace medai::training {

struct AppPackageRequest {
  std::string name;          // app name (lower-case handle)
  std::string version;       // semver, e.g. 1.0.0
  std::string vendor;        // the publishing institution's handle
  std::string display_name;  // default: name
  std::string intended_use;  // default: a research-use statement naming the job and dataset
  std::string licence = "proprietary";
  bool synthetic_training_data = false;
};

// Where the package carries the training job's evaluation report
// (manifest validation.report) and its HTML page.
inline constexpr const char* kReportFile = "report/evaluation-report.json";
inline constexpr const char* kReportPage = "report/evaluation-report.html";

// The manifest as it will be packed (files filled in by packing).
nlohmann::json app_manifest_for(const TrainedModel& model, const AppPackageRequest& request);

// Writes manifest + model into `scratch` (created, left for the caller to
// remove) and packs it; invalid_manifest lists every problem.
Result<std::string> build_app_package(const TrainedModel& model, const AppPackageRequest& request,
                                      const std::filesystem::path& scratch);

}  // namespace medai::training
