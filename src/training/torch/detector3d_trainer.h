#pragma once
#include <memory>

#include "training/trainer.h"

namespace medai::training::torch_nets {

// Detection (CenterNet-style): every SEG segment / RTSTRUCT ROI of an item is
// one object (a nodule). Targets on each patch: a Gaussian heat-map peaking
// at 1 on each object's centre voxel (σ = max(0.75, mean extent / 6)
// voxels) and the object's extent along x, y, z (voxels / 10) at the centre.
// Validation: peaks of the heat-map (3³ local maxima above 0.05, at most 50
// per scan) scored with the LUNA16 FROC against the objects' centres and
// equivalent-sphere diameters; the metric is CPM.
std::unique_ptr<Trainer> make_detector3d_trainer();

}  // namespace medai::training::torch_nets
