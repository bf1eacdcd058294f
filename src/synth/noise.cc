#include "synth/noise.h"

#include <cmath>

#include "synth/rng.h"

namespace medai::synth {
namespace {

inline double fade(double t) { return t * t * (3.0 - 2.0 * t); }
inline float lerp(float a, float b, double t) { return static_cast<float>(a + (b - a) * t); }

}  // namespace

float ValueNoise::lattice(std::int64_t x, std::int64_t y, std::int64_t z) const {
  std::uint64_t h = mix64(seed_ ^ mix64(static_cast<std::uint64_t>(x) * 0x9E3779B185EBCA87ULL ^
                                        static_cast<std::uint64_t>(y) * 0xC2B2AE3D27D4EB4FULL ^
                                        static_cast<std::uint64_t>(z) * 0x165667B19E3779F9ULL));
  return static_cast<float>(static_cast<double>(h >> 40) * (2.0 / 16777216.0) - 1.0);
}

float ValueNoise::at(double x, double y) const { return at(x, y, 0.0); }

float ValueNoise::at(double x, double y, double z) const {
  const double fx = std::floor(x), fy = std::floor(y), fz = std::floor(z);
  const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy),
             iz = static_cast<std::int64_t>(fz);
  const double tx = fade(x - fx), ty = fade(y - fy), tz = fade(z - fz);
  const float c000 = lattice(ix, iy, iz), c100 = lattice(ix + 1, iy, iz);
  const float c010 = lattice(ix, iy + 1, iz), c110 = lattice(ix + 1, iy + 1, iz);
  const float c001 = lattice(ix, iy, iz + 1), c101 = lattice(ix + 1, iy, iz + 1);
  const float c011 = lattice(ix, iy + 1, iz + 1), c111 = lattice(ix + 1, iy + 1, iz + 1);
  const float a = lerp(lerp(c000, c100, tx), lerp(c010, c110, tx), ty);
  const float b = lerp(lerp(c001, c101, tx), lerp(c011, c111, tx), ty);
  return lerp(a, b, tz);
}

float ValueNoise::fbm(double x, double y, int octaves, double gain) const {
  return fbm(x, y, 0.0, octaves, gain);
}

float ValueNoise::fbm(double x, double y, double z, int octaves, double gain) const {
  double sum = 0, amp = 1, norm = 0, f = 1;
  for (int o = 0; o < octaves; ++o) {
    // Offset each octave so lattice points do not line up.
    sum += amp * at(x * f + o * 17.31, y * f - o * 9.73, z * f + o * 5.17);
    norm += amp;
    amp *= gain;
    f *= 2.0;
  }
  return static_cast<float>(sum / norm * 1.6);
}

float counter_normal(std::uint64_t seed, std::uint64_t counter) {
  const std::uint64_t h = mix64(seed ^ (counter * 0x9E3779B97F4A7C15ULL));
  const double s = static_cast<double>(h & 0xffff) + static_cast<double>((h >> 16) & 0xffff) +
                   static_cast<double>((h >> 32) & 0xffff) + static_cast<double>(h >> 48);
  // Sum of 4 U(0,65536): mean 131070, variance 4 * 65536^2 / 12.
  return static_cast<float>((s - 131070.0) * (1.0 / 37837.23))  ;
}

}  // namespace medai::synth
