#pragma once
// Between a mammogram's pixels and the classifier's input grid. The input is
// the whole image scaled to fit `width`×`height` with its aspect kept,
// centred, zero padded (what the resnet2d trainer fed the network). Scaling
// down averages every source pixel under an output pixel (a 0.1 mm
// calcification survives as a fainter dot instead of being skipped, which
// bilinear sampling of every 4th pixel would do); scaling up is bilinear.
#include <array>

#include "imaging/image2d.h"

namespace medai::apps::mammo {

struct GridMapping {
  double scale = 1;           // source pixels per model pixel
  double origin_x = 0, origin_y = 0;  // source position of model pixel (0, 0)'s centre
  int width = 0, height = 0;  // model grid
  // Source pixel box (x0, y0, x1, y1, inclusive, clipped to the source) of a
  // model-grid box given in (fractional) model pixels.
  std::array<int, 4> to_source(double x0, double y0, double x1, double y1, int source_nx, int source_ny) const;
};

imaging::Image2D<float> fit_to_model(const imaging::Image2D<float>& source, int width, int height,
                                     GridMapping& mapping);

}  // namespace medai::apps::mammo
