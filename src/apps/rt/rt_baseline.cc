#include "apps/rt/rt_baseline.h"

#include "imaging/ops/slice_fill.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "imaging/ops/connected_components.h"

namespace medai::apps::rt {
namespace {
using imaging::Volume;
using Mask = Volume<std::uint8_t>;

template <typename Pred>
Mask select(const Volume<float>& hu, Pred pred) {
  Mask m = hu.like<std::uint8_t>();
  for (std::size_t v = 0; v < hu.data.size(); ++v) m.data[v] = pred(v, hu.data[v]) ? 1 : 0;
  return m;
}

// Per-slice dilation / erosion with a disc of `r` pixels.
Mask morph_per_slice(const Mask& in, int r, bool dilate) {
  Mask out = in.like<std::uint8_t>();
  std::vector<std::pair<int, int>> disc;
  for (int dj = -r; dj <= r; ++dj)
    for (int di = -r; di <= r; ++di)
      if (di * di + dj * dj <= r * r) disc.emplace_back(di, dj);
  for (int k = 0; k < in.nz; ++k)
    for (int j = 0; j < in.ny; ++j)
      for (int i = 0; i < in.nx; ++i) {
        bool v = !dilate;
        for (const auto& [di, dj] : disc) {
          const int ii = i + di, jj = j + dj;
          const bool on = ii >= 0 && jj >= 0 && ii < in.nx && jj < in.ny && in.at(ii, jj, k);
          if (dilate && on) { v = true; break; }
          if (!dilate && !on) { v = false; break; }
        }
        out.at(i, j, k) = v;
      }
  return out;
}

}  // namespace

Mask dilate_per_slice(const Mask& in, int r) { return morph_per_slice(in, r, true); }
Mask erode_per_slice(const Mask& in, int r) { return morph_per_slice(in, r, false); }


void keep_largest_component(Mask& mask) {
  imaging::ComponentOptions o;
  o.max_components = 1;
  const imaging::Components c = imaging::connected_components(mask, o);
  for (std::size_t v = 0; v < mask.data.size(); ++v) mask.data[v] = c.labels.data[v] == 1 ? 1 : 0;
}

BaselineMasks baseline_contours(const Volume<float>& hu, const BaselineThresholds& t) {
  BaselineMasks out;
  out.names = {"External", "Lung_L", "Lung_R", "SpinalCord", "Heart", "GTV"};
  out.bits = hu.like<std::uint8_t>();
  const int nx = hu.nx, ny = hu.ny;

  Mask body = select(hu, [&](std::size_t, float v) { return v > t.body_above; });
  keep_largest_component(body);
  imaging::fill_holes_per_slice(body);

  // Midline: the body's centroid x.
  double sx = 0;
  std::int64_t n = 0;
  for (int k = 0; k < hu.nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i)
        if (body.at(i, j, k)) sx += hu.position(i, j, k).x, ++n;
  const double mid = n ? sx / static_cast<double>(n) : 0.0;
  std::vector<std::uint8_t> is_left(hu.data.size());
  for (int k = 0; k < hu.nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) is_left[hu.index(i, j, k)] = hu.position(i, j, k).x > mid;

  Mask lung_l = select(hu, [&](std::size_t v, float x) { return body.data[v] && x < t.lung_below && is_left[v]; });
  Mask lung_r = select(hu, [&](std::size_t v, float x) { return body.data[v] && x < t.lung_below && !is_left[v]; });
  keep_largest_component(lung_l);
  keep_largest_component(lung_r);

  // Tumour: soft tissue enclosed by a lung on its slice.
  Mask filled_l = lung_l, filled_r = lung_r;
  imaging::fill_holes_per_slice(filled_l);
  imaging::fill_holes_per_slice(filled_r);
  Mask gtv = select(hu, [&](std::size_t v, float x) {
    return (filled_l.data[v] || filled_r.data[v]) && !lung_l.data[v] && !lung_r.data[v] && x > t.tumour_above;
  });
  keep_largest_component(gtv);

  // Heart: blood/muscle density between the lungs, row by row.
  Mask between = hu.like<std::uint8_t>();
  for (int k = 0; k < hu.nz; ++k)
    for (int j = 0; j < ny; ++j) {
      // The right lung is at -x (low i with the usual orientation): its most
      // medial voxel is its largest x; the left lung's is its smallest x.
      double right_edge = -std::numeric_limits<double>::infinity(), left_edge = std::numeric_limits<double>::infinity();
      for (int i = 0; i < nx; ++i) {
        const std::size_t v = hu.index(i, j, k);
        const double x = hu.position(i, j, k).x;
        if (lung_r.data[v]) right_edge = std::max(right_edge, x);
        if (lung_l.data[v]) left_edge = std::min(left_edge, x);
      }
      if (!(right_edge < left_edge) || std::isinf(right_edge) || std::isinf(left_edge)) continue;
      for (int i = 0; i < nx; ++i) {
        const double x = hu.position(i, j, k).x;
        if (x > right_edge && x < left_edge) between.at(i, j, k) = 1;
      }
    }
  Mask heart = select(hu, [&](std::size_t v, float x) {
    return between.data[v] && !gtv.data[v] && x >= t.heart_low && x <= t.heart_high;
  });
  keep_largest_component(heart);

  // Spinal cord: soft tissue in the holes of the bone on each slice, after a
  // closing that bridges thin gaps in the vertebral ring.
  Mask bone = select(hu, [&](std::size_t v, float x) { return body.data[v] && x > t.bone_above; });
  const int r = std::max(1, static_cast<int>(std::ceil(t.bone_closing_mm / hu.spacing[0] - 1e-9)));
  Mask bone_filled = dilate_per_slice(bone, r);
  imaging::fill_holes_per_slice(bone_filled);
  bone_filled = erode_per_slice(bone_filled, r);
  Mask cord = select(hu, [&](std::size_t v, float x) {
    return bone_filled.data[v] && !bone.data[v] && x >= t.cord_low && x <= t.cord_high;
  });
  keep_largest_component(cord);

  const Mask* masks[] = {&body, &lung_l, &lung_r, &cord, &heart, &gtv};
  for (std::size_t v = 0; v < hu.data.size(); ++v) {
    std::uint8_t b = 0;
    for (int s = 0; s < 6; ++s) b |= masks[s]->data[v] ? static_cast<std::uint8_t>(1u << s) : 0;
    out.bits.data[v] = b;
  }
  return out;
}

}  // namespace medai::apps::rt
