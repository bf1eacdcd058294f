#pragma once
#include <memory>

#include "training/trainer.h"

namespace medai::training::torch_nets {

// Segmentation: 3-D U-Net on patches of the resampled, windowed series;
// masks from the items' SEG / RTSTRUCT annotations (one class per structure
// name of the training split, background = 0). Validation metric: mean Dice.
std::unique_ptr<Trainer> make_unet3d_trainer();

}  // namespace medai::training::torch_nets
