#pragma once
// The LibTorch trainers: "unet3d" (segmentation), "detector3d" (detection),
// "resnet2d" (classification). See docs/training-models.md.
#include "training/trainer.h"

namespace medai::training {

void register_torch_trainers(TrainerRegistry& registry);

}  // namespace medai::training
