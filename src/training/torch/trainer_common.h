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

}  // namespace medai::training::torch_nets
