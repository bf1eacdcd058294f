#pragma once
// The non-learned baseline the auto-contouring evaluation reports next to the
// model (issue #7: "HU threshold + largest component"), on the CT's own grid.
// Every structure is one HU window, restricted to a region derived from the
// structures before it, and its largest 3-D component (26-connected):
//
//   External    HU > -300                         largest component, holes
//                                                 filled per slice (lungs are inside the body)
//   Lung_L/_R   HU < -400 inside External         largest component on the patient's
//                                                 left (+x) / right (-x) of the body's midline
//   GTV         HU > -300 inside the lungs' per-slice filled outline
//               (the lung masks with holes filled, minus the lungs)   largest component
//   Heart       0 <= HU <= 100 between the lungs (per row, from the
//               right lung's medial edge to the left lung's), not GTV  largest component
//   SpinalCord  -50 <= HU <= 100 in the holes of the per-slice bone
//               mask (HU > 200, closed with a 2 mm disc) inside External
//                                                 largest component (the canal; the
//                                                 cord is its inner part)
//
// A radiation oncologist would recognise each rule; none knows where the
// tumour is or what a heart looks like, which is the point of the comparison.
#include <cstdint>
#include <string>
#include <vector>

#include "imaging/ops/slice_fill.h"  // fill_holes_per_slice
#include "imaging/volume.h"

namespace medai::apps::rt {

struct BaselineThresholds {
  double body_above = -300;
  double lung_below = -400;
  double tumour_above = -300;
  double heart_low = 0, heart_high = 100;
  double bone_above = 200;
  double bone_closing_mm = 2;
  double cord_low = -50, cord_high = 100;
};

// Bit i of `bits` = structure names[i]; structures overlap as in a plan
// (External contains the others).
struct BaselineMasks {
  imaging::Volume<std::uint8_t> bits;
  std::vector<std::string> names;  // External, Lung_L, Lung_R, SpinalCord, Heart, GTV
};

BaselineMasks baseline_contours(const imaging::Volume<float>& hu, const BaselineThresholds& t = {});

// Per-slice binary dilation / erosion with a disc of radius r pixels.
imaging::Volume<std::uint8_t> dilate_per_slice(const imaging::Volume<std::uint8_t>& mask, int r);
imaging::Volume<std::uint8_t> erode_per_slice(const imaging::Volume<std::uint8_t>& mask, int r);

// Keeps the largest 26-connected component of `mask` (all of it zero if empty).
void keep_largest_component(imaging::Volume<std::uint8_t>& mask);

}  // namespace medai::apps::rt
