#pragma once
// The seam between the training service (jobs, API, CLI, checkpoints,
// reports, publishing) and the trainers that fit one kind of model
// (XGBoost for tables; LibTorch 3-D U-Net, 3-D detector and 2-D classifier
// for images). No LibTorch or XGBoost header appears here: each trainer
// keeps its library's headers in its own .cc files.
//
// Contract for a Trainer:
//  - validate() checks the hyper-parameters before a job is queued and lists
//    every problem (invalid_argument, detail {"problems": [{"field","message"}]});
//    unknown keys are problems, not silently ignored.
//  - train() reads its data only through the TrainingData it is given, writes
//    checkpoints and artefacts only under request.work_dir, reports every
//    epoch (and, for long epochs, steps) through the sink, and stops promptly
//    (returning `cancelled`) when sink.cancelled() turns true.
//  - Resume: when work_dir holds a "last" checkpoint written by an earlier
//    attempt of the same job, train() continues from it (a job that is killed
//    and re-run loses at most one epoch); the metrics of a resumed run equal
//    those of an uninterrupted one within floating-point tolerance.
//  - Determinism: the same request (seed included) gives the same metrics
//    within floating-point tolerance.
//  - Validation metrics are computed with the functions in src/evaluation,
//    the same ones `medai evaluate` uses.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::training {

struct TrainingRequest {
  std::string job_id;
  std::string institution_id;
  std::string dataset_id;
  std::int64_t dataset_version = 0;
  std::string task;          // "classification" | "regression" | "segmentation" | "detection"
  std::string architecture;  // "xgboost" | "unet3d" | "detector3d" | "resnet2d"
  nlohmann::json hyper;      // hyper-parameters, already validated by validate()
  int threads = 1;           // at::set_num_threads / nthread: set explicitly
  std::uint64_t seed = 0;
  std::filesystem::path work_dir;  // persists across attempts of the same job
};

// One progress record: an epoch end (step == steps) or a step inside it.
struct TrainingProgress {
  int epoch = 0, epochs = 0;  // 1-based epoch
  std::int64_t step = 0, steps = 0;
  double loss = 0;                 // mean training loss so far in the epoch
  nlohmann::json validation;       // {"auc":…, "dice":…, "loss":…}, at epoch end only
  double samples_per_second = 0;
  double eta_seconds = 0;
  double loader_wait_fraction = 0; // share of step time spent waiting for data
};

class TrainingSink {
 public:
  virtual ~TrainingSink() = default;
  virtual void report(const TrainingProgress& p) = 0;
  virtual bool cancelled() const = 0;
};

// Read access to the rows or items of one frozen dataset version, already
// split. The training service builds it; a trainer never opens the catalog.
class TrainingData {
 public:
  virtual ~TrainingData() = default;
  virtual std::string kind() const = 0;  // "tabular" | "imaging"
  // tabular: the table as CSV text (header row) plus each row's split;
  // imaging: one JSON reference per item ({"study_uid","series_uid",
  // "modality","annotations":[…]}) plus each item's label and split.
  struct Item {
    std::string label;
    std::string split;  // "train" | "validation" | "test"
    nlohmann::json ref; // imaging only
  };
  virtual const std::vector<Item>& items() const = 0;
  virtual const std::string& table_csv() const = 0;       // tabular only ("" otherwise)
  virtual const std::string& label_column() const = 0;    // tabular only
  // imaging: loads the stored DICOM instances of one series (all files of
  // the series, unsorted) for the trainer's own loader to turn into volumes
  // and masks (src/imaging, src/annotations).
  virtual Result<std::vector<std::filesystem::path>> series_files(const std::string& study_uid,
                                                                  const std::string& series_uid) const = 0;
};

struct TrainingOutcome {
  // The exported model, ready for an app package: TorchScript module
  // (runtime "torchscript") or XGBoost JSON model (runtime "xgboost").
  std::filesystem::path model_artifact;
  std::string runtime;
  // Manifest parts the model needs at inference: "input", "output",
  // "pipeline" (same shape as an app manifest's fields).
  nlohmann::json manifest_fragment;
  // Metrics on the validation and test splits, curves (loss per epoch, ROC
  // points, …) for the report, and the best epoch.
  nlohmann::json report;
};

class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual std::string architecture() const = 0;
  virtual std::vector<std::string> tasks() const = 0;  // tasks this architecture serves
  virtual Status validate(const nlohmann::json& hyper) const = 0;
  // The same for one of tasks(): what the training service checks before
  // queueing. Architectures whose parameters depend on the task refine it.
  virtual Status validate_for(const std::string& task, const nlohmann::json& hyper) const {
    (void)task;
    return validate(hyper);
  }
  // Every hyper-parameter with the value used when it is not given, in the
  // form validate() accepts (GET /api/v1/training-architectures). Keys that
  // have no default (e.g. seed, positive_label) are left out.
  virtual nlohmann::json defaults() const = 0;
  virtual Result<TrainingOutcome> train(const TrainingRequest& request, const TrainingData& data,
                                        TrainingSink& sink) = 0;
};

// Architecture name → factory. The training service owns one registry;
// each trainer library offers a register_…(TrainerRegistry&) function.
class TrainerRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Trainer>()>;
  void add(std::string architecture, Factory f) { factories_[std::move(architecture)] = std::move(f); }
  std::unique_ptr<Trainer> make(const std::string& architecture) const {
    auto it = factories_.find(architecture);
    return it == factories_.end() ? nullptr : it->second();
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : factories_) out.push_back(k);
    return out;
  }

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace medai::training
