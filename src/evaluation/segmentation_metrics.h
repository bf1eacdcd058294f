#pragma once
// Segmentation metrics, the same functions for training validation and for
// `medai evaluate` (pure C++, no LibTorch).
//
// Definitions (per structure, predicted mask P against reference mask R, both
// 0/non-0 on the same grid with voxel spacing s in mm):
//  - Dice = 2|P∩R| / (|P| + |R|); both empty → 1 (nothing to find, nothing found).
//  - Surface voxels: foreground voxels with a background 6-neighbour or on the
//    border of the grid.
//  - 95 % Hausdorff distance (mm): the distances from every surface voxel of P
//    to the nearest surface voxel of R and from every surface voxel of R to the
//    nearest of P, pooled, 95th percentile with linear interpolation between
//    order statistics (MedPy's hd95 / numpy.percentile). Distances are exact
//    Euclidean distances between voxel centres, in mm with the spacing.
//    Undefined (nullopt, JSON null) when either mask is empty; 0 when equal.
//  - Volume (mL) = voxel count × sx·sy·sz / 1000; volume error = P − R (mL);
//    relative volume error = (P − R) / R, undefined when R is empty.
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "imaging/volume.h"

namespace medai::evaluation {

struct SegmentationScore {
  double dice = 0;
  std::optional<double> hd95_mm;
  double predicted_ml = 0, reference_ml = 0;
  double volume_error_ml = 0;                    // predicted − reference
  std::optional<double> relative_volume_error;   // (predicted − reference) / reference
};

// Raw form for training loops: masks of dims[0]·dims[1]·dims[2] bytes, x
// fastest (Volume<T> order), spacing in mm per axis (x, y, z).
SegmentationScore score_segmentation(const std::uint8_t* predicted, const std::uint8_t* reference,
                                     const std::array<int, 3>& dims, const std::array<double, 3>& spacing_mm);

// invalid_argument when the grids differ (size, spacing, origin or direction).
Result<SegmentationScore> score_segmentation(const imaging::Volume<std::uint8_t>& predicted,
                                             const imaging::Volume<std::uint8_t>& reference);

// Dice alone (cheap: no distance transform).
double dice_coefficient(const std::uint8_t* predicted, const std::uint8_t* reference, std::size_t count);

nlohmann::json to_json(const SegmentationScore& s);

// Percentile q in [0, 100] with linear interpolation (numpy's default); the
// values need not be sorted. NaN for an empty list.
double percentile(std::vector<double> values, double q);

// Mean, standard deviation (population), min, quartiles, max — the numbers a
// box plot needs. {"n":0} for an empty list.
nlohmann::json distribution(const std::vector<double>& values);

// One structure of one case, for summaries across a test set.
struct StructureScore {
  std::string case_id;
  std::string structure;
  SegmentationScore score;
};

// {"structures": {name: {"n", "dice": distribution, "hd95_mm": distribution
// (over cases where defined), "hd95_undefined": count, "volume_error_ml":
// distribution, "relative_volume_error": distribution}}, "mean_dice": mean of
// the per-structure mean Dice}. Structures are listed in name order.
nlohmann::json summarise_segmentation(const std::vector<StructureScore>& scores);

}  // namespace medai::evaluation
