#pragma once
// Segments and measures one lung nodule on the CT around a detected centre
// (the model's heat-map peak or a baseline candidate), on the CT's own grid:
//   1. background = median HU of the lung parenchyma in a 44 mm box;
//   2. region = voxels above (background + nodule level) / 2, the nodule
//      level being the 90th percentile HU of the voxels 200 HU above
//      background within 6 mm of the brightest voxel near the centre — a
//      half-maximum contour, so solid and ground-glass nodules are both cut
//      at their edge; opened in-plane by a ~3 mm square (thin vessels off);
//   3. attached vessels and chest wall are cut off by a sphere whose radius
//      is 1.15 x the median distance from the centre to the region's edge
//      over 64 rays (most rays end at the nodule's own edge), twice,
//      re-centred.
// Then: longest axial diameter and the perpendicular diameter on the same
// slice (imaging::measure_axes), volume, HU distribution, type:
//   solid fraction f = share of voxels >= -200 HU;
//   solid if f >= kSolidFraction, else part-solid if the largest solid
//   component has a long axis >= kMinCoreMm, else ground glass.
#include <cstdint>
#include <optional>
#include <vector>

#include "apps/lung/lung_rads.h"
#include "imaging/volume.h"

namespace medai::apps::lung {

struct NoduleMeasurement {
  bool found = false;               // false: no region above background at the centre
  imaging::Vec3 centre;             // centroid of the mask (patient mm)
  std::array<int, 3> centre_voxel{0, 0, 0};
  double long_axis_mm = 0, short_axis_mm = 0;
  int axis_slice = 0;               // k of the slice the axes were measured on
  std::array<imaging::Vec3, 2> long_axis_ends, short_axis_ends;  // patient mm
  double volume_mm3 = 0;
  std::int64_t voxels = 0;
  double mean_hu = 0, solid_fraction = 0;
  double solid_long_axis_mm = 0, solid_short_axis_mm = 0;
  NoduleType type = NoduleType::solid;
  // Voxels of the mask as source-grid indices (for SEG).
  std::vector<std::size_t> voxel_indices;
};

constexpr double kSolidHu = -200.0;
constexpr double kSolidFraction = 0.5;
constexpr double kMinCoreMm = 2.5;

// With `lungs`, the region is also kept inside the per-slice convex hull of
// each lung (the chest wall lies outside it; a juxta-pleural nodule indents
// the lung outline and lies inside): juxta-pleural nodules are not measured
// together with the chest wall.
struct LungMask;
NoduleMeasurement measure_nodule(const imaging::Volume<float>& hu, const imaging::Vec3& centre,
                                 const LungMask* lungs = nullptr);

}  // namespace medai::apps::lung
