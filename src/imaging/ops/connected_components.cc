#include "imaging/ops/connected_components.h"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace medai::imaging {
namespace {

// Union-find with path halving; provisional labels are voxel-run ids.
struct DisjointSets {
  std::vector<std::int32_t> parent;
  std::int32_t make() {
    parent.push_back(static_cast<std::int32_t>(parent.size()));
    return parent.back();
  }
  std::int32_t find(std::int32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::int32_t a, std::int32_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

}  // namespace

Components connected_components(const Volume<std::uint8_t>& mask, const ComponentOptions& o, const Volume<float>* score) {
  Components out;
  out.labels = mask.like<std::int32_t>(0);
  Volume<std::int32_t>& lab = out.labels;
  // Backward neighbours (already visited in raster order) for the connectivity.
  std::vector<std::array<int, 3>> back;
  for (int dk = -1; dk <= 0; ++dk)
    for (int dj = -1; dj <= 1; ++dj)
      for (int di = -1; di <= 1; ++di) {
        if (dk == 0 && (dj > 0 || (dj == 0 && di >= 0))) continue;
        const int order = std::abs(di) + std::abs(dj) + std::abs(dk);
        if ((o.connectivity == 6 && order > 1) || (o.connectivity == 18 && order > 2)) continue;
        back.push_back({di, dj, dk});
      }
  DisjointSets sets;
  sets.make();  // 0 = background
  for (int k = 0; k < mask.nz; ++k)
    for (int j = 0; j < mask.ny; ++j)
      for (int i = 0; i < mask.nx; ++i) {
        const std::uint8_t v = mask.at(i, j, k);
        if (!v) continue;
        std::int32_t mine = 0;
        for (const auto& d : back) {
          const int a = i + d[0], b = j + d[1], c = k + d[2];
          if (a < 0 || b < 0 || c < 0 || a >= mask.nx || b >= mask.ny) continue;
          const std::int32_t other = lab.at(a, b, c);
          if (!other || (o.per_label && mask.at(a, b, c) != v)) continue;
          if (!mine)
            mine = other;
          else
            sets.unite(mine, other);
        }
        lab.at(i, j, k) = mine ? mine : sets.make();
      }
  // Resolve roots and gather statistics.
  const std::size_t roots = sets.parent.size();
  std::vector<ComponentStats> acc(roots);
  std::vector<double> sx(roots), sy(roots), sz(roots), ssum(roots);
  std::vector<float> smax(roots, -std::numeric_limits<float>::infinity());
  std::vector<std::size_t> first(roots, SIZE_MAX);
  for (int k = 0; k < mask.nz; ++k)
    for (int j = 0; j < mask.ny; ++j)
      for (int i = 0; i < mask.nx; ++i) {
        std::int32_t& l = lab.at(i, j, k);
        if (!l) continue;
        l = sets.find(l);
        ComponentStats& s = acc[l];
        if (s.voxels == 0) {
          s.box.min = s.box.max = {i, j, k};
          s.label = mask.at(i, j, k);
          first[l] = lab.index(i, j, k);
        }
        ++s.voxels;
        s.box.min = {std::min(s.box.min[0], i), std::min(s.box.min[1], j), std::min(s.box.min[2], k)};
        s.box.max = {std::max(s.box.max[0], i), std::max(s.box.max[1], j), std::max(s.box.max[2], k)};
        sx[l] += i, sy[l] += j, sz[l] += k;
        if (score) {
          const float v = score->at(i, j, k);
          ssum[l] += v;
          smax[l] = std::max(smax[l], v);
        }
      }
  std::vector<std::int32_t> keep;
  for (std::size_t r = 1; r < roots; ++r)
    if (acc[r].voxels > 0 && acc[r].voxels >= o.min_voxels) keep.push_back(static_cast<std::int32_t>(r));
  std::sort(keep.begin(), keep.end(), [&](std::int32_t a, std::int32_t b) {
    return acc[a].voxels != acc[b].voxels ? acc[a].voxels > acc[b].voxels : first[a] < first[b];
  });
  if (o.max_components > 0 && keep.size() > static_cast<std::size_t>(o.max_components)) keep.resize(o.max_components);
  std::vector<std::int32_t> renumber(roots, 0);
  const double voxel_mm3 = mask.spacing[0] * mask.spacing[1] * mask.spacing[2];
  for (std::size_t n = 0; n < keep.size(); ++n) {
    const std::int32_t r = keep[n];
    renumber[r] = static_cast<std::int32_t>(n + 1);
    ComponentStats s = acc[r];
    s.id = static_cast<int>(n + 1);
    const double c = static_cast<double>(s.voxels);
    s.volume_mm3 = c * voxel_mm3;
    s.centroid_voxel = {sx[r] / c, sy[r] / c, sz[r] / c};
    s.centroid = mask.position(s.centroid_voxel.x, s.centroid_voxel.y, s.centroid_voxel.z);
    if (score) {
      s.score_max = smax[r];
      s.score_mean = ssum[r] / c;
    }
    out.stats.push_back(s);
  }
  for (std::int32_t& l : lab.data) l = renumber[l];
  return out;
}

}  // namespace medai::imaging
