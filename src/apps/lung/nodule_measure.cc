#include "apps/lung/nodule_measure.h"

#include <algorithm>
#include <cmath>

#include "apps/lung/lung_mask.h"
#include "imaging/ops/measure.h"

namespace medai::apps::lung {
namespace {

struct Roi {
  int i0, j0, k0, nx, ny, nz;
  std::size_t index(int i, int j, int k) const { return (static_cast<std::size_t>(k) * ny + j) * nx + i; }
  bool inside(int i, int j, int k) const { return i >= 0 && j >= 0 && k >= 0 && i < nx && j < ny && k < nz; }
};

double median(std::vector<float> v) {
  if (v.empty()) return 0;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// 26-connected component of `in` (1) containing `seed`, written as 1 into `out`.
void grow(const std::vector<std::uint8_t>& in, const Roi& r, std::size_t seed, std::vector<std::uint8_t>& out) {
  out.assign(in.size(), 0);
  if (!in[seed]) return;
  std::vector<std::size_t> stack{seed};
  out[seed] = 1;
  while (!stack.empty()) {
    const std::size_t idx = stack.back();
    stack.pop_back();
    const int i = static_cast<int>(idx % r.nx), j = static_cast<int>((idx / r.nx) % r.ny),
              k = static_cast<int>(idx / (static_cast<std::size_t>(r.nx) * r.ny));
    for (int dk = -1; dk <= 1; ++dk)
      for (int dj = -1; dj <= 1; ++dj)
        for (int di = -1; di <= 1; ++di) {
          if (!r.inside(i + di, j + dj, k + dk)) continue;
          const std::size_t n = r.index(i + di, j + dj, k + dk);
          if (in[n] && !out[n]) {
            out[n] = 1;
            stack.push_back(n);
          }
        }
  }
}

// Unit vectors spread over the sphere (Fibonacci lattice).
std::vector<std::array<double, 3>> ray_directions(int n) {
  std::vector<std::array<double, 3>> dirs;
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  for (int t = 0; t < n; ++t) {
    const double z = 1.0 - 2.0 * (t + 0.5) / n, r = std::sqrt(1 - z * z), a = golden * t;
    dirs.push_back({r * std::cos(a), r * std::sin(a), z});
  }
  return dirs;
}

// Marks in `allowed` (ROI-sized) the voxels inside the convex hull of any
// 2-D lung component of the slice (LungMask::hulls), slice by slice.
void lung_hulls(const LungMask& lungs, const Roi& r, std::vector<std::uint8_t>& allowed) {
  allowed.assign(static_cast<std::size_t>(r.nx) * r.ny * r.nz, 0);
  for (int k = 0; k < r.nz; ++k) {
    const auto& hulls = lungs.hulls[static_cast<std::size_t>(r.k0 + k)];
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i)
        for (const auto& h : hulls)
          if (inside_convex_hull(h, r.i0 + i, r.j0 + j)) {
            allowed[r.index(i, j, k)] = 1;
            break;
          }
  }
}

}  // namespace

NoduleMeasurement measure_nodule(const imaging::Volume<float>& hu, const imaging::Vec3& centre_mm,
                                 const LungMask* lungs) {
  NoduleMeasurement m;
  const imaging::Vec3 cv = hu.voxel(centre_mm);
  const double half_mm = 22.0;
  const int hx = static_cast<int>(std::ceil(half_mm / hu.spacing[0])), hy = static_cast<int>(std::ceil(half_mm / hu.spacing[1])),
            hz = static_cast<int>(std::ceil(half_mm / hu.spacing[2]));
  const int ci = static_cast<int>(std::lround(cv.x)), cj = static_cast<int>(std::lround(cv.y)),
            ck = static_cast<int>(std::lround(cv.z));
  if (ci < 0 || cj < 0 || ck < 0 || ci >= hu.nx || cj >= hu.ny || ck >= hu.nz) return m;
  Roi r;
  r.i0 = std::max(0, ci - hx);
  r.j0 = std::max(0, cj - hy);
  r.k0 = std::max(0, ck - hz);
  r.nx = std::min(hu.nx - 1, ci + hx) - r.i0 + 1;
  r.ny = std::min(hu.ny - 1, cj + hy) - r.j0 + 1;
  r.nz = std::min(hu.nz - 1, ck + hz) - r.k0 + 1;
  const std::size_t n = static_cast<std::size_t>(r.nx) * r.ny * r.nz;
  std::vector<float> v(n);
  for (int k = 0; k < r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i) v[r.index(i, j, k)] = hu.at(r.i0 + i, r.j0 + j, r.k0 + k);
  // 1. Lung background.
  std::vector<float> lung;
  for (float x : v)
    if (x > -980.0f && x < -600.0f) lung.push_back(x);
  const double bg = lung.size() > 50 ? median(lung) : -850.0;
  // Seed: brightest voxel within 2 mm of the centre.
  const int sx = std::max(1, static_cast<int>(std::lround(2.0 / hu.spacing[0]))),
            sz = std::max(0, static_cast<int>(std::lround(2.0 / hu.spacing[2])));
  std::size_t seed = r.index(ci - r.i0, cj - r.j0, ck - r.k0);
  for (int dk = -sz; dk <= sz; ++dk)
    for (int dj = -sx; dj <= sx; ++dj)
      for (int di = -sx; di <= sx; ++di) {
        const int i = ci - r.i0 + di, j = cj - r.j0 + dj, k = ck - r.k0 + dk;
        if (!r.inside(i, j, k)) continue;
        if (v[r.index(i, j, k)] > v[seed]) seed = r.index(i, j, k);
      }
  // 2. Half-maximum region.
  const double t0 = bg + 200.0;
  if (v[seed] < t0) return m;
  std::vector<std::uint8_t> allowed;
  if (lungs && lungs->mask.same_grid(hu) && lungs->hulls.size() == static_cast<std::size_t>(hu.nz)) {
    lung_hulls(*lungs, r, allowed);
    if (allowed[seed])
      for (std::size_t i = 0; i < n; ++i)
        if (!allowed[i]) v[i] = -1000.0f;  // outside the thoracic cavity: never nodule
  }
  std::vector<std::uint8_t> above0(n), region0;
  for (std::size_t i = 0; i < n; ++i) above0[i] = v[i] >= t0;
  grow(above0, r, seed, region0);
  std::vector<float> inside;
  // Level from the voxels near the centre (within 6 mm) so a vessel or the
  // chest wall joined to the region does not set it.
  const int seed_i = static_cast<int>(seed % r.nx), seed_j = static_cast<int>((seed / r.nx) % r.ny),
            seed_k = static_cast<int>(seed / (static_cast<std::size_t>(r.nx) * r.ny));
  for (int k = 0; k < r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i) {
        const std::size_t idx = r.index(i, j, k);
        if (!region0[idx]) continue;
        const double dx = (i - seed_i) * hu.spacing[0], dy = (j - seed_j) * hu.spacing[1], dz = (k - seed_k) * hu.spacing[2];
        if (dx * dx + dy * dy + dz * dz <= 36.0) inside.push_back(v[idx]);
      }
  // Nodule level: the 90th percentile near the centre (the plateau, not the
  // partial-volume rim).
  double level = t0;
  if (!inside.empty()) {
    auto p90 = inside.begin() + static_cast<std::ptrdiff_t>(inside.size() * 9 / 10);
    std::nth_element(inside.begin(), p90, inside.end());
    level = *p90;
  }
  const auto dirs = ray_directions(64);
  // Region above `t` joined to the seed: opened in-plane by a ~3 mm square
  // (detaches vessels thinner than that; a nodule too small to survive keeps
  // its unopened region), then clipped by a sphere from the ray profile
  // (attached vessels and chest wall off), re-centred twice.
  auto segment = [&](double t) {
    std::vector<std::uint8_t> above(n), region;
    for (std::size_t i = 0; i < n; ++i) above[i] = v[i] >= t;
    above[seed] = 1;
    imaging::Volume<std::uint8_t> opened(r.nx, r.ny, r.nz);
    opened.data = above;
    const int rad = std::max(1, static_cast<int>(std::lround(1.5 / hu.spacing[0])));
    erode_in_plane(opened, rad);
    dilate_in_plane(opened, rad);
    if (opened.data[seed]) grow(opened.data, r, seed, region);
    else grow(above, r, seed, region);
    double cx = seed_i, cy = seed_j, cz = seed_k;
    std::vector<std::uint8_t> clipped = region;
    for (int pass = 0; pass < 2; ++pass) {
      std::vector<double> lengths;
      const double step = 0.25;
      for (const auto& d : dirs) {
        double len = 0;
        for (double s = step; s <= half_mm; s += step) {
          const int i = static_cast<int>(std::lround(cx + d[0] * s / hu.spacing[0])),
                    j = static_cast<int>(std::lround(cy + d[1] * s / hu.spacing[1])),
                    k = static_cast<int>(std::lround(cz + d[2] * s / hu.spacing[2]));
          if (!r.inside(i, j, k) || !region[r.index(i, j, k)]) break;
          len = s;
        }
        lengths.push_back(len);
      }
      std::nth_element(lengths.begin(), lengths.begin() + 32, lengths.end());
      const double radius = 1.15 * lengths[32] + 0.5 * std::max(hu.spacing[0], hu.spacing[2]);
      std::vector<std::uint8_t> in_ball(n, 0);
      for (int k = 0; k < r.nz; ++k)
        for (int j = 0; j < r.ny; ++j)
          for (int i = 0; i < r.nx; ++i) {
            const std::size_t idx = r.index(i, j, k);
            const double dx = (i - cx) * hu.spacing[0], dy = (j - cy) * hu.spacing[1], dz = (k - cz) * hu.spacing[2];
            in_ball[idx] = region[idx] && dx * dx + dy * dy + dz * dz <= radius * radius;
          }
      in_ball[seed] = 1;
      grow(in_ball, r, seed, clipped);
      double sx2 = 0, sy2 = 0, sz2 = 0, cnt = 0;
      for (int k = 0; k < r.nz; ++k)
        for (int j = 0; j < r.ny; ++j)
          for (int i = 0; i < r.nx; ++i)
            if (clipped[r.index(i, j, k)]) sx2 += i, sy2 += j, sz2 += k, ++cnt;
      if (cnt == 0) break;
      cx = sx2 / cnt;
      cy = sy2 / cnt;
      cz = sz2 / cnt;
    }
    return clipped;
  };
  // Cut at the half-maximum of a ground-glass level first (a part-solid
  // nodule's extent is its ground-glass rim); a nodule that is mostly solid
  // is then cut again at its own half-maximum (no partial-volume halo).
  std::vector<std::uint8_t> clipped = segment(std::max(t0, bg + 0.5 * (std::min(level, -400.0) - bg)));
  {
    double solid_voxels = 0, all = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (clipped[i]) ++all, solid_voxels += v[i] >= kSolidHu;
    if (all > 0 && solid_voxels / all >= kSolidFraction && level > -400.0)
      clipped = segment(std::max(t0, bg + 0.5 * (level - bg)));
  }
  // 4. Measure.
  double sum = 0, solid = 0;
  double mx = 0, my = 0, mz = 0;
  std::vector<std::uint8_t> solid_mask(n, 0);
  for (int k = 0; k < r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i) {
        const std::size_t idx = r.index(i, j, k);
        if (!clipped[idx]) continue;
        ++m.voxels;
        sum += v[idx];
        mx += i, my += j, mz += k;
        if (v[idx] >= kSolidHu) {
          ++solid;
          solid_mask[idx] = 1;
        }
        m.voxel_indices.push_back(hu.index(r.i0 + i, r.j0 + j, r.k0 + k));
      }
  if (m.voxels == 0) return m;
  m.found = true;
  const double c = static_cast<double>(m.voxels);
  m.centre = hu.position(r.i0 + mx / c, r.j0 + my / c, r.k0 + mz / c);
  m.centre_voxel = {r.i0 + static_cast<int>(std::lround(mx / c)), r.j0 + static_cast<int>(std::lround(my / c)),
                    r.k0 + static_cast<int>(std::lround(mz / c))};
  m.volume_mm3 = c * hu.spacing[0] * hu.spacing[1] * hu.spacing[2];
  m.mean_hu = sum / c;
  m.solid_fraction = solid / c;
  const std::size_t plane = static_cast<std::size_t>(r.nx) * r.ny;
  for (int k = 0; k < r.nz; ++k) {
    const imaging::AxisPair ax = imaging::measure_axes(clipped.data() + k * plane, r.nx, r.ny, hu.spacing[0], hu.spacing[1]);
    if (ax.long_mm > m.long_axis_mm) {
      m.long_axis_mm = ax.long_mm;
      m.short_axis_mm = ax.short_mm;
      m.axis_slice = r.k0 + k;
      for (int e = 0; e < 2; ++e) {
        m.long_axis_ends[e] = hu.position(r.i0 + ax.long_ends[e][0], r.j0 + ax.long_ends[e][1], r.k0 + k);
        m.short_axis_ends[e] = hu.position(r.i0 + ax.short_ends[e][0], r.j0 + ax.short_ends[e][1], r.k0 + k);
      }
    }
  }
  // Solid component: its largest in-plane extent.
  std::vector<std::uint8_t> core;
  if (solid > 0) {
    std::size_t core_seed = 0;
    double best = -1e9;
    for (std::size_t i = 0; i < n; ++i)
      if (solid_mask[i] && v[i] > best) best = v[i], core_seed = i;
    grow(solid_mask, r, core_seed, core);
    for (int k = 0; k < r.nz; ++k) {
      const imaging::AxisPair ax = imaging::measure_axes(core.data() + k * plane, r.nx, r.ny, hu.spacing[0], hu.spacing[1]);
      if (ax.long_mm > m.solid_long_axis_mm) {
        m.solid_long_axis_mm = ax.long_mm;
        m.solid_short_axis_mm = ax.short_mm;
      }
    }
  }
  if (m.solid_fraction >= kSolidFraction) m.type = NoduleType::solid;
  else if (m.solid_long_axis_mm >= kMinCoreMm) m.type = NoduleType::part_solid;
  else m.type = NoduleType::ground_glass;
  if (m.type == NoduleType::solid) {
    m.solid_long_axis_mm = m.long_axis_mm;
    m.solid_short_axis_mm = m.short_axis_mm;
  }
  return m;
}

}  // namespace medai::apps::lung
