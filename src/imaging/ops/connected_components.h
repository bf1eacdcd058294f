#pragma once
// connected_components: 3-D components of the non-zero voxels of a label map
// (26-connectivity by default; 18 and 6 available), components smaller than
// `min_voxels` dropped, the rest numbered 1..N by decreasing size (ties: the
// first voxel in memory order first), with per-component statistics in
// patient coordinates. With `per_label`, voxels of different label values
// never join (organ maps); otherwise any non-zero voxel counts.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "imaging/ops/crop_pad.h"
#include "imaging/volume.h"

namespace medai::imaging {

struct ComponentStats {
  int id = 0;                    // label in Components::labels
  int label = 1;                 // the label value the component was made of
  std::int64_t voxels = 0;
  double volume_mm3 = 0;
  Vec3 centroid;                 // patient coordinates (mm), mean of voxel centres
  Vec3 centroid_voxel;           // continuous voxel indices (i, j, k)
  BoundingBox box;               // inclusive voxel indices
  // Of the optional score volume (e.g. the model's probability) over the component.
  double score_max = 0, score_mean = 0;
};

struct Components {
  Volume<std::int32_t> labels;  // 0 = background, id of the component otherwise
  std::vector<ComponentStats> stats;  // stats[n].id == n + 1
};

struct ComponentOptions {
  int connectivity = 26;  // 6 | 18 | 26
  std::int64_t min_voxels = 1;
  bool per_label = false;
  int max_components = 0;  // keep only the largest N (0 = all)
};

Components connected_components(const Volume<std::uint8_t>& mask, const ComponentOptions& options = {},
                                const Volume<float>* score = nullptr);

}  // namespace medai::imaging
