#pragma once
// Lung mask of a chest CT (HU volume, any axial grid): air below -400 HU
// inside the body (not reachable from the image border in its slice), the
// large 3-D air components whose mean is above -940 HU (parenchyma; gas in
// the bowel or the table's foam core is darker), minus the airway lumen (below
// -950 HU: trachea and bronchi), then 2-D hole filling per slice so vessels
// and nodules surrounded by lung belong to it. Nodules with broad pleural
// contact are *not* inside this mask (they touch the chest wall): a known
// weakness that the non-learned baseline inherits on purpose.
#include <array>
#include <cstdint>
#include <vector>

#include "imaging/ops/slice_fill.h"  // fill_holes_per_slice
#include "imaging/volume.h"

namespace medai::apps::lung {

struct LungMask {
  imaging::Volume<std::uint8_t> mask;  // 1 = lung (filled), same grid as the CT
  std::int64_t voxels = 0;
  // Patient z range of the mask (mm): lowest and highest slice with lung.
  double z_min = 0, z_max = 0;
  // Per slice k: the convex hull (pixel coordinates (i, j), counter-clockwise)
  // of each 2-D lung component — the thoracic cavity side of the pleura,
  // used to keep juxta-pleural nodules apart from the chest wall.
  std::vector<std::vector<std::vector<std::array<double, 2>>>> hulls;
  bool empty() const { return voxels == 0; }
  // Upper zone: above 60 % of the lung height from the lowest lung slice, an
  // approximation of "upper lobe" (above the hilum; fissures are not found).
  bool upper_zone(double z) const { return !empty() && z >= z_min + 0.6 * (z_max - z_min); }
};

LungMask compute_lung_mask(const imaging::Volume<float>& hu);

// Point (x, y) inside (or on) a counter-clockwise convex polygon.
bool inside_convex_hull(const std::vector<std::array<double, 2>>& hull, double x, double y);

// In-plane erosion / dilation of each slice by a (2r+1) x (2r+1) square, in
// place (separable running counts: O(voxels) for any r). Voxels beyond the
// slice border count as background for erosion.
void erode_in_plane(imaging::Volume<std::uint8_t>& mask, int r);
void dilate_in_plane(imaging::Volume<std::uint8_t>& mask, int r);

}  // namespace medai::apps::lung
