#include "annotations/polygon_fill.h"

#include <algorithm>
#include <cmath>

namespace medai::annotations {

void fill_even_odd(const std::vector<imaging::Polygon>& loops, int nx, int ny, std::uint8_t* mask) {
  std::vector<double> xs;
  for (int j = 0; j < ny; ++j) {
    const double y = j;
    xs.clear();
    for (const imaging::Polygon& p : loops) {
      const std::size_t n = p.size();
      for (std::size_t i = 0, k = n - 1; i < n; k = i++) {
        // Same crossing rule and arithmetic as imaging::inside_even_odd.
        if ((p[i].y > y) != (p[k].y > y))
          xs.push_back((p[k].x - p[i].x) * (y - p[i].y) / (p[k].y - p[i].y) + p[i].x);
      }
    }
    if (xs.empty()) continue;
    std::sort(xs.begin(), xs.end());
    // Pixel i is inside when the number of crossings with x > i is odd.
    std::size_t at_or_left = 0;  // crossings with x <= i
    std::uint8_t* row = mask + static_cast<std::size_t>(j) * nx;
    for (int i = 0; i < nx; ++i) {
      while (at_or_left < xs.size() && xs[at_or_left] <= i) ++at_or_left;
      if (((xs.size() - at_or_left) & 1) != 0) row[i] = 1;
    }
  }
}

}  // namespace medai::annotations
