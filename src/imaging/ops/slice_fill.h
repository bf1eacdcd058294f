#pragma once
// Per-slice (axial) region filling on binary masks, shared by the apps'
// anatomy masks and baselines (lung mask, contouring baseline).
#include <cstdint>

#include "imaging/volume.h"

namespace medai::imaging {

// In one nx × ny slice: every pixel equal to `from` that is 4-connected to
// the slice border through pixels equal to `from` becomes `to`.
void flood_from_border(std::uint8_t* slice, int nx, int ny, std::uint8_t from, std::uint8_t to);

// Fills the holes of a 0/1 mask slice by slice: background not 4-connected
// to the slice border becomes 1.
void fill_holes_per_slice(Volume<std::uint8_t>& mask);

}  // namespace medai::imaging
