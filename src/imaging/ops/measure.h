#pragma once
// measure: per component, what a radiologist reports for a lesion —
//   long axis   the longest in-plane diameter over all slices of the
//               component (axial slices for an axial series; the slice
//               plane in general), measured edge to edge on the traced
//               outline (convex hull of the marching-squares contour, so a
//               row of n voxels measures n * spacing);
//   short axis  on the same slice, the longest chord of that outline
//               perpendicular to the long axis;
//   volume      voxels × voxel volume (mm³);
//   mean        mean intensity (HU for CT) of the component's voxels in the
//               `intensity` volume, sampled at their patient positions
//               (nearest voxel), so the image may be on another grid.
// Endpoints are given in patient coordinates for drawing (SR polylines).
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "imaging/ops/connected_components.h"
#include "imaging/volume.h"

namespace medai::imaging {

struct Measurement {
  int id = 0;  // component id
  std::int64_t voxels = 0;
  double volume_mm3 = 0;
  Vec3 centroid;
  double long_axis_mm = 0, short_axis_mm = 0;
  int slice = 0;  // k of the slice both axes were measured on
  std::array<Vec3, 2> long_axis_ends, short_axis_ends;
  std::optional<double> mean_intensity;
};

// In-plane long/short axis of one binary slice mask (pixel spacing sx, sy),
// in pixel coordinates; exposed for tests.
struct AxisPair {
  double long_mm = 0, short_mm = 0;
  std::array<std::array<double, 2>, 2> long_ends{}, short_ends{};  // (x, y) pixel coordinates
};
AxisPair measure_axes(const std::uint8_t* mask, int nx, int ny, double sx, double sy);

// Convex hull of 2-D points (Andrew's monotone chain): counter-clockwise,
// no repeated or collinear points; fewer than 3 distinct points come back as given.
std::vector<std::array<double, 2>> convex_hull_2d(const std::vector<std::array<double, 2>>& points);

std::vector<Measurement> measure(const Components& components, const Volume<float>* intensity = nullptr);

}  // namespace medai::imaging
