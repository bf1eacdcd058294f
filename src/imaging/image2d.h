#pragma once
// Image2D<T>: a 2-D grid (projection radiographs: MG, DX). Pixel (i,j) is
// column i, row j; spacing is {column spacing, row spacing} in mm at the
// detector (Imager Pixel Spacing) unless the file gives Pixel Spacing.
#include <array>
#include <cmath>
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

// Bilinear interpolation at (x, y) in pixel units (pixel (i, j) at integer
// coordinates); pixels outside the image count as 0.
template <typename T>
double sample_bilinear(const Image2D<T>& img, double x, double y) {
  const int i0 = static_cast<int>(std::floor(x)), j0 = static_cast<int>(std::floor(y));
  const double fx = x - i0, fy = y - j0;
  double acc = 0;
  for (int dj = 0; dj < 2; ++dj)
    for (int di = 0; di < 2; ++di) {
      const int i = i0 + di, j = j0 + dj;
      if (i < 0 || j < 0 || i >= img.nx || j >= img.ny) continue;
      acc += (di ? fx : 1 - fx) * (dj ? fy : 1 - fy) * static_cast<double>(img.at(i, j));
    }
  return acc;
}

}  // namespace medai::imaging
