#pragma once
// Candidates of a CenterNet-style detector: the local maxima (3x3x3) of its
// centre heat-map at or above `min_score`, strongest first, at most `max`
// — the same decoding the detector3d trainer validates with.
#include <vector>

#include "apps/lung/lung_findings.h"
#include "imaging/volume.h"

namespace medai::apps::lung {

// The nodule probability map of a model's output channels: channel 0 (a
// CenterNet heat-map, detector3d), or with `from_background` 1 - channel 0 (a
// segmentation network's softmax, unet3d: every foreground class is nodule).
imaging::Volume<float> nodule_probability(const std::vector<imaging::Volume<float>>& channels, bool from_background);

std::vector<Candidate> heatmap_peaks(const imaging::Volume<float>& heat, double min_score = 0.05, int max = 50);

}  // namespace medai::apps::lung
