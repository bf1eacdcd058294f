#pragma once
// resample: a volume onto another grid of the same orientation.
// Images use trilinear interpolation, labels nearest neighbour. Grids follow
// the "voxel = cell" convention: a volume of n voxels at spacing s covers
// n*s mm edge to edge, and resampling to spacing s' keeps that extent
// (n' = max(1, round(n*s/s')), the new grid centred on the old one, so the
// extent differs by less than one new voxel). Resampling back to the original grid
// (resample_to_grid with the source's geometry) is the inverse up to
// interpolation error. Samples within half a voxel outside the source are
// clamped to the edge voxel; farther out they take `fill`.
#include <array>
#include <cstdint>

#include "imaging/volume.h"

namespace medai::imaging {

enum class Interpolation { linear, nearest };

// The grid (no data) covering `source`'s extent at `spacing` (mm, i/j/k order).
template <typename T>
Volume<T> grid_for_spacing(const Volume<T>& source, const std::array<double, 3>& spacing) {
  Volume<T> g;
  int n[3] = {source.nx, source.ny, source.nz};
  double shift[3];
  for (int a = 0; a < 3; ++a) {
    const double extent = n[a] * source.spacing[a];
    int m = static_cast<int>(extent / spacing[a] + 0.5);
    if (m < 1) m = 1;
    n[a] = m;
    // Centre of the new extent on the centre of the old one.
    shift[a] = (extent - m * spacing[a]) / 2 - source.spacing[a] / 2 + spacing[a] / 2;
  }
  g.nx = n[0];
  g.ny = n[1];
  g.nz = n[2];
  g.spacing = spacing;
  g.direction = source.direction;
  const Vec3 o = Vec3{source.origin[0], source.origin[1], source.origin[2]} + source.axis(0) * shift[0] +
                 source.axis(1) * shift[1] + source.axis(2) * shift[2];
  g.origin = {o.x, o.y, o.z};
  return g;
}

// Resamples `source` onto the geometry of `target_grid` (its data is ignored
// and replaced). Threads: up to `threads` slabs in parallel.
Volume<float> resample_to_grid(const Volume<float>& source, const Volume<float>& target_grid,
                               Interpolation interpolation = Interpolation::linear, float fill = 0, int threads = 2);
Volume<std::uint8_t> resample_to_grid(const Volume<std::uint8_t>& source, const Volume<std::uint8_t>& target_grid,
                                      std::uint8_t fill = 0, int threads = 2);

inline Volume<float> resample_to_spacing(const Volume<float>& source, const std::array<double, 3>& spacing,
                                         Interpolation interpolation = Interpolation::linear, float fill = 0,
                                         int threads = 2) {
  return resample_to_grid(source, grid_for_spacing(source, spacing), interpolation, fill, threads);
}
inline Volume<std::uint8_t> resample_to_spacing(const Volume<std::uint8_t>& source,
                                                const std::array<double, 3>& spacing, int threads = 2) {
  return resample_to_grid(source, grid_for_spacing(source, spacing), 0, threads);
}

}  // namespace medai::imaging
