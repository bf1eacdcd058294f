#pragma once
// The non-learned baseline the evaluation reports beside the model (issue #7:
// "HU threshold + blob detection inside the lung mask"):
//   candidates = 26-connected components of voxels above -300 HU inside the
//   filled lung mask (compute_lung_mask), 3..40 mm across;
//   score = sphericity x size: (equivalent-sphere diameter / longest bounding
//   box extent)^2 x min(1, equivalent diameter / 10 mm), so round blobs rank
//   above vessel segments and bigger above smaller.
// What it cannot see by construction: ground-glass nodules (below -300 HU),
// nodules with broad pleural contact (outside the filled mask); and vessels
// seen end-on look like small round blobs.
#include <vector>

#include "apps/lung/lung_mask.h"
#include "imaging/volume.h"

namespace medai::apps::lung {

struct BaselineCandidate {
  imaging::Vec3 centre;  // patient mm
  double score = 0;
  double diameter_mm = 0;  // longest axial extent of the component (bounding box)
};

std::vector<BaselineCandidate> baseline_candidates(const imaging::Volume<float>& hu, const LungMask& lungs,
                                                   int max_candidates = 50);

}  // namespace medai::apps::lung
