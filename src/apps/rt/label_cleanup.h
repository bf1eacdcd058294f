#pragma once
// Anatomical clean-up of an auto-contouring label map (the model's argmax on
// the CT grid), before the structures are written:
//  - sides: the network sees patches, not the whole chest, so far from the
//    mediastinum it cannot tell a left lung from a right one. Each connected
//    lung component (Lung_L ∪ Lung_R) goes to the side where at least 90 % of
//    its voxels lie (patient left = +x of the body's midline, the body's
//    centroid); a component spread over both sides is split voxel by voxel.
//  - islands: an organ at risk is one connected structure: only its largest
//    component stays; a target keeps every component of at least
//    `min_target_fraction` of its largest one. Removed voxels become the body
//    label (they are inside the patient), or background when there is none.
#include <cstdint>
#include <optional>
#include <vector>

#include "apps/rt/rt_structures.h"
#include "imaging/volume.h"

namespace medai::apps::rt {

struct CleanupReport {
  std::int64_t lung_voxels_moved = 0;   // voxels whose side changed
  std::int64_t island_voxels_removed = 0;
};

CleanupReport clean_up_labels(imaging::Volume<std::uint8_t>& labels, const std::vector<OutputStructure>& structures,
                              double min_target_fraction = 0.1);

}  // namespace medai::apps::rt
