#pragma once
// Job type "app.run": runs an approved app version on one stored image
// series and stores the results as new series in the same study, or runs a
// tabular-advice app on one patient's data.
//
// Input: {"app": name, "version": SemVer or "" (highest approved),
//         "study_uid": ..., "series_uid": ...}; the job's institution is the
// one whose data is read and whose approval counts.
// Tabular input: {"app", "version"?, "patient": {...}} (the app's JSON input)
// or {"app", "version"?, "fhir": {FHIR R4 Bundle}}: the same advice as the
// synchronous POST /api/v1/apps/{name}/infer (rules + risk model), as the
// job's result {"advice": ..., "fhir": Bundle}; bad input fails the job with
// invalid_patient_input and its per-field problems. The patient's data is
// the job's input, visible like any job only within the institution.
// Steps: resolve (catalog: visible, approved, not withdrawn) → unpack the
// package once per digest (checked against the digest) → load the series
// (imaging) → pre-processing → model (runtime repository) → post-processing
// → the writers the manifest declares (SEG, SR TID 1500, RTSTRUCT; the JSON
// result always) → ingest into the study (protocol "app") → one `dicom.push`
// job per node in the optional input "deliver_to" (results back to the
// PACS) → usage metering.
// Idempotent: output UIDs derive from (job id, input digest, object kind)
// and content dates from the job's creation time, so a re-run stores
// identical objects (the store reports them already present).
// Errors never name patient data: codes from the modules below.
#include <filesystem>
#include <string>

#include "apps/package_cache.h"
#include "diabetes/diabetes_app.h"
#include "dicom/instance_store.h"
#include "jobs/job_engine.h"
#include "jobs/job_handler.h"
#include "packages/app_catalog.h"
#include "packages/app_usage.h"
#include "runtime/model_repository.h"

namespace medai::apps {

struct AppRunDeps {
  packages::AppCatalog* catalog = nullptr;
  packages::AppUsage* usage = nullptr;
  runtime::ModelRepository* models = nullptr;
  dicom::InstanceStore* dicom = nullptr;
  PackageCache* packages = nullptr;     // unpacked packages, one folder per digest
  jobs::JobEngine* engine = nullptr;    // enqueues the dicom.push jobs of "deliver_to"
  std::string uid_key;                  // installation secret: keys the output UIDs
  int threads = 2;
};

inline constexpr const char* kAppRunJobType = "app.run";

// The shape of an app.run input, checked when the job is submitted (so a
// caller hears at once, not from a failed job): "app" text; "version" text
// when given; then either "patient"/"fhir" (an object: tabular) or
// "study_uid" and "series_uid" (text: imaging). invalid_argument with
// detail.field naming the first problem.
Status check_app_run_input(const nlohmann::json& input);

class AppRunHandler : public jobs::JobHandler {
 public:
  explicit AppRunHandler(AppRunDeps deps) : deps_(std::move(deps)) {}
  Result<nlohmann::json> run(const jobs::Job& job, jobs::JobContext& ctx) override;

 private:
  Result<nlohmann::json> run_tabular(const jobs::Job& job, jobs::JobContext& ctx);

  AppRunDeps deps_;
  diabetes::DiabetesAppCache tabular_apps_;  // rule sets by package digest
};

}  // namespace medai::apps
