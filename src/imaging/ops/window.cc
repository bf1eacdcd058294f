#include "imaging/ops/window.h"

#include <algorithm>
#include <cassert>

namespace medai::imaging {

void apply_window(Volume<float>& volume, double centre, double width) {
  assert(width > 0);
  const double lo = centre - width / 2, inv = 1.0 / width;
  for (float& v : volume.data) v = static_cast<float>(std::clamp((v - lo) * inv, 0.0, 1.0));
}

}  // namespace medai::imaging
