#pragma once
// The classifier's class-activation map (forward's second output: one value
// in [0, 1] per 16×16 model pixels) turned into what a reader looks at: the
// hot spot (peak and its connected region at ≥ half the peak, as a box) and
// a PNG of the view with the map overlaid (portal), plus the map on the
// source image's grid for the DICOM object.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "apps/mammo/model_grid.h"
#include "imaging/image2d.h"

namespace medai::apps::mammo {

struct ActivationMap {
  int nx = 0, ny = 0;       // cells
  std::vector<float> values;  // [ny][nx], in [0, 1]
  double cell = 16;         // model pixels per cell
};

struct HotSpot {
  double peak = 0;
  std::array<double, 4> model_box{0, 0, 0, 0};  // x0, y0, x1, y1 in model pixels (inclusive)
  int cells = 0;
};

// Peak cell and the 4-connected cells around it with value ≥ peak / 2.
HotSpot find_hot_spot(const ActivationMap& map);

// The map bilinearly upsampled to the model grid (cell centres at
// (i + 0.5) · cell - 0.5).
imaging::Image2D<float> upsample_to_model(const ActivationMap& map, int width, int height);

// The map on the source image grid (via the mapping back from the model
// grid), as 8-bit values 0..255 (for a DICOM overlay/SEG or a parametric map).
std::vector<std::uint8_t> map_on_source(const ActivationMap& map, const GridMapping& mapping, int source_nx,
                                        int source_ny);

// RGB PNG of the model-grid image with the map overlaid (transparent below
// 0.3, yellow to red above) and the hot-spot box outlined.
std::string heatmap_png(const imaging::Image2D<float>& model_image, const ActivationMap& map, const HotSpot* spot);

// 8-bit RGB PNG encoder (zlib), `rgb` row-major width*height*3.
std::string encode_png_rgb(int width, int height, const std::vector<std::uint8_t>& rgb);

}  // namespace medai::apps::mammo

namespace medai::apps::mammo {

// Standard base64 (RFC 4648, padded), e.g. for a data: URI.
std::string base64_encode(const std::string& bytes);

// The model-grid image halved (2×2 average), for a lighter portal PNG.
imaging::Image2D<float> half_size(const imaging::Image2D<float>& image);

}  // namespace medai::apps::mammo
