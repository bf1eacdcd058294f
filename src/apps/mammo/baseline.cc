#include "apps/mammo/baseline.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace medai::apps::mammo {
namespace {

constexpr double kGridMm = 0.4;

std::vector<float> gaussian_kernel(double sigma) {
  const int r = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
  std::vector<float> k(static_cast<std::size_t>(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[static_cast<std::size_t>(i + r)] = static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
  for (auto& v : k) v = static_cast<float>(v / sum);
  return k;
}

// Separable blur, edges clamped.
std::vector<float> blur(const std::vector<float>& in, int nx, int ny, double sigma) {
  const auto k = gaussian_kernel(sigma);
  const int r = static_cast<int>(k.size() / 2);
  std::vector<float> tmp(in.size()), out(in.size());
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      double acc = 0;
      for (int d = -r; d <= r; ++d) acc += k[static_cast<std::size_t>(d + r)] * in[static_cast<std::size_t>(y) * nx + std::clamp(x + d, 0, nx - 1)];
      tmp[static_cast<std::size_t>(y) * nx + x] = static_cast<float>(acc);
    }
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      double acc = 0;
      for (int d = -r; d <= r; ++d) acc += k[static_cast<std::size_t>(d + r)] * tmp[static_cast<std::size_t>(std::clamp(y + d, 0, ny - 1)) * nx + x];
      out[static_cast<std::size_t>(y) * nx + x] = static_cast<float>(acc);
    }
  return out;
}

}  // namespace

double max_local_contrast(const imaging::Image2D<float>& img, double pixel_mm) {
  if (img.nx <= 0 || img.ny <= 0) return 0;
  const int f = std::max(1, static_cast<int>(std::lround(kGridMm / std::max(pixel_mm, 1e-3))));
  const int nx = img.nx / f, ny = img.ny / f;
  if (nx < 8 || ny < 8) return 0;
  std::vector<float> g(static_cast<std::size_t>(nx) * ny);
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      double acc = 0;
      for (int j = 0; j < f; ++j)
        for (int i = 0; i < f; ++i) acc += img.at(x * f + i, y * f + j);
      g[static_cast<std::size_t>(y) * nx + x] = static_cast<float>(acc / (f * f));
    }
  const double cell = pixel_mm * f;
  // Breast: brighter than the air background; scored 1.5 mm inside (a min
  // filter of the mask over a square) to skip the skin line itself.
  std::vector<std::uint8_t> mask(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) mask[i] = g[i] > 0.12f;
  const int er = std::max(1, static_cast<int>(std::lround(1.5 / cell)));
  std::vector<std::uint8_t> row_min(mask.size()), inner(mask.size());
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      std::uint8_t m = 1;
      for (int d = -er; d <= er && m; ++d) {
        const int xx = x + d;
        m = xx >= 0 && xx < nx && mask[static_cast<std::size_t>(y) * nx + xx];
      }
      row_min[static_cast<std::size_t>(y) * nx + x] = m;
    }
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      std::uint8_t m = 1;
      for (int d = -er; d <= er && m; ++d) {
        const int yy = y + d;
        m = yy >= 0 && yy < ny && row_min[static_cast<std::size_t>(yy) * nx + x];
      }
      inner[static_cast<std::size_t>(y) * nx + x] = m;
    }
  // Local means over breast pixels only (normalised convolution), so the
  // step from tissue to air at the skin is not a "contrast".
  std::vector<float> gm(g.size()), m(g.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    m[i] = mask[i] ? 1.0f : 0.0f;
    gm[i] = g[i] * m[i];
  }
  auto local_mean = [&](double sigma) {
    auto num = blur(gm, nx, ny, sigma);
    const auto den = blur(m, nx, ny, sigma);
    for (std::size_t i = 0; i < num.size(); ++i) num[i] = den[i] > 1e-3f ? num[i] / den[i] : 0.0f;
    return num;
  };
  const auto fine = local_mean(0.4 / cell), coarse = local_mean(2.4 / cell);
  double best = 0;
  for (std::size_t i = 0; i < g.size(); ++i)
    if (inner[i]) best = std::max(best, static_cast<double>(fine[i] - coarse[i]));
  return best;
}

}  // namespace medai::apps::mammo
