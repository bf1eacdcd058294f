#pragma once
// Closed planar contours of a binary slice mask by marching squares on pixel
// centres (crossings at edge midpoints, diagonal-only neighbours kept apart).
// Rasterising a contour back with the even-odd rule at pixel centres gives the
// mask again. Holes come out as separate loops (even-odd semantics).
#include <cstdint>
#include <vector>

namespace medai::imaging {

struct Point2 {
  double x = 0, y = 0;  // pixel coordinates (column, row)
};
using Polygon = std::vector<Point2>;  // closed: the last point connects to the first

std::vector<Polygon> trace_contours(const std::uint8_t* mask, int nx, int ny);

// Even-odd point-in-polygon over all loops.
bool inside_even_odd(const std::vector<Polygon>& loops, double x, double y);

}  // namespace medai::imaging
