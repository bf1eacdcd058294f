#pragma once
// Writes TorchScript models without Python: for tests, benchmarks and the
// end-to-end test's tiny app. The model is a scripted module whose forward
// (and helpers) come from TorchScript source, with named float parameters.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai::runtime {

struct ScriptParameter {
  std::string name;
  std::vector<std::int64_t> shape;
  // Values: all equal to `fill` unless random, then N(0, 1) * fill from `seed`.
  float fill = 0.0f;
  bool random = false;
};

// Defines `source` (one or more `def ...(self, ...)` methods) on a fresh
// module with the given parameters and saves it to `path`.
// invalid_argument when the source does not compile.
Status save_torchscript_module(const std::filesystem::path& path, const std::string& source,
                               const std::vector<ScriptParameter>& parameters, std::uint64_t seed = 1);

// A 3-D U-Net (two poolings, two 3x3x3 convs + ReLU per level, transposed-
// conv upsampling, skip connections, 1x1x1 head with sigmoid) with He-scaled
// random weights. Input [N, in_channels, D, H, W] with D, H, W divisible by 4;
// output [N, out_channels, D, H, W].
Status save_unet3d_module(const std::filesystem::path& path, int in_channels, int base_channels, int out_channels,
                          std::uint64_t seed = 1);

}  // namespace medai::runtime
