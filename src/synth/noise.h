#pragma once
// Seeded lattice value noise and fractal sums. Deterministic (integer
// hashing, no global state), thread-safe, cheap enough to evaluate per voxel.
#include <cstdint>

namespace medai::synth {

class ValueNoise {
 public:
  explicit ValueNoise(std::uint64_t seed) : seed_(seed) {}
  // Smooth noise in [-1, 1] with features about 1 unit wide.
  float at(double x, double y) const;
  float at(double x, double y, double z) const;
  // Fractal sum of `octaves` octaves (frequency doubling, amplitude * gain),
  // normalised to about [-1, 1].
  float fbm(double x, double y, int octaves, double gain = 0.5) const;
  float fbm(double x, double y, double z, int octaves, double gain = 0.5) const;

 private:
  float lattice(std::int64_t x, std::int64_t y, std::int64_t z) const;
  std::uint64_t seed_;
};

// Fast approximately normal deviate (Irwin-Hall of four 16-bit uniforms,
// variance matched to 1) from a counter: noise(seed, n) is a pure function.
float counter_normal(std::uint64_t seed, std::uint64_t counter);

}  // namespace medai::synth
