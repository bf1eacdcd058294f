#pragma once
// Pieces the bootstrap confidence intervals of every metric family share:
// a platform-stable index draw and the percentile interval. Header-only.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace medai::evaluation {

// Modulo draw in [0, n): the bias for n << 2^64 is negligible, and unlike
// std::uniform_int_distribution the sequence is the same on every platform.
inline std::size_t draw_index(std::mt19937_64& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

// Quantile with linear interpolation between order statistics (R type 7).
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
  if (sorted.size() == 1) return sorted.front();
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// The central `level` percentile interval of bootstrap estimates.
inline std::pair<double, double> percentile_interval(std::vector<double> estimates, double level) {
  std::sort(estimates.begin(), estimates.end());
  return {quantile_sorted(estimates, (1 - level) / 2), quantile_sorted(estimates, 1 - (1 - level) / 2)};
}

// The same limits for every bootstrap CI.
inline Status check_bootstrap(int resamples, double level) {
  if (resamples < 10 || resamples > 1000000)
    return make_error(ErrorCode::invalid_argument, "bootstrap resamples must be between 10 and 1000000");
  if (!(level > 0 && level < 1)) return make_error(ErrorCode::invalid_argument, "CI level must be in (0, 1)");
  return Status::ok();
}

// A CI as the report writes it: {"lower", "upper", "level", "method",
// "resamples", "seed"}, from the bootstrap estimates.
inline nlohmann::json interval_json(std::vector<double> estimates, double level, const std::string& method,
                                    std::uint64_t seed) {
  const int resamples = static_cast<int>(estimates.size());
  const auto [lower, upper] = percentile_interval(std::move(estimates), level);
  return {{"lower", lower}, {"upper", upper}, {"level", level}, {"method", method}, {"resamples", resamples},
          {"seed", seed}};
}

}  // namespace medai::evaluation
