#include "apps/lung/heatmap_peaks.h"

#include <algorithm>

namespace medai::apps::lung {

imaging::Volume<float> nodule_probability(const std::vector<imaging::Volume<float>>& channels, bool from_background) {
  if (channels.empty()) return {};
  imaging::Volume<float> p = channels[0];
  if (from_background)
    for (float& v : p.data) v = 1.0f - v;
  return p;
}

std::vector<Candidate> heatmap_peaks(const imaging::Volume<float>& heat, double min_score, int max) {
  std::vector<Candidate> out;
  for (int k = 0; k < heat.nz; ++k)
    for (int j = 0; j < heat.ny; ++j)
      for (int i = 0; i < heat.nx; ++i) {
        const float v = heat.at(i, j, k);
        if (v < min_score) continue;
        bool peak = true;
        for (int dk = -1; dk <= 1 && peak; ++dk)
          for (int dj = -1; dj <= 1 && peak; ++dj)
            for (int di = -1; di <= 1; ++di) {
              const int a = i + di, b = j + dj, c = k + dk;
              if ((di || dj || dk) && a >= 0 && b >= 0 && c >= 0 && a < heat.nx && b < heat.ny && c < heat.nz &&
                  heat.at(a, b, c) > v) {
                peak = false;
                break;
              }
            }
        if (peak) out.push_back({heat.position(i, j, k), v});
      }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  // Plateaus give several equal neighbours: keep the first of voxels closer than 2 voxels.
  std::vector<Candidate> kept;
  const double near = 4.0 * std::max({heat.spacing[0], heat.spacing[1], heat.spacing[2]}) *
                      std::max({heat.spacing[0], heat.spacing[1], heat.spacing[2]});
  for (const auto& c : out) {
    bool dup = false;
    for (const auto& k2 : kept)
      if ((k2.centre - c.centre).norm2() < near) {
        dup = true;
        break;
      }
    if (!dup) kept.push_back(c);
    if (static_cast<int>(kept.size()) >= max) break;
  }
  return kept;
}

}  // namespace medai::apps::lung
