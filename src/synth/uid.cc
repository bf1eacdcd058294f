#include "synth/uid.h"

#include <algorithm>

#include "synth/rng.h"

namespace medai::synth {

std::string synth_uid(std::uint64_t seed, std::string_view label) {
  const std::uint64_t label_hash = hash_label(label);
  const std::uint64_t hi = mix64(seed ^ mix64(label_hash ^ 0x5eed5eedULL));
  const std::uint64_t lo = mix64(hi ^ mix64(label_hash + seed * 0x9E3779B97F4A7C15ULL));
  unsigned __int128 v = (static_cast<unsigned __int128>(hi) << 64) | lo;
  // Clear the top bit so the number (and the UID) never exceeds 38 digits.
  v &= ~(static_cast<unsigned __int128>(1) << 127);
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(digits.begin(), digits.end());
  return "2.25." + digits;
}

}  // namespace medai::synth
