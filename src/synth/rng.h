#pragma once
// Rng: the one pseudo-random generator of the synthetic-data generators.
// std:: distributions differ between standard libraries, so every
// distribution used here is written out: the same seed gives the same
// numbers (and therefore the same DICOM bytes) on every platform.
// Sub-streams (`fork`) keep parts independent: drawing more numbers for the
// vessels does not move the nodules of the same seed.
#include <cmath>
#include <cstdint>
#include <string_view>

namespace medai::synth {

// SplitMix64 finaliser: a good 64-bit mixing function.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a of a label, used to name sub-streams and UIDs.
constexpr std::uint64_t hash_label(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

// xoshiro256** seeded through SplitMix64.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      s = mix64(x);
    }
  }

  // Independent stream derived from this one's seed material and a label;
  // does not advance this generator.
  Rng fork(std::string_view label) const {
    return Rng(mix64(s_[0] ^ mix64(s_[1] ^ hash_label(label))));
  }
  Rng fork(std::string_view label, std::uint64_t index) const {
    return Rng(mix64(s_[0] ^ mix64(s_[1] ^ hash_label(label) ^ mix64(index + 1))));
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi] (inclusive); bias is negligible for small ranges.
  int integer(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo + 1);
    return lo + static_cast<int>(((next() >> 32) * span) >> 32);
  }
  bool chance(double p) { return uniform() < p; }
  // Standard normal by Box-Muller (one value per call, the pair's second is dropped
  // so the stream position does not depend on call history).
  double normal() {
    double u1 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  // Log-uniform in [lo, hi] (lo > 0): small values more likely.
  double log_uniform(double lo, double hi) { return lo * std::exp(std::log(hi / lo) * uniform()); }
  // Index drawn from unnormalised weights.
  template <typename Weights>
  int categorical(const Weights& w) {
    double total = 0;
    for (double x : w) total += x;
    double r = uniform() * total;
    int i = 0;
    for (double x : w) {
      if (r < x) return i;
      r -= x;
      ++i;
    }
    return i - 1;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace medai::synth
