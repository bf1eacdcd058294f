// medai's side: the same model through ModelRepository + the torchscript
// ModelRuntime, end to end (input vector → runtime → output vector), as the
// job engine and /v2 use it. Also writes the benchmark's 3-D U-Net.
// Usage: runtime_bench_medai write-unet MODEL.pt BASE_CHANNELS
//        runtime_bench_medai run MODEL.pt SIDE THREADS WARMUP ITERS
#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>

#include "runtime/model_repository.h"
#include "runtime/torch_threads.h"
#include "runtime/torchscript_builder.h"
#include "runtime_bench_input.h"

using namespace medai;

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "write-unet" && argc == 4) {
    Status s = runtime::save_unet3d_module(argv[2], 1, std::stoi(argv[3]), 2);
    if (!s.is_ok()) std::cerr << s.to_string() << "\n";
    return s.is_ok() ? 0 : 1;
  }
  if (mode != "run" || argc != 7) {
    std::cerr << "usage: runtime_bench_medai write-unet MODEL BASE | run MODEL SIDE THREADS WARMUP ITERS\n";
    return 2;
  }
  const std::int64_t side = std::stoll(argv[3]);
  const int threads = std::stoi(argv[4]), warmup = std::stoi(argv[5]), iters = std::stoi(argv[6]);
  runtime::configure_torch_threads(threads, 1);
  runtime::ModelRepository repo(std::size_t{1} << 30);
  runtime::ModelSpec spec{"unet@1", "torchscript", argv[2], threads, nullptr};
  auto handle = repo.acquire(spec);
  if (!handle.is_ok()) {
    std::cerr << handle.status().to_string() << "\n";
    return 1;
  }
  const std::vector<runtime::Tensor> inputs{runtime::make_f32("x", {1, 1, side, side, side}, bench_input(side))};
  std::vector<double> ms;
  double checksum = 0;
  for (int i = 0; i < warmup + iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto out = (*handle)->infer(inputs);
    const auto t1 = std::chrono::steady_clock::now();
    if (!out.is_ok()) {
      std::cerr << out.status().to_string() << "\n";
      return 1;
    }
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    checksum = std::accumulate((*out)[0].f32.begin(), (*out)[0].f32.end(), 0.0);
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "{\"program\": \"medai\", \"threads\": " << threads << ", \"median_ms\": " << ms[ms.size() / 2]
            << ", \"mean_ms\": " << std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size()
            << ", \"min_ms\": " << ms.front() << ", \"checksum\": " << checksum << "}" << std::endl;
  return 0;
}
