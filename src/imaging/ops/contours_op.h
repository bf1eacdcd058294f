#pragma once
// contours: closed planar contours per slice and label value of a label map,
// traced by imaging/contours.h (marching squares through pixel-edge
// midpoints; holes as separate loops, even-odd rule) and placed in patient
// coordinates (the slice's plane). What RTSTRUCT writers need: rasterising the
// loops back at pixel centres with the even-odd rule gives the mask again.
#include <cstdint>
#include <vector>

#include "imaging/volume.h"

namespace medai::imaging {

struct SliceContours {
  int k = 0;       // slice index
  int label = 0;   // label value (or component id)
  std::vector<std::vector<Vec3>> loops;  // patient coordinates, closed (last connects to first)
};

// Ordered by label, then slice. Labels listed in `only` (if non-empty) are kept.
std::vector<SliceContours> extract_contours(const Volume<std::uint8_t>& labels, const std::vector<int>& only = {});
std::vector<SliceContours> extract_contours(const Volume<std::int32_t>& labels, const std::vector<int>& only = {});

}  // namespace medai::imaging
