#pragma once
// Pieces every LibTorch trainer shares that need no LibTorch: the run's
// seed and fingerprint, the item lists per split, and validate().
#include <string>
#include <vector>

#include "training/torch/hyper_params.h"
#include "training/trainer.h"

namespace medai::training::torch_nets {

std::uint64_t effective_seed(const HyperParams& h, const TrainingRequest& r);

// Identifies what a checkpoint belongs to (architecture, hyper, seed, data).
std::string run_fingerprint(const TrainingRequest& r, const TrainingData& data, std::uint64_t seed);

// Indices of the items of one split.
std::vector<std::size_t> items_of_split(const TrainingData& data, const std::string& split);

// Checks the hyper-parameters and (for imaging data) that there is data to train on.
Status check_imaging_data(const TrainingData& data);

// Manifest "modality" and "body_part" from the training series (the items'
// refs), sorted and unique: what the exported app will say it accepts.
nlohmann::json series_modalities(const TrainingData& data);
nlohmann::json series_body_parts(const TrainingData& data);

// The shell every LibTorch trainer shares: its name and task, validate()
// through the hyper-parameter parser, and LibTorch's exceptions (shape,
// memory and file problems) turned into a job error instead of ending the
// process. Subclasses implement train_impl().
class TorchTrainer : public Trainer {
 public:
  TorchTrainer(std::string architecture, std::string task)
      : architecture_(std::move(architecture)), task_(std::move(task)) {}
  std::string architecture() const final { return architecture_; }
  std::vector<std::string> tasks() const final { return {task_}; }
  Status validate(const nlohmann::json& hyper) const final {
    return parse_hyper_params(architecture_, hyper).status();
  }
  nlohmann::json defaults() const final { return default_hyper_params(architecture_); }
  Result<TrainingOutcome> train(const TrainingRequest& request, const TrainingData& data, TrainingSink& sink) final;

 protected:
  virtual Result<TrainingOutcome> train_impl(const TrainingRequest& request, const TrainingData& data,
                                             TrainingSink& sink) = 0;

 private:
  std::string architecture_, task_;
};

}  // namespace medai::training::torch_nets
