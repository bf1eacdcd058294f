#include "imaging/ops/resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/parallel.h"

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
  parallel_for(static_cast<std::size_t>(std::max(out.nz, 0)), threads,
               [&](std::size_t k) { body(static_cast<int>(k)); });
}

bool outside(double c, int n) { return c < -0.5 || c > n - 0.5; }

// Per-axis sample tables for the common case of grids that share their
// direction (the map is then diagonal): each output index maps to a lower
// source index, a weight and an inside flag, computed once per axis.
struct AxisTable {
  std::vector<int> lo, hi;
  std::vector<float> f;
  std::vector<char> inside;
};

AxisTable axis_table(double base, double step, int count, int n) {
  AxisTable t;
  for (int o = 0; o < count; ++o) {
    const double c = base + step * o;
    t.inside.push_back(!outside(c, n));
    const double x = std::clamp(c, 0.0, n - 1.0);
    const int x0 = std::min(static_cast<int>(x), n - 1);
    t.lo.push_back(x0);
    t.hi.push_back(std::min(x0 + 1, n - 1));
    t.f.push_back(static_cast<float>(x - x0));
  }
  return t;
}

bool diagonal(const Affine& m) {
  const double e = 1e-9;
  return std::fabs(m.di.y) < e && std::fabs(m.di.z) < e && std::fabs(m.dj.x) < e && std::fabs(m.dj.z) < e &&
         std::fabs(m.dk.x) < e && std::fabs(m.dk.y) < e;
}

}  // namespace

Volume<float> resample_to_grid(const Volume<float>& source, const Volume<float>& target_grid,
                               Interpolation interpolation, float fill, int threads) {
  Volume<float> out = target_grid.template like<float>();
  const Affine m = map_between(source, out);
  const int nx = source.nx, ny = source.ny, nz = source.nz;
  const std::size_t sx = 1, sy = static_cast<std::size_t>(nx), sz = static_cast<std::size_t>(nx) * ny;
  const float* src = source.data.data();
  if (interpolation == Interpolation::linear && diagonal(m)) {
    const AxisTable tx = axis_table(m.base.x, m.di.x, out.nx, nx), ty = axis_table(m.base.y, m.dj.y, out.ny, ny),
                     tz = axis_table(m.base.z, m.dk.z, out.nz, nz);
    parallel_slabs(out, threads, [&](int k) {
      const float fz = tz.f[k];
      const float* z0 = src + tz.lo[k] * sz;
      const float* z1 = src + tz.hi[k] * sz;
      for (int j = 0; j < out.ny; ++j) {
        float* dst = out.data.data() + out.index(0, j, k);
        if (!tz.inside[k] || !ty.inside[j]) {
          std::fill(dst, dst + out.nx, fill);
          continue;
        }
        const float fy = ty.f[j];
        const float* r00 = z0 + ty.lo[j] * sy;
        const float* r10 = z0 + ty.hi[j] * sy;
        const float* r01 = z1 + ty.lo[j] * sy;
        const float* r11 = z1 + ty.hi[j] * sy;
        for (int i = 0; i < out.nx; ++i) {
          if (!tx.inside[i]) {
            dst[i] = fill;
            continue;
          }
          const int a = tx.lo[i], b = tx.hi[i];
          const float fx = tx.f[i];
          const float c00 = r00[a] + (r00[b] - r00[a]) * fx, c10 = r10[a] + (r10[b] - r10[a]) * fx;
          const float c01 = r01[a] + (r01[b] - r01[a]) * fx, c11 = r11[a] + (r11[b] - r11[a]) * fx;
          const float c0 = c00 + (c10 - c00) * fy, c1 = c01 + (c11 - c01) * fy;
          dst[i] = c0 + (c1 - c0) * fz;
        }
      }
    });
    return out;
  }
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
