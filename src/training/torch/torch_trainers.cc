#include "training/torch/torch_trainers.h"

#include "training/torch/detector3d_trainer.h"
#include "training/torch/resnet2d_trainer.h"
#include "training/torch/unet3d_trainer.h"

namespace medai::training {

void register_torch_trainers(TrainerRegistry& registry) {
  registry.add("unet3d", [] { return torch_nets::make_unet3d_trainer(); });
  registry.add("resnet2d", [] { return torch_nets::make_resnet2d_trainer(); });
  registry.add("detector3d", [] { return torch_nets::make_detector3d_trainer(); });
}

}  // namespace medai::training
