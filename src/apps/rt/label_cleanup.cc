#include "apps/rt/label_cleanup.h"

#include <algorithm>

#include "imaging/ops/connected_components.h"

namespace medai::apps::rt {
namespace {

const OutputStructure* find(const std::vector<OutputStructure>& s, const char* name) {
  for (const auto& x : s)
    if (x.info.name == name) return &x;
  return nullptr;
}

// x of the labelled voxels' centroid (patient coordinates): the body's midline.
double midline_x(const imaging::Volume<std::uint8_t>& labels) {
  double sum = 0;
  std::int64_t n = 0;
  for (int k = 0; k < labels.nz; ++k)
    for (int j = 0; j < labels.ny; ++j) {
      const std::uint8_t* row = labels.slice(k) + static_cast<std::size_t>(j) * labels.nx;
      for (int i = 0; i < labels.nx; ++i)
        if (row[i]) {
          sum += labels.position(i, j, k).x;
          ++n;
        }
    }
  return n ? sum / static_cast<double>(n) : 0.0;
}

}  // namespace

CleanupReport clean_up_labels(imaging::Volume<std::uint8_t>& labels, const std::vector<OutputStructure>& structures,
                              double min_target_fraction) {
  CleanupReport report;
  const OutputStructure* external = nullptr;
  for (const auto& s : structures)
    if (s.is_external()) external = &s;
  const auto fill = static_cast<std::uint8_t>(external ? external->label : 0);

  // Lung sides.
  const OutputStructure* left = find(structures, "Lung_L");
  const OutputStructure* right = find(structures, "Lung_R");
  if (left && right) {
    const auto lv = static_cast<std::uint8_t>(left->label), rv = static_cast<std::uint8_t>(right->label);
    const double mid = midline_x(labels);
    auto lungs = labels.like<std::uint8_t>();
    for (std::size_t v = 0; v < labels.data.size(); ++v) lungs.data[v] = labels.data[v] == lv || labels.data[v] == rv;
    const imaging::Components comp = imaging::connected_components(lungs);
    // Voxels on the patient's left (+x of the midline) per component.
    std::vector<std::int64_t> on_left(comp.stats.size() + 1, 0);
    std::vector<std::uint8_t> side_of_voxel(labels.data.size(), 0);  // 1 = left
    for (int k = 0; k < labels.nz; ++k)
      for (int j = 0; j < labels.ny; ++j)
        for (int i = 0; i < labels.nx; ++i) {
          const std::size_t v = labels.index(i, j, k);
          const int id = comp.labels.data[v];
          if (id == 0) continue;
          const bool is_left = labels.position(i, j, k).x > mid;
          side_of_voxel[v] = is_left;
          on_left[id] += is_left;
        }
    for (std::size_t v = 0; v < labels.data.size(); ++v) {
      const int id = comp.labels.data[v];
      if (id == 0) continue;
      const double left_share = static_cast<double>(on_left[id]) / static_cast<double>(comp.stats[id - 1].voxels);
      const bool to_left = left_share >= 0.9 ? true : left_share <= 0.1 ? false : side_of_voxel[v] != 0;
      const std::uint8_t want = to_left ? lv : rv;
      if (labels.data[v] != want) {
        labels.data[v] = want;
        ++report.lung_voxels_moved;
      }
    }
  }

  // Islands, one structure at a time.
  for (const auto& s : structures) {
    if (s.is_external()) continue;
    const auto value = static_cast<std::uint8_t>(s.label);
    auto mask = labels.like<std::uint8_t>();
    std::int64_t count = 0;
    for (std::size_t v = 0; v < labels.data.size(); ++v) count += (mask.data[v] = labels.data[v] == value);
    if (count == 0) continue;
    const imaging::Components comp = imaging::connected_components(mask);
    if (comp.stats.size() <= 1) continue;
    const bool target = s.info.interpreted_type == "GTV" || s.info.interpreted_type == "CTV" ||
                        s.info.interpreted_type == "PTV";
    const std::int64_t largest = comp.stats[0].voxels;  // sorted by decreasing size
    std::vector<std::uint8_t> keep(comp.stats.size() + 1, 0);
    for (const auto& st : comp.stats)
      keep[st.id] = st.id == 1 || (target && static_cast<double>(st.voxels) >= min_target_fraction * largest);
    for (std::size_t v = 0; v < labels.data.size(); ++v) {
      const int id = comp.labels.data[v];
      if (id != 0 && !keep[id]) {
        labels.data[v] = fill;
        ++report.island_voxels_removed;
      }
    }
  }
  return report;
}

}  // namespace medai::apps::rt
