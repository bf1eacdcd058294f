#include "imaging/ops/resample.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

namespace medai::imaging {
namespace {

// Source continuous voxel coordinates of target voxel (i,j,k) are
// base + i*di + j*dj + k*dk (an affine map: both grids are orthonormal frames).
struct Affine {
  Vec3 base, di, dj, dk;
};

template <typename S, typename T>
Affine map_between(const Volume<S>& source, const Volume<T>& target) {
  Affine m;
  const Vec3 o = target.position(0, 0, 0);
  m.base = source.voxel(o);
  auto step = [&](double i, double j, double k) { return source.voxel(target.position(i, j, k)) - m.base; };
  m.di = step(1, 0, 0);
  m.dj = step(0, 1, 0);
  m.dk = step(0, 0, 1);
  return m;
}

template <typename T, typename F>
void parallel_slabs(Volume<T>& out, int threads, F&& body) {
  const int t = std::max(1, std::min(threads, out.nz));
  std::vector<std::thread> pool;
  for (int w = 1; w < t; ++w)
    pool.emplace_back([&, w] {
      for (int k = w; k < out.nz; k += t) body(k);
    });
  for (int k = 0; k < out.nz; k += t) body(k);
  for (auto& th : pool) th.join();
}

bool outside(double c, int n) { return c < -0.5 || c > n - 0.5; }

}  // namespace

Volume<float> resample_to_grid(const Volume<float>& source, const Volume<float>& target_grid,
                               Interpolation interpolation, float fill, int threads) {
  Volume<float> out = target_grid.template like<float>();
  const Affine m = map_between(source, out);
  const int nx = source.nx, ny = source.ny, nz = source.nz;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(nx), sz = static_cast<std::size_t>(nx) * ny;
  const float* src = source.data.data();
  parallel_slabs(out, threads, [&](int k) {
    for (int j = 0; j < out.ny; ++j) {
      const Vec3 row = m.base + m.dj * j + m.dk * k;
      float* dst = out.data.data() + out.index(0, j, k);
      for (int i = 0; i < out.nx; ++i) {
        const Vec3 c = row + m.di * i;
        if (outside(c.x, nx) || outside(c.y, ny) || outside(c.z, nz)) {
          dst[i] = fill;
          continue;
        }
        const double x = std::clamp(c.x, 0.0, nx - 1.0), y = std::clamp(c.y, 0.0, ny - 1.0),
                     z = std::clamp(c.z, 0.0, nz - 1.0);
        if (interpolation == Interpolation::nearest) {
          dst[i] = src[static_cast<std::size_t>(std::lround(z)) * sz + static_cast<std::size_t>(std::lround(y)) * sy +
                       static_cast<std::size_t>(std::lround(x))];
          continue;
        }
        const int x0 = std::min(static_cast<int>(x), nx - 1), y0 = std::min(static_cast<int>(y), ny - 1),
                  z0 = std::min(static_cast<int>(z), nz - 1);
        const int x1 = std::min(x0 + 1, nx - 1), y1 = std::min(y0 + 1, ny - 1), z1 = std::min(z0 + 1, nz - 1);
        const double fx = x - x0, fy = y - y0, fz = z - z0;
        auto v = [&](int a, int b, int cz) { return static_cast<double>(src[cz * sz + b * sy + a * sx]); };
        const double c00 = v(x0, y0, z0) * (1 - fx) + v(x1, y0, z0) * fx;
        const double c10 = v(x0, y1, z0) * (1 - fx) + v(x1, y1, z0) * fx;
        const double c01 = v(x0, y0, z1) * (1 - fx) + v(x1, y0, z1) * fx;
        const double c11 = v(x0, y1, z1) * (1 - fx) + v(x1, y1, z1) * fx;
        dst[i] = static_cast<float>((c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz);
      }
    }
  });
  return out;
}

Volume<std::uint8_t> resample_to_grid(const Volume<std::uint8_t>& source, const Volume<std::uint8_t>& target_grid,
                                      std::uint8_t fill, int threads) {
  Volume<std::uint8_t> out = target_grid.template like<std::uint8_t>();
  const Affine m = map_between(source, out);
  parallel_slabs(out, threads, [&](int k) {
    for (int j = 0; j < out.ny; ++j) {
      const Vec3 row = m.base + m.dj * j + m.dk * k;
      for (int i = 0; i < out.nx; ++i) {
        const Vec3 c = row + m.di * i;
        if (outside(c.x, source.nx) || outside(c.y, source.ny) || outside(c.z, source.nz)) {
          out.at(i, j, k) = fill;
          continue;
        }
        // Round half down consistently so a there-and-back trip is stable.
        auto idx = [](double v, int n) { return std::clamp(static_cast<int>(std::floor(v + 0.5 - 1e-9)), 0, n - 1); };
        out.at(i, j, k) = source.at(idx(c.x, source.nx), idx(c.y, source.ny), idx(c.z, source.nz));
      }
    }
  });
  return out;
}

}  // namespace medai::imaging
