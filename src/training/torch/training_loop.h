#pragma once
// The epoch loop shared by the three LibTorch trainers: optimiser and
// learning-rate schedule, the prefetching loader, progress reports,
// validation, best/last checkpoints with resume, early stopping and
// cancellation.
//
// Checkpoints (under work_dir/checkpoints, each written to a temporary name
// and renamed): last.pt (the TorchScript module), last_optimizer.pt,
// state.json (epochs done, history, best score, patience) and best.pt. A run
// resumes from them when state.json's fingerprint (architecture, hyper-
// parameters, seed, data) equals this run's; otherwise it starts afresh.
// Because every sample is drawn from (seed, epoch, index) and no other
// randomness is used after initialisation, a resumed run ends with the same
// weights as an uninterrupted one.
#include <torch/script.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"
#include "training/torch/hyper_params.h"
#include "training/trainer.h"

namespace medai::training::torch_nets {

// A batch as the loader thread builds it (plain memory; tensors are made on
// the training thread).
struct HostBatch {
  std::vector<std::int64_t> input_shape;
  std::vector<float> input;
  std::vector<std::int64_t> target_shape;
  std::vector<float> target;
  std::vector<std::int64_t> extra_shape;  // e.g. detector sizes
  std::vector<float> extra;
};

struct LoopSpec {
  HyperParams hyper;
  std::uint64_t seed = 0;
  int threads = 1;
  std::filesystem::path work_dir;
  std::string fingerprint;
  std::int64_t steps_per_epoch = 1;
  std::function<HostBatch(int epoch, std::int64_t step)> make_batch;  // loader thread; deterministic
  std::function<torch::Tensor(torch::jit::Module&, const HostBatch&)> loss;
  // Validation metrics of the module in eval mode; "score" (higher is better)
  // selects the best epoch and drives early stopping.
  std::function<nlohmann::json(torch::jit::Module&)> validate;
};

struct LoopResult {
  torch::jit::Module best;
  nlohmann::json history = nlohmann::json::array();  // per epoch: {"epoch","loss","lr","validation","seconds",...}
  int best_epoch = 0;
  double best_score = 0;
  bool stopped_early = false;
  bool resumed = false;
  double samples_per_second = 0;
  double loader_wait_fraction = 0;
};

// A LoopSpec with what every trainer sets the same way: hyper-parameters,
// seed, threads, work_dir, the checkpoint fingerprint and the steps of an
// epoch of `samples` samples. The trainer adds make_batch, loss, validate.
LoopSpec base_loop_spec(const HyperParams& h, std::uint64_t seed, const TrainingRequest& request,
                        const TrainingData& data, std::int64_t samples);

// The epoch's sample order: a shuffle of 0..samples-1 seeded by (seed, epoch),
// the same on every run and every resume.
std::vector<std::int64_t> epoch_order(std::uint64_t seed, int epoch, std::int64_t samples);

// The report fields every trainer shares: architecture, seed, best epoch and
// its validation `metric`, the epoch history and loss curve, "splits" (per
// split metrics, as the training service, the HTML report and the manifest's
// validation read them), throughput and the loader's wait share.
nlohmann::json loop_report(const std::string& architecture, std::uint64_t seed, const LoopResult& result,
                           const std::string& metric, nlohmann::json splits);

// `fresh` is used unless a matching checkpoint exists. Returns `cancelled`
// when the sink asks, leaving the last completed epoch's checkpoint.
Result<LoopResult> run_training_loop(const LoopSpec& spec, torch::jit::Module fresh, TrainingSink& sink);

// Saves `module` for inference (eval mode, no gradients) to `path`.
Status export_module(torch::jit::Module module, const std::filesystem::path& path);

torch::Tensor to_tensor(const std::vector<float>& data, const std::vector<std::int64_t>& shape);

}  // namespace medai::training::torch_nets
