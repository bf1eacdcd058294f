#pragma once
// Image2D<T>: a 2-D grid (projection radiographs: MG, DX). Pixel (i,j) is
// column i, row j; spacing is {column spacing, row spacing} in mm at the
// detector (Imager Pixel Spacing) unless the file gives Pixel Spacing.
#include <array>
#include <cstddef>
#include <vector>

namespace medai::imaging {

template <typename T>
struct Image2D {
  int nx = 0, ny = 0;
  std::array<double, 2> spacing{1, 1};
  std::vector<T> data;

  Image2D() = default;
  Image2D(int nx_, int ny_, T fill = T{}) : nx(nx_), ny(ny_), data(static_cast<std::size_t>(nx_) * ny_, fill) {}
  std::size_t index(int i, int j) const { return static_cast<std::size_t>(j) * nx + i; }
  T& at(int i, int j) { return data[index(i, j)]; }
  const T& at(int i, int j) const { return data[index(i, j)]; }
};

}  // namespace medai::imaging
