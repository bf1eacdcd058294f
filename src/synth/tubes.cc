#include "synth/tubes.h"

#include <algorithm>
#include <cmath>

namespace medai::synth {

TubeIndex::TubeIndex(const std::vector<Tube>& tubes, double z0, double dz, int nz)
    : per_slice_(static_cast<std::size_t>(std::max(nz, 0))) {
  for (std::size_t n = 0; n < tubes.size(); ++n) {
    const Tube& t = tubes[n];
    const double r = std::max(t.ra, t.rb) + dz;
    const double lo = std::min(t.a.z, t.b.z) - r, hi = std::max(t.a.z, t.b.z) + r;
    const int k0 = std::max(0, static_cast<int>(std::floor((lo - z0) / dz)));
    const int k1 = std::min(nz - 1, static_cast<int>(std::ceil((hi - z0) / dz)));
    for (int k = k0; k <= k1; ++k) per_slice_[static_cast<std::size_t>(k)].push_back(static_cast<int>(n));
  }
}

double tube_depth(const Tube& t, const Vec3& p) {
  const Vec3 ab = t.b - t.a;
  const double len2 = ab.norm2();
  double s = len2 > 0 ? (p - t.a).dot(ab) / len2 : 0.0;
  s = std::clamp(s, 0.0, 1.0);
  const Vec3 q = t.a + ab * s;
  const double d = std::sqrt((p - q).norm2());
  return (t.ra + (t.rb - t.ra) * s) - d;
}

void rasterize_tubes(const std::vector<Tube>& tubes, const std::vector<int>& which, const SliceGrid& g,
                     float* coverage) {
  const double px = std::min(g.dx, g.dy);
  for (int n : which) {
    const Tube& t = tubes[static_cast<std::size_t>(n)];
    const double rmax = std::max(t.ra, t.rb) + px;
    // Part of the axis within reach of this slice plane.
    const double dzab = t.b.z - t.a.z;
    double s0 = 0, s1 = 1;
    if (std::fabs(dzab) > 1e-9) {
      double sa = (g.z - rmax - t.a.z) / dzab, sb = (g.z + rmax - t.a.z) / dzab;
      if (sa > sb) std::swap(sa, sb);
      s0 = std::max(0.0, sa);
      s1 = std::min(1.0, sb);
      if (s0 > s1) continue;
    } else if (std::fabs(g.z - t.a.z) > rmax) {
      continue;
    }
    const double xa = t.a.x + (t.b.x - t.a.x) * s0, xb = t.a.x + (t.b.x - t.a.x) * s1;
    const double ya = t.a.y + (t.b.y - t.a.y) * s0, yb = t.a.y + (t.b.y - t.a.y) * s1;
    const int i0 = std::max(0, static_cast<int>(std::floor((std::min(xa, xb) - rmax - g.x0) / g.dx)));
    const int i1 = std::min(g.nx - 1, static_cast<int>(std::ceil((std::max(xa, xb) + rmax - g.x0) / g.dx)));
    const int j0 = std::max(0, static_cast<int>(std::floor((std::min(ya, yb) - rmax - g.y0) / g.dy)));
    const int j1 = std::min(g.ny - 1, static_cast<int>(std::ceil((std::max(ya, yb) + rmax - g.y0) / g.dy)));
    for (int j = j0; j <= j1; ++j) {
      const double y = g.y0 + j * g.dy;
      float* row = coverage + static_cast<std::size_t>(j) * g.nx;
      for (int i = i0; i <= i1; ++i) {
        const double depth = tube_depth(t, {g.x0 + i * g.dx, y, g.z});
        const float c = static_cast<float>(std::clamp(depth / px + 0.5, 0.0, 1.0));
        if (c > row[i]) row[i] = c;
      }
    }
  }
}

}  // namespace medai::synth
