#pragma once
// crop_pad: a volume cut or padded to a fixed size (i/j/k voxels), centred on
// the volume or on a bounding box. The result keeps patient geometry (its
// origin moves), and `offset` records where it sits in the source: result
// voxel (i,j,k) is source voxel (i,j,k) + offset (negative = padding), so
// uncrop() puts a result (e.g. a model's label map) back on the source grid.
#include <array>
#include <optional>

#include "imaging/volume.h"

namespace medai::imaging {

struct BoundingBox {
  std::array<int, 3> min{0, 0, 0}, max{0, 0, 0};  // inclusive voxel indices
};

template <typename T>
struct Cropped {
  Volume<T> volume;
  std::array<int, 3> offset{0, 0, 0};
};

// `size` components <= 0 keep that axis unchanged. Padding takes `pad_value`.
template <typename T>
Cropped<T> crop_pad(const Volume<T>& source, std::array<int, 3> size, T pad_value = T{},
                    const std::optional<BoundingBox>& around = std::nullopt) {
  const int n[3] = {source.nx, source.ny, source.nz};
  Cropped<T> out;
  for (int a = 0; a < 3; ++a) {
    if (size[a] <= 0) size[a] = n[a];
    // Centre of the region to keep, in doubled voxel units to stay exact; the
    // kept region's doubled centre is 2*offset + size - 1. When it cannot be
    // matched exactly the region sits half a voxel lower (floor: >> on a
    // negative int is an arithmetic shift in C++20).
    const int centre2 = around ? around->min[a] + around->max[a] : n[a] - 1;
    out.offset[a] = (centre2 - size[a] + 1) >> 1;
  }
  out.volume = source.template like<T>(pad_value);
  out.volume.nx = size[0];
  out.volume.ny = size[1];
  out.volume.nz = size[2];
  out.volume.data.assign(static_cast<std::size_t>(size[0]) * size[1] * size[2], pad_value);
  const Vec3 o = source.position(out.offset[0], out.offset[1], out.offset[2]);
  out.volume.origin = {o.x, o.y, o.z};
  for (int k = 0; k < size[2]; ++k) {
    const int sk = k + out.offset[2];
    if (sk < 0 || sk >= n[2]) continue;
    for (int j = 0; j < size[1]; ++j) {
      const int sj = j + out.offset[1];
      if (sj < 0 || sj >= n[1]) continue;
      for (int i = 0; i < size[0]; ++i) {
        const int si = i + out.offset[0];
        if (si >= 0 && si < n[0]) out.volume.at(i, j, k) = source.at(si, sj, sk);
      }
    }
  }
  return out;
}

// The inverse: `cropped` placed on the grid of `original` (voxels it does not
// cover take `fill`).
template <typename T, typename G>
Volume<T> uncrop(const Volume<T>& cropped, const std::array<int, 3>& offset, const Volume<G>& original, T fill = T{}) {
  Volume<T> out = original.template like<T>(fill);
  for (int k = 0; k < cropped.nz; ++k) {
    const int sk = k + offset[2];
    if (sk < 0 || sk >= out.nz) continue;
    for (int j = 0; j < cropped.ny; ++j) {
      const int sj = j + offset[1];
      if (sj < 0 || sj >= out.ny) continue;
      for (int i = 0; i < cropped.nx; ++i) {
        const int si = i + offset[0];
        if (si >= 0 && si < out.nx) out.at(si, sj, sk) = cropped.at(i, j, k);
      }
    }
  }
  return out;
}

}  // namespace medai::imaging
