#pragma once
// Tubes: tapered cylinders (vessels, airways, spicules) rasterised slice by
// slice with partial-volume edges. A tube whose radius is below the pixel size
// never reaches full coverage, as thin vessels fade out in a real scan.
#include <cstdint>
#include <vector>

#include "synth/volume.h"

namespace medai::synth {

struct Tube {
  Vec3 a, b;         // end points (mm, patient coordinates)
  float ra = 1, rb = 1;  // radius at a and at b (mm)
};

// Which tubes touch which slice (precomputed once per volume).
class TubeIndex {
 public:
  TubeIndex(const std::vector<Tube>& tubes, double z0, double dz, int nz);
  const std::vector<int>& at(int k) const { return per_slice_[static_cast<std::size_t>(k)]; }

 private:
  std::vector<std::vector<int>> per_slice_;
};

// In-plane sampling grid of one axial slice.
struct SliceGrid {
  int nx = 0, ny = 0;
  double x0 = 0, y0 = 0, dx = 1, dy = 1, z = 0;
};

// Raises coverage[j*nx+i] to the partial-volume coverage of each listed tube
// at that pixel (max over tubes), coverage in [0,1].
void rasterize_tubes(const std::vector<Tube>& tubes, const std::vector<int>& which, const SliceGrid& grid,
                     float* coverage);

// Distance from p to the tube axis and the radius there; returns r - d (>0 inside).
double tube_depth(const Tube& t, const Vec3& p);

}  // namespace medai::synth
