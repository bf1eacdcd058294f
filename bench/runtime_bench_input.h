#pragma once
// The benchmark input shared by the C++ programs (the Python one computes
// the same values): x[i] = sin(0.001 * i), shape [1, 1, S, S, S].
#include <cmath>
#include <cstdint>
#include <vector>

inline std::vector<float> bench_input(std::int64_t side) {
  std::vector<float> v(static_cast<std::size_t>(side * side * side));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.001 * static_cast<double>(i)));
  return v;
}
