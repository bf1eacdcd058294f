#pragma once
// normalise: intensity normalisation of a model input.
//   zscore   (v - mean) / std over the whole volume (or the voxels > `mask_above` when set)
//   minmax   (v - min) / (max - min) → [0,1]
//   fixed    (v - mean) / std with the manifest's mean and std (dataset statistics, nnU-Net's CT scheme)
// An optional clip [lo, hi] is applied to the values first (before the
// statistics are taken). A constant volume (std = 0 or max = min) becomes all
// zeros rather than NaN.
#include <optional>
#include <utility>

#include "imaging/volume.h"

namespace medai::imaging {

enum class NormaliseMode { zscore, minmax, fixed };

struct NormaliseOptions {
  NormaliseMode mode = NormaliseMode::zscore;
  double mean = 0, std = 1;                        // fixed only
  std::optional<std::pair<double, double>> clip;  // [lo, hi]
  std::optional<double> mask_above;               // zscore/minmax statistics over voxels above this value
};

// Returns the (mean, std) or (min, max-min) actually used, for the record.
std::pair<double, double> apply_normalise(Volume<float>& volume, const NormaliseOptions& options);

}  // namespace medai::imaging
