#include "apps/lung/lung_mask.h"

#include <algorithm>
#include <vector>

#include "imaging/ops/connected_components.h"
#include "imaging/ops/measure.h"
#include "imaging/ops/slice_fill.h"

namespace medai::apps::lung {
namespace {


// One pass along rows (dx = 1) or columns: out = 1 where the count of ones
// in the window [x - r, x + r] equals the window size (erode) or is > 0 (dilate).
void pass_1d(std::uint8_t* s, int nx, int ny, int r, bool along_x, bool erode, std::vector<std::uint8_t>& line) {
  const int len = along_x ? nx : ny, lines = along_x ? ny : nx;
  line.resize(static_cast<std::size_t>(len));
  for (int l = 0; l < lines; ++l) {
    auto at = [&](int t) -> std::uint8_t& { return along_x ? s[l * nx + t] : s[t * nx + l]; };
    for (int t = 0; t < len; ++t) line[static_cast<std::size_t>(t)] = at(t) ? 1 : 0;
    int count = 0;
    for (int t = 0; t < std::min(r, len); ++t) count += line[static_cast<std::size_t>(t)];
    for (int t = 0; t < len; ++t) {
      if (t + r < len) count += line[static_cast<std::size_t>(t + r)];
      if (t - r - 1 >= 0) count -= line[static_cast<std::size_t>(t - r - 1)];
      at(t) = erode ? (count == 2 * r + 1) : (count > 0);
    }
  }
}

void morph_in_plane(imaging::Volume<std::uint8_t>& mask, int r, bool erode) {
  if (r <= 0) return;
  std::vector<std::uint8_t> line;
  for (int k = 0; k < mask.nz; ++k) {
    pass_1d(mask.slice(k), mask.nx, mask.ny, r, true, erode, line);
    pass_1d(mask.slice(k), mask.nx, mask.ny, r, false, erode, line);
  }
}

double cross(const std::array<double, 2>& o, const std::array<double, 2>& a, const std::array<double, 2>& b) {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}


// Hulls of the 4-connected components of one mask slice (components of at
// least 20 pixels).
std::vector<std::vector<std::array<double, 2>>> slice_hulls(const std::uint8_t* s, int nx, int ny) {
  std::vector<std::vector<std::array<double, 2>>> out;
  std::vector<std::uint8_t> seen(static_cast<std::size_t>(nx) * ny, 0);
  std::vector<int> row_min(static_cast<std::size_t>(ny)), row_max(static_cast<std::size_t>(ny));
  std::vector<std::size_t> stack;
  for (std::size_t start = 0; start < seen.size(); ++start) {
    if (!s[start] || seen[start]) continue;
    std::fill(row_min.begin(), row_min.end(), nx);
    std::fill(row_max.begin(), row_max.end(), -1);
    std::size_t count = 0;
    stack.assign(1, start);
    seen[start] = 1;
    while (!stack.empty()) {
      const std::size_t idx = stack.back();
      stack.pop_back();
      ++count;
      const int i = static_cast<int>(idx % nx), j = static_cast<int>(idx / nx);
      row_min[static_cast<std::size_t>(j)] = std::min(row_min[static_cast<std::size_t>(j)], i);
      row_max[static_cast<std::size_t>(j)] = std::max(row_max[static_cast<std::size_t>(j)], i);
      const int ni[4] = {i - 1, i + 1, i, i}, nj[4] = {j, j, j - 1, j + 1};
      for (int t = 0; t < 4; ++t) {
        if (ni[t] < 0 || nj[t] < 0 || ni[t] >= nx || nj[t] >= ny) continue;
        const std::size_t nb = static_cast<std::size_t>(nj[t]) * nx + ni[t];
        if (s[nb] && !seen[nb]) {
          seen[nb] = 1;
          stack.push_back(nb);
        }
      }
    }
    if (count < 20) continue;
    std::vector<std::array<double, 2>> pts;
    for (int j = 0; j < ny; ++j)
      if (row_max[static_cast<std::size_t>(j)] >= 0) {
        const double lo = row_min[static_cast<std::size_t>(j)] - 0.5, hi = row_max[static_cast<std::size_t>(j)] + 0.5;
        pts.push_back({lo, j - 0.5});
        pts.push_back({lo, j + 0.5});
        pts.push_back({hi, j - 0.5});
        pts.push_back({hi, j + 0.5});
      }
    out.push_back(imaging::convex_hull_2d(pts));
  }
  return out;
}

}  // namespace

bool inside_convex_hull(const std::vector<std::array<double, 2>>& h, double x, double y) {
  if (h.size() < 3) return false;
  for (std::size_t i = 0; i < h.size(); ++i)
    if (cross(h[i], h[(i + 1) % h.size()], {x, y}) < -1e-9) return false;
  return true;
}

void erode_in_plane(imaging::Volume<std::uint8_t>& mask, int r) { morph_in_plane(mask, r, true); }
void dilate_in_plane(imaging::Volume<std::uint8_t>& mask, int r) { morph_in_plane(mask, r, false); }


LungMask compute_lung_mask(const imaging::Volume<float>& hu) {
  LungMask out;
  // Air (1) vs tissue (0); per slice the air reachable from the border
  // (outside the patient) is removed.
  imaging::Volume<std::uint8_t> air = hu.like<std::uint8_t>();
  for (std::size_t i = 0; i < hu.data.size(); ++i) air.data[i] = hu.data[i] < -400.0f ? 1 : 0;
  for (int k = 0; k < air.nz; ++k) {
    std::uint8_t* s = air.slice(k);
    imaging::flood_from_border(s, air.nx, air.ny, 1, 2);
    const std::size_t n = static_cast<std::size_t>(air.nx) * air.ny;
    for (std::size_t i = 0; i < n; ++i) s[i] = s[i] == 1 ? 1 : 0;
  }
  imaging::ComponentOptions co;
  co.connectivity = 6;
  co.min_voxels = 1;
  const imaging::Components comps = imaging::connected_components(air, co);
  const double voxel_ml = hu.spacing[0] * hu.spacing[1] * hu.spacing[2] / 1000.0;
  // Mean HU per component: lung parenchyma is -950..-700 on average; gas
  // (bowel, the table's foam core, outside air trapped by the table) is
  // below -940.
  std::vector<double> sum(comps.stats.size() + 1, 0.0);
  for (std::size_t i = 0; i < hu.data.size(); ++i)
    if (const int id = comps.labels.data[i]; id > 0) sum[static_cast<std::size_t>(id)] += hu.data[i];
  std::vector<bool> candidate(comps.stats.size() + 1, false), keep(comps.stats.size() + 1, false);
  double largest = 0;
  for (const auto& c : comps.stats) {
    const double mean = sum[static_cast<std::size_t>(c.id)] / static_cast<double>(std::max<std::int64_t>(1, c.voxels));
    candidate[static_cast<std::size_t>(c.id)] = mean > -940.0 && c.volume_mm3 * 1e-3 >= 50.0 && voxel_ml > 0;
    if (candidate[static_cast<std::size_t>(c.id)]) largest = std::max(largest, c.volume_mm3);
  }
  // Lungs (and the airways joined to them) are the big components.
  for (const auto& c : comps.stats)
    keep[static_cast<std::size_t>(c.id)] = candidate[static_cast<std::size_t>(c.id)] && c.volume_mm3 >= 0.15 * largest;
  out.mask = hu.like<std::uint8_t>();
  for (std::size_t i = 0; i < hu.data.size(); ++i) {
    const int id = comps.labels.data[i];
    out.mask.data[i] = id > 0 && keep[static_cast<std::size_t>(id)] && hu.data[i] >= -950.0f ? 1 : 0;
  }
  imaging::fill_holes_per_slice(out.mask);
  out.hulls.resize(static_cast<std::size_t>(out.mask.nz));
  for (int k = 0; k < out.mask.nz; ++k)
    out.hulls[static_cast<std::size_t>(k)] = slice_hulls(out.mask.slice(k), out.mask.nx, out.mask.ny);
  int k_lo = -1, k_hi = -1;
  for (int k = 0; k < out.mask.nz; ++k) {
    const std::uint8_t* s = out.mask.slice(k);
    const std::int64_t count = std::count(s, s + static_cast<std::size_t>(out.mask.nx) * out.mask.ny, 1);
    out.voxels += count;
    if (count > 0) {
      if (k_lo < 0) k_lo = k;
      k_hi = k;
    }
  }
  if (k_lo >= 0) {
    const double za = hu.position(0, 0, k_lo).z, zb = hu.position(0, 0, k_hi).z;
    out.z_min = std::min(za, zb);
    out.z_max = std::max(za, zb);
  }
  return out;
}

}  // namespace medai::apps::lung
