#pragma once
// 2-D lattice value noise (4 hashes per sample) for mammography texture.
#include <cstdint>

#include "synth/rng.h"

namespace medai::synth {

class ValueNoise2D {
 public:
  explicit ValueNoise2D(std::uint64_t seed) : seed_(seed) {}
  float at(double x, double y) const {
    const double fx = floor_(x), fy = floor_(y);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
    double tx = x - fx, ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    const float a = lattice(ix, iy), b = lattice(ix + 1, iy), c = lattice(ix, iy + 1), d = lattice(ix + 1, iy + 1);
    const double top = a + (b - a) * tx, bottom = c + (d - c) * tx;
    return static_cast<float>(top + (bottom - top) * ty);
  }
  // Fractal sum normalised to about [-1, 1].
  float fbm(double x, double y, int octaves, double gain) const {
    double sum = 0, amp = 1, norm = 0;
    for (int o = 0; o < octaves; ++o) {
      sum += amp * at(x + o * 31.7, y - o * 17.3);
      norm += amp;
      amp *= gain;
      x *= 2.0;
      y *= 2.0;
    }
    return static_cast<float>(sum / norm * 1.6);
  }

 private:
  static double floor_(double v) {
    const auto i = static_cast<std::int64_t>(v);
    return static_cast<double>(v < static_cast<double>(i) ? i - 1 : i);
  }
  float lattice(std::int64_t x, std::int64_t y) const {
    const std::uint64_t h = mix64(seed_ ^ (static_cast<std::uint64_t>(x) * 0x9E3779B185EBCA87ULL) ^
                                  (static_cast<std::uint64_t>(y) * 0xC2B2AE3D27D4EB4FULL));
    return static_cast<float>(static_cast<double>(h >> 40) * (2.0 / 16777216.0) - 1.0);
  }
  std::uint64_t seed_;
};

}  // namespace medai::synth
