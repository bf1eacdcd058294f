#pragma once
// The three networks, each defined once as a TorchScript module (source +
// named parameters) so the module that is trained is exactly the module that
// is exported: no Python, no second definition to keep in sync.
//
// Methods of every module:
//   logits(x) -> List[Tensor]  raw outputs for the losses (deep supervision:
//                              the main output first, then coarser ones)
//   forward(x) -> Tensor       what an app's pipeline consumes (see below)
// unet3d:     x [N,1,D,H,W] -> softmax probabilities [N,C,D,H,W]
//             (D, H, W multiples of 2^depth); blocks: 2 × (conv3³ → InstanceNorm → LeakyReLU).
// detector3d: the same backbone with 4 output channels; forward gives
//             [N,4,D,H,W]: sigmoid centre heat-map, then the object's extent
//             along x, y, z in voxels of the training grid / 10.
// resnet2d:   x [N,1,H,W] (multiples of 32) -> sigmoid probability [N,1];
//             cam(x) -> [N,1,H,W] class-activation map (sigmoid of the
//             classifier applied to each position of the last stage),
//             upsampled bilinearly to the input.
//             Stem conv3² stride 2, 4 stages of one basic residual block
//             (BatchNorm) each, stride 2 from the second stage, global
//             average pooling, one linear output.
#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

namespace medai::training::torch_nets {

struct NetworkSpec {
  std::string architecture;    // unet3d | detector3d | resnet2d
  int out_channels = 2;        // unet3d: classes incl. background
  int depth = 2;               // unet3d / detector3d
  int base_channels = 8;
  bool deep_supervision = false;
  std::vector<int> channels{16, 32, 64, 128};  // resnet2d
};

// Parameters He-initialised from `seed` (torch::manual_seed is set).
torch::jit::Module build_network(const NetworkSpec& spec, std::uint64_t seed);

// Output factor of the coarse deep-supervision outputs (2, 4, …) in order.
std::vector<int> deep_supervision_scales(const NetworkSpec& spec);

}  // namespace medai::training::torch_nets
