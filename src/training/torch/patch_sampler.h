#pragma once
// Training samples drawn on the fly: a patch (3-D) or an image (2-D) cut out
// of a case through one random spatial transform — flips, 90° turns in the
// axial/image plane, a small rotation and an isotropic scaling about the
// patch centre — then a random intensity shift and scale. Images are
// sampled trilinearly (bilinearly in 2-D), label maps by nearest neighbour,
// so labels stay labels. Outside the case the image is 0 and the label 0.
//
// 3-D patch centres: with probability foreground_fraction a random
// foreground voxel (label > 0) of the case, otherwise a uniform position —
// the foreground oversampling nnU-Net uses for small structures.
//
// Deterministic: every draw comes from a generator seeded by (seed, epoch,
// sample index), so the same request gives the same samples whatever the
// loader thread's timing, and a resumed run sees the epochs it missed
// exactly as an uninterrupted run does. No LibTorch here.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "imaging/image2d.h"
#include "imaging/volume.h"
#include "training/torch/hyper_params.h"

namespace medai::training::torch_nets {

// A volume prepared for training: image windowed to [0, 1] on the training
// grid, label map on the same grid (0 = background), foreground voxel indices.
struct Case3d {
  imaging::Volume<float> image;
  imaging::Volume<std::uint8_t> label;
  std::vector<std::uint32_t> foreground;  // indices into label.data with label > 0
};

struct Patch3d {
  std::array<int, 3> dims{0, 0, 0};  // x, y, z
  std::vector<float> image;          // z-major: [z][y][x]
  std::vector<std::uint8_t> label;
};

struct Image2dCase {
  imaging::Image2D<float> image;  // [0, 1]
  float label = 0;                // 0 / 1
};

struct Patch2d {
  std::array<int, 2> dims{0, 0};  // width, height
  std::vector<float> image;       // [y][x]
  float label = 0;
};

std::mt19937_64 sample_rng(std::uint64_t seed, std::int64_t epoch, std::int64_t index);

// Fills the foreground index list of a case.
void index_foreground(Case3d& c);

// A random augmented patch of `dims` from `c` (augmentation off: identity
// transform, still foreground-oversampled).
Patch3d sample_patch(const Case3d& c, const std::array<int, 3>& dims, const Augmentation& aug,
                     double foreground_fraction, std::mt19937_64& rng);

// The patch centred on voxel `centre` with no augmentation (validation tiles).
Patch3d crop_patch(const Case3d& c, const std::array<int, 3>& dims, const std::array<int, 3>& centre);

// The whole image resized to `dims` (aspect kept, centred, zero padded) with
// random augmentation; augment=false gives the plain resized image.
Patch2d sample_image(const Image2dCase& c, const std::array<int, 2>& dims, const Augmentation& aug, bool augment,
                     std::mt19937_64& rng);

}  // namespace medai::training::torch_nets
