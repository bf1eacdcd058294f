// Training-speed benchmark (issue 6), medai side: the LibTorch trainers'
// own pieces — TorchScript network from networks.cc, the dice_ce /
// weighted_bce losses, Adam, and the prefetching loader drawing augmented
// patches from a 128³ volume (2-D: a 512×416 image) — for `steps` timed
// steps after `warmup`. Prints one JSON line; bench/train_bench.sh measures
// peak RSS around it with /usr/bin/time -v.
//
//   train_bench unet3d|resnet2d <threads> <warmup> <steps>
#include <ATen/Parallel.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/optim.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>

#include "training/torch/losses.h"
#include "training/torch/networks.h"
#include "training/torch/patch_sampler.h"
#include "training/torch/prefetch_loader.h"
#include "training/torch/training_loop.h"

using namespace medai::training::torch_nets;

int main(int argc, char** argv) {
  if (argc != 5 && argc != 6) {
    std::cerr << "usage: train_bench unet3d|resnet2d <threads> <warmup> <steps> [optimised]\n";
    return 2;
  }
  const std::string model_name = argv[1];
  const int threads = std::stoi(argv[2]), warmup = std::stoi(argv[3]), steps = std::stoi(argv[4]);
  at::set_num_threads(threads);
  at::set_num_interop_threads(1);
  // As the trainers do: the graph executor's profiling/specialising passes off
  // on the training thread (they only add overhead to conv-bound training);
  // "optimised" as 5th argument keeps LibTorch's default for comparison.
  const bool optimised = argc == 6 && std::string(argv[5]) == "optimised";
  torch::jit::GraphOptimizerEnabledGuard executor_mode(optimised);
  const bool unet = model_name == "unet3d";
  NetworkSpec spec;
  spec.architecture = unet ? "unet3d" : "resnet2d";
  spec.out_channels = 2;
  spec.depth = 2;
  spec.base_channels = 8;  // 8-16-32
  spec.channels = {16, 32, 64, 128};
  auto model = build_network(spec, 1);
  std::vector<torch::Tensor> params;
  for (const auto& p : model.parameters()) params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-3));

  // Data: a random volume with a foreground blob / a random image.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<float> u(0, 1);
  Case3d volume;
  Image2dCase image;
  if (unet) {
    volume.image = medai::imaging::Volume<float>(128, 128, 128);
    volume.label = medai::imaging::Volume<std::uint8_t>(128, 128, 128);
    for (auto& v : volume.image.data) v = u(rng);
    for (int k = 40; k < 80; ++k)
      for (int j = 40; j < 80; ++j)
        for (int i = 40; i < 80; ++i) volume.label.at(i, j, k) = 1;
    index_foreground(volume);
  } else {
    image.image = medai::imaging::Image2D<float>(416, 512);
    for (auto& v : image.image.data) v = u(rng);
  }
  const int batch = unet ? 2 : 8;
  Augmentation aug;
  auto make = [&](std::int64_t step) {
    HostBatch b;
    for (int k = 0; k < batch; ++k) {
      auto r = sample_rng(1, 0, step * batch + k);
      if (unet) {
        auto p = sample_patch(volume, {64, 64, 64}, aug, 0.5, r);
        b.input.insert(b.input.end(), p.image.begin(), p.image.end());
        for (auto l : p.label) b.target.push_back(l);
      } else {
        auto p = sample_image(image, {256, 256}, aug, true, r);
        b.input.insert(b.input.end(), p.image.begin(), p.image.end());
        b.target.push_back(static_cast<float>(k % 2));
      }
    }
    b.input_shape = unet ? std::vector<std::int64_t>{batch, 1, 64, 64, 64} : std::vector<std::int64_t>{batch, 1, 256, 256};
    b.target_shape = unet ? std::vector<std::int64_t>{batch, 64, 64, 64} : std::vector<std::int64_t>{batch, 1};
    return b;
  };
  PrefetchLoader<HostBatch> loader(warmup + steps, 3, make);
  auto step = [&](const HostBatch& b) {
    opt.zero_grad();
    auto x = to_tensor(b.input, b.input_shape);
    auto logits = model.get_method("logits")({x}).toTensorVector()[0];
    torch::Tensor loss = unet ? dice_ce_loss(logits, to_tensor(b.target, b.target_shape).to(torch::kLong), {})
                              : weighted_bce_loss(logits, to_tensor(b.target, b.target_shape), 1.0);
    loss.backward();
    opt.step();
    return loss.item<double>();
  };
  for (int i = 0; i < warmup; ++i) step(*loader.next());
  const double wait0 = loader.wait_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  double last = 0;
  for (int i = 0; i < steps; ++i) last = step(*loader.next());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"program\":\"medai\",\"model\":\"%s\",\"threads\":%d,\"steps\":%d,\"batch\":%d,"
              "\"samples_per_second\":%.4f,\"loader_wait_fraction\":%.4f,\"last_loss\":%.5f,\"graph_optimiser\":%s}\n",
              model_name.c_str(), threads, steps, batch, steps * batch / secs,
              (loader.wait_seconds() - wait0) / secs, last, optimised ? "true" : "false");
  return 0;
}
