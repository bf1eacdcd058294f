#pragma once
// sliding_window: patch-wise inference over a whole volume, as nnU-Net does
// it. Patches of `patch_size` (i/j/k voxels) tile the volume with the given
// overlap fraction (step = max(1, floor(patch * (1 - overlap))), the tiles
// spread evenly so the first starts at 0 and the last ends at the volume's
// edge); a volume smaller than a patch is padded with `pad_value` and the
// result cropped back. Each patch's prediction is weighted by a Gaussian
// importance map (sigma = patch/8 per axis, peak 1, floored at its smallest
// positive value so edges keep a little weight) or by 1 (constant), summed,
// and divided by the summed weights: a model that predicts a constant gives
// exactly that constant everywhere.
//
// The model is injected: `infer` receives a batch as one row-major float
// tensor of shape [batch, 1, pk, pj, pi] (N, C, D, H, W as PyTorch has it)
// and returns [batch, C, pk, pj, pi] for any C >= 1. Its errors are returned
// unchanged. The output is C probability volumes on the input's grid.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/status.h"
#include "imaging/volume.h"

namespace medai::imaging {

using PatchInferFn = std::function<Result<std::vector<float>>(const std::vector<float>& batch, int batch_size,
                                                              const std::array<int, 3>& patch_size)>;

enum class Blend { gaussian, constant };

struct SlidingWindowOptions {
  std::array<int, 3> patch_size{64, 64, 64};  // i, j, k
  double overlap = 0.5;                       // [0, 1)
  Blend blend = Blend::gaussian;
  int batch_size = 1;
  float pad_value = 0;
  // Called after each batch with the fraction done; returning false cancels
  // (the call then fails with ErrorCode::unavailable, reason "cancelled").
  std::function<bool(double)> progress;
};

// Start positions along one axis (exposed for tests).
std::vector<int> window_starts(int size, int patch, double overlap);
// The importance map, [pk][pj][pi] row-major.
std::vector<float> importance_map(const std::array<int, 3>& patch, Blend blend);

Result<std::vector<Volume<float>>> sliding_window(const Volume<float>& input, const PatchInferFn& infer,
                                                  const SlidingWindowOptions& options);

}  // namespace medai::imaging
