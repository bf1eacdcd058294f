#pragma once
// Evaluations: run a model — a finished training job's, or a published app
// version's (approved or not: an institution evaluates a vendor's version on
// its own labelled data before approving it) — on one split of a dataset the
// caller can read, and keep the report (medai.evaluation-report/1, the same
// metric code as training validation and `medai evaluate --package`).
//
// Tabular classification runs synchronously (thousands of rows score in
// milliseconds): the evaluation comes back with its report, state
// "succeeded". Imaging models (detection, segmentation, 2-D exam
// classification) on imaging datasets run as an "evaluation.run" job
// (imaging_evaluation_job.h): the evaluation comes back "queued" with its
// job_id, and its report once the job has succeeded.
// Tenancy: evaluations belong to the caller's institution; the model and
// the dataset must each be visible to the caller (not_found otherwise).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/directory.h"
#include "apps/package_cache.h"
#include "datasets/dataset_store.h"
#include "jobs/job_engine.h"
#include "packages/app_catalog.h"
#include "storage/catalog.h"
#include "training/training_service.h"

namespace medai::training {

struct EvaluationRequest {
  // Exactly one subject: a training job, or an app name + version.
  std::optional<std::string> training_job_id;
  std::optional<std::string> app_name, app_version;
  std::string dataset_id;
  std::optional<std::int64_t> dataset_version;  // default: the latest frozen version
  std::string split = "test";                   // train | validation | test | all
  int bootstrap_resamples = 2000;
  std::uint64_t seed = 0;
  std::vector<double> thresholds = {0.5};
  bool baseline = true;  // imaging: also score the task's non-learned baseline
};

class EvaluationService {
 public:
  EvaluationService(storage::Catalog& catalog, datasets::DatasetStore& datasets, TrainingService& training,
                    packages::AppCatalog& apps, apps::PackageCache& packages, jobs::JobEngine& engine, int threads)
      : catalog_(catalog), datasets_(datasets), training_(training), apps_(apps), packages_(packages),
        engine_(engine), threads_(threads) {}

  // {"id", "state", "created_at", "subject", "dataset_id", "dataset_version", "split", "report", "job"?}.
  // state: "succeeded" (report present), or for an imaging evaluation the
  // state of its job while it has not succeeded ("queued", "running",
  // "failed" with job.error_code / error_message, "cancelled").
  Result<nlohmann::json> evaluate(const access::Principal& who, const EvaluationRequest& request);
  Result<nlohmann::json> get(const access::Principal& who, const std::string& id);
  Result<std::string> report_html(const access::Principal& who, const std::string& id);
  Result<std::vector<nlohmann::json>> list(const access::Principal& who, access::Page page);
  // How many list() would give without paging.
  Result<std::int64_t> count(const access::Principal& who);

 private:
  Result<nlohmann::json> queue_imaging(const access::Principal& who, const EvaluationRequest& request,
                                       const nlohmann::json& subject, const std::string& dataset_id,
                                       const std::string& dataset_name, std::int64_t version);
  // The row as JSON, with the state of its job while it has no report.
  nlohmann::json with_job_state(nlohmann::json evaluation);

  storage::Catalog& catalog_;
  datasets::DatasetStore& datasets_;
  TrainingService& training_;
  packages::AppCatalog& apps_;
  apps::PackageCache& packages_;
  jobs::JobEngine& engine_;
  int threads_;
};

}  // namespace medai::training
