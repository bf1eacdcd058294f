#pragma once
// The training service: training jobs on the job engine (type "train"),
// their epoch history, artefacts (exported model and last checkpoint as
// blobs) and evaluation reports. HTTP routes and the CLI are thin adapters
// over this class.
//
//  - create(): researchers, partners and platform admins; the dataset version
//    must be visible to the caller and frozen; the trainer validates the
//    hyper-parameters first (unprocessable with every problem in
//    detail.problems), so a queued job has valid parameters. Audited.
//  - The job runs in a work folder <data>/work/training/<job id> that
//    persists across attempts. A job interrupted by a crash or kill is
//    re-queued by the job engine and runs again (the trainer resumes from its
//    "last" checkpoint when it has one; XGBoost retrains, same seed → same
//    model). Epoch records are upserted, so a re-run rewrites the history.
//  - Tenancy: a caller sees its own institution's training jobs (platform
//    admins all); others get not_found.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/directory.h"
#include "access/principal.h"
#include "datasets/dataset_store.h"
#include "dicom/instance_store.h"
#include "jobs/job_engine.h"
#include "storage/blob_store.h"
#include "storage/catalog.h"
#include "training/trainer.h"

namespace medai::training {

inline constexpr const char* kTrainJobType = "train";

struct NewTrainingJob {
  std::string dataset_id;
  std::optional<std::int64_t> dataset_version;  // default: the latest frozen version
  std::string task = "classification";
  std::string architecture;
  nlohmann::json hyper = nlohmann::json::object();
  std::optional<std::uint64_t> seed;            // default: hyper.seed, else 0
  std::optional<std::int64_t> threads;          // default and cap: the service's max_threads
};

// What a finished job produced (for publishing and evaluation).
struct TrainedModel {
  std::string job_id;
  std::string runtime;
  std::filesystem::path model_file;  // in the blob store: read only
  nlohmann::json manifest_fragment;
  nlohmann::json report;
  nlohmann::json run;  // the training job as get() shows it
};

struct TrainingServiceOptions {
  std::filesystem::path work_root;  // <data>/work/training
  int max_threads = 1;
  dicom::InstanceStore* dicom = nullptr;  // imaging datasets: where their series are stored
};

class TrainingService {
 public:
  TrainingService(storage::Catalog& catalog, storage::BlobStore& blobs, datasets::DatasetStore& datasets,
                  jobs::JobEngine& engine, std::shared_ptr<TrainerRegistry> trainers, TrainingServiceOptions options);

  // Registers the "train" job handler (not submittable through /api/v1/jobs:
  // parameters are validated here first).
  void register_job_handler();

  Result<nlohmann::json> create(const access::Principal& who, const NewTrainingJob& in);
  // The job (state, progress) with what was asked, the artefacts and the
  // epoch history: {"id", "state", ..., "history": [...]}.
  Result<nlohmann::json> get(const access::Principal& who, const std::string& id);
  Result<std::vector<nlohmann::json>> list(const access::Principal& who, access::Page page);
  // How many training runs list() would page through.
  Result<std::int64_t> count(const access::Principal& who);
  Result<nlohmann::json> cancel(const access::Principal& who, const std::string& id);
  // conflict until the job has succeeded.
  Result<nlohmann::json> report(const access::Principal& who, const std::string& id);
  Result<std::string> report_html(const access::Principal& who, const std::string& id);
  Result<TrainedModel> trained_model(const access::Principal& who, const std::string& id);

  const TrainerRegistry& trainers() const { return *trainers_; }

 private:
  class Handler;
  storage::Catalog& catalog_;
  storage::BlobStore& blobs_;
  datasets::DatasetStore& datasets_;
  jobs::JobEngine& engine_;
  std::shared_ptr<TrainerRegistry> trainers_;
  TrainingServiceOptions options_;
};

}  // namespace medai::training
