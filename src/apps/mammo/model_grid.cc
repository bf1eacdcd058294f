#include "apps/mammo/model_grid.h"

#include <algorithm>
#include <cmath>

namespace medai::apps::mammo {

std::array<int, 4> GridMapping::to_source(double x0, double y0, double x1, double y1, int nx, int ny) const {
  auto sx = [&](double x) { return origin_x + x * scale; };
  auto sy = [&](double y) { return origin_y + y * scale; };
  const int a = static_cast<int>(std::floor(sx(x0 - 0.5) + 0.5)), b = static_cast<int>(std::floor(sy(y0 - 0.5) + 0.5));
  const int c = static_cast<int>(std::ceil(sx(x1 + 0.5) - 0.5)), d = static_cast<int>(std::ceil(sy(y1 + 0.5) - 0.5));
  return {std::clamp(a, 0, nx - 1), std::clamp(b, 0, ny - 1), std::clamp(c, 0, nx - 1), std::clamp(d, 0, ny - 1)};
}

imaging::Image2D<float> fit_to_model(const imaging::Image2D<float>& src, int width, int height, GridMapping& map) {
  imaging::Image2D<float> out(width, height, 0.0f);
  map.width = width;
  map.height = height;
  if (src.nx <= 0 || src.ny <= 0 || width <= 0 || height <= 0) return out;
  // Same geometry as the trainer's sample_image: centres aligned, one scale.
  const double fit = std::max(static_cast<double>(src.nx) / width, static_cast<double>(src.ny) / height);
  const double cx = (src.nx - 1) / 2.0, cy = (src.ny - 1) / 2.0;
  const double hx = (width - 1) / 2.0, hy = (height - 1) / 2.0;
  map.scale = fit;
  map.origin_x = cx - hx * fit;
  map.origin_y = cy - hy * fit;
  if (fit > 1.0) {
    // Box average over each output pixel's footprint, separably: rows first
    // into a (ny × width) buffer, then columns.
    std::vector<float> rows(static_cast<std::size_t>(src.ny) * width, 0.0f);
    std::vector<int> x_lo(width), x_hi(width);
    for (int x = 0; x < width; ++x) {
      const double s = map.origin_x + x * fit;
      x_lo[x] = static_cast<int>(std::ceil(s - fit / 2 - 1e-9));
      x_hi[x] = static_cast<int>(std::floor(s + fit / 2 - 1e-9));
    }
    for (int j = 0; j < src.ny; ++j) {
      const float* line = &src.data[static_cast<std::size_t>(j) * src.nx];
      float* o = &rows[static_cast<std::size_t>(j) * width];
      for (int x = 0; x < width; ++x) {
        const int lo = std::max(0, x_lo[x]), hi = std::min(src.nx - 1, x_hi[x]);
        if (hi < lo) continue;
        double acc = 0;
        for (int i = lo; i <= hi; ++i) acc += line[i];
        // Pixels outside the image count as zero (the padding), like the trainer.
        o[x] = static_cast<float>(acc / std::max(1, x_hi[x] - x_lo[x] + 1));
      }
    }
    for (int y = 0; y < height; ++y) {
      const double s = map.origin_y + y * fit;
      const int ylo = static_cast<int>(std::ceil(s - fit / 2 - 1e-9)), yhi = static_cast<int>(std::floor(s + fit / 2 - 1e-9));
      const int lo = std::max(0, ylo), hi = std::min(src.ny - 1, yhi);
      if (hi < lo) continue;
      const double n = std::max(1, yhi - ylo + 1);
      for (int x = 0; x < width; ++x) {
        double acc = 0;
        for (int j = lo; j <= hi; ++j) acc += rows[static_cast<std::size_t>(j) * width + x];
        out.at(x, y) = static_cast<float>(acc / n);
      }
    }
    return out;
  }
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      out.at(x, y) = static_cast<float>(imaging::sample_bilinear(src, map.origin_x + x * fit, map.origin_y + y * fit));
    }
  return out;
}

}  // namespace medai::apps::mammo
