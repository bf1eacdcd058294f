#include "imaging/ops/normalise.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace medai::imaging {

std::pair<double, double> apply_normalise(Volume<float>& volume, const NormaliseOptions& o) {
  if (o.clip)
    for (float& v : volume.data) v = static_cast<float>(std::clamp<double>(v, o.clip->first, o.clip->second));
  auto counted = [&](float v) { return !o.mask_above || v > *o.mask_above; };
  double shift = 0, scale = 1;
  if (o.mode == NormaliseMode::fixed) {
    shift = o.mean;
    scale = o.std;
  } else if (o.mode == NormaliseMode::zscore) {
    // Two passes in double: stable enough for 10^8 voxels of HU.
    double sum = 0;
    std::size_t n = 0;
    for (float v : volume.data)
      if (counted(v)) sum += v, ++n;
    const double mean = n ? sum / static_cast<double>(n) : 0;
    double ss = 0;
    for (float v : volume.data)
      if (counted(v)) ss += (v - mean) * (v - mean);
    shift = mean;
    scale = n ? std::sqrt(ss / static_cast<double>(n)) : 0;
  } else {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (float v : volume.data)
      if (counted(v)) lo = std::min<double>(lo, v), hi = std::max<double>(hi, v);
    if (lo > hi) lo = hi = 0;
    shift = lo;
    scale = hi - lo;
  }
  if (!(scale > 1e-12)) {
    for (float& v : volume.data) v = 0;
  } else {
    const double inv = 1.0 / scale;
    for (float& v : volume.data) v = static_cast<float>((v - shift) * inv);
  }
  return {shift, scale};
}

}  // namespace medai::imaging
