#pragma once
// Runs body(i) for i in [0, n) on up to `threads` threads (the caller's
// included), strided: thread t takes t, t + threads, ... Returns when all
// are done. body must be safe to run concurrently for different i.
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace medai {

template <typename F>
void parallel_for(std::size_t n, int threads, F&& body) {
  const std::size_t t = std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), n));
  std::vector<std::thread> pool;
  pool.reserve(t - 1);
  for (std::size_t w = 1; w < t; ++w)
    pool.emplace_back([&, w] {
      for (std::size_t i = w; i < n; i += t) body(i);
    });
  for (std::size_t i = 0; i < n; i += t) body(i);
  for (auto& th : pool) th.join();
}

}  // namespace medai
