#pragma once
// Scan-line even-odd fill of closed polygons at pixel centres: pixel (i, j)
// is set exactly when imaging::inside_even_odd(loops, i, j) is true, in
// O(rows * (columns + edges log edges)) instead of O(pixels * edges).
#include <cstdint>
#include <vector>

#include "imaging/contours.h"

namespace medai::annotations {

// Sets (to 1) the pixels of the nx*ny `mask` inside `loops`; leaves others.
void fill_even_odd(const std::vector<imaging::Polygon>& loops, int nx, int ny, std::uint8_t* mask);

}  // namespace medai::annotations
