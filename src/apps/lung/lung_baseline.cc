#include "apps/lung/lung_baseline.h"

#include <algorithm>
#include <cmath>

#include "imaging/ops/connected_components.h"

namespace medai::apps::lung {

std::vector<BaselineCandidate> baseline_candidates(const imaging::Volume<float>& hu, const LungMask& lungs,
                                                   int max_candidates) {
  std::vector<BaselineCandidate> out;
  if (lungs.empty()) return out;
  imaging::Volume<std::uint8_t> dense = hu.like<std::uint8_t>();
  for (std::size_t i = 0; i < hu.data.size(); ++i) dense.data[i] = lungs.mask.data[i] && hu.data[i] > -300.0f;
  // Opening by a ~3 mm square in-plane: detaches the thin vessels that join
  // blobs into one tree (a blob narrower than 3 mm disappears: the baseline
  // cannot see the smallest nodules either).
  const int r = std::max(1, static_cast<int>(std::lround(1.5 / hu.spacing[0])));
  erode_in_plane(dense, r);
  dilate_in_plane(dense, r);
  const double voxel = hu.spacing[0] * hu.spacing[1] * hu.spacing[2];
  imaging::ComponentOptions co;
  co.connectivity = 26;
  co.min_voxels = std::max<std::int64_t>(2, static_cast<std::int64_t>(std::ceil(4.0 / 3.0 * M_PI * 1.5 * 1.5 * 1.5 / voxel)));
  const imaging::Components comps = imaging::connected_components(dense, co);
  for (const auto& c : comps.stats) {
    double extent = 0, axial = 0;
    for (int a = 0; a < 3; ++a) {
      const double e = (c.box.max[a] - c.box.min[a] + 1) * hu.spacing[a];
      extent = std::max(extent, e);
      if (a < 2) axial = std::max(axial, e);
    }
    if (extent > 40.0) continue;  // vessel trees, hilum, chest wall
    const double d_eq = 2.0 * std::cbrt(3.0 * c.volume_mm3 / (4.0 * M_PI));
    if (d_eq < 3.0) continue;
    const double sphericity = std::min(1.0, d_eq / extent);
    out.push_back({c.centroid, sphericity * sphericity * std::min(1.0, d_eq / 10.0), axial});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  if (static_cast<int>(out.size()) > max_candidates) out.resize(static_cast<std::size_t>(max_candidates));
  return out;
}

}  // namespace medai::apps::lung
