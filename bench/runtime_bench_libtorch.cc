// Baseline: the minimal LibTorch program an ML engineer would write to run a
// TorchScript model: jit::load, eval, InferenceMode, forward in a loop.
// Usage: runtime_bench_libtorch MODEL.pt SIDE THREADS WARMUP ITERS
// Prints one JSON line with per-inference times in milliseconds.
#include <torch/script.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <numeric>

#include "runtime_bench_input.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: runtime_bench_libtorch MODEL SIDE THREADS WARMUP ITERS\n";
    return 2;
  }
  const std::int64_t side = std::stoll(argv[2]);
  const int threads = std::stoi(argv[3]), warmup = std::stoi(argv[4]), iters = std::stoi(argv[5]);
  at::set_num_threads(threads);
  at::set_num_interop_threads(1);
  torch::jit::Module m = torch::jit::load(argv[1], torch::kCPU);
  m.eval();
  std::vector<float> data = bench_input(side);
  at::Tensor x = torch::from_blob(data.data(), {1, 1, side, side, side}, torch::kFloat32);
  std::vector<double> ms;
  double checksum = 0;
  for (int i = 0; i < warmup + iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    c10::InferenceMode guard;
    at::Tensor y = m.forward({x}).toTensor().contiguous();
    const auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    checksum = y.sum().item<double>();
  }
  std::sort(ms.begin(), ms.end());
  std::cout << "{\"program\": \"libtorch\", \"threads\": " << at::get_num_threads() << ", \"median_ms\": "
            << ms[ms.size() / 2] << ", \"mean_ms\": " << std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size()
            << ", \"min_ms\": " << ms.front() << ", \"checksum\": " << checksum << "}" << std::endl;
  return 0;
}
