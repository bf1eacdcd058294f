#pragma once
// Evaluations: run a classification model — a finished training job's, or a
// published app version's (approved or not: an institution evaluates a
// vendor's version on its own labelled data before approving it) — on one
// split of a tabular dataset the caller can read, and keep the report
// (medai.evaluation-report/1, the same metric code as training validation).
//
// Runs synchronously (tabular models score thousands of rows in
// milliseconds). Imaging evaluation (FROC, Dice) plugs in here later.
// Tenancy: evaluations belong to the caller's institution; the model and
// the dataset must each be visible to the caller (not_found otherwise).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/directory.h"
#include "apps/package_cache.h"
#include "datasets/dataset_store.h"
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
};

class EvaluationService {
 public:
  EvaluationService(storage::Catalog& catalog, datasets::DatasetStore& datasets, TrainingService& training,
                    packages::AppCatalog& apps, apps::PackageCache& packages, int threads)
      : catalog_(catalog), datasets_(datasets), training_(training), apps_(apps), packages_(packages),
        threads_(threads) {}

  // {"id", "created_at", "subject", "dataset_id", "dataset_version", "split", "report"}.
  Result<nlohmann::json> evaluate(const access::Principal& who, const EvaluationRequest& request);
  Result<nlohmann::json> get(const access::Principal& who, const std::string& id);
  Result<std::string> report_html(const access::Principal& who, const std::string& id);
  Result<std::vector<nlohmann::json>> list(const access::Principal& who, access::Page page);
  // How many list() would give without paging.
  Result<std::int64_t> count(const access::Principal& who);

 private:
  storage::Catalog& catalog_;
  datasets::DatasetStore& datasets_;
  TrainingService& training_;
  packages::AppCatalog& apps_;
  apps::PackageCache& packages_;
  int threads_;
};

}  // namespace medai::training
