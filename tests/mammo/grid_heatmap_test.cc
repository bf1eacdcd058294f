// Fitting a view to the model grid and mapping boxes back; hot spots of a
// class-activation map; the portal PNG.
#include <gtest/gtest.h>

#include "apps/mammo/heatmap.h"
#include "apps/mammo/model_grid.h"

namespace medai::apps::mammo {
namespace {

TEST(MammoModelGrid, FullResolutionIsAveragedNotSkipped) {
  imaging::Image2D<float> src(1600, 2000, 0.0f);
  // One 0.1 mm bright pixel (a calcification speck): bilinear sampling of
  // every ~4th pixel could miss it, the area average keeps it as a faint dot.
  src.at(801, 1001) = 1.0f;
  GridMapping g;
  const auto out = fit_to_model(src, 416, 512, g);
  EXPECT_NEAR(g.scale, 2000.0 / 512, 1e-9);
  double sum = 0, peak = 0;
  for (float v : out.data) sum += v, peak = std::max(peak, static_cast<double>(v));
  EXPECT_GT(peak, 0.03);
  EXPECT_NEAR(sum * g.scale * g.scale, 1.0, 0.35);
  // The box of that model pixel maps back onto the source pixel.
  int mx = 0, my = 0;
  for (int y = 0; y < out.ny; ++y)
    for (int x = 0; x < out.nx; ++x)
      if (out.at(x, y) == peak) mx = x, my = y;
  const auto box = g.to_source(mx, my, mx, my, src.nx, src.ny);
  EXPECT_LE(box[0], 801);
  EXPECT_GE(box[2], 801);
  EXPECT_LE(box[1], 1001);
  EXPECT_GE(box[3], 1001);
}

TEST(MammoModelGrid, SameSizeIsIdentity) {
  imaging::Image2D<float> src(416, 512, 0.0f);
  for (std::size_t i = 0; i < src.data.size(); ++i) src.data[i] = static_cast<float>(i % 97) / 97.0f;
  GridMapping g;
  const auto out = fit_to_model(src, 416, 512, g);
  EXPECT_DOUBLE_EQ(g.scale, 1.0);
  for (std::size_t i = 0; i < src.data.size(); i += 101) EXPECT_NEAR(out.data[i], src.data[i], 1e-6);
}

TEST(MammoHeatmap, HotSpotIsThePeakAndItsHalfMaximumRegion) {
  ActivationMap m;
  m.nx = 26, m.ny = 32, m.cell = 16;
  m.values.assign(static_cast<std::size_t>(m.nx) * m.ny, 0.05f);
  auto set = [&](int x, int y, float v) { m.values[static_cast<std::size_t>(y) * m.nx + x] = v; };
  set(10, 20, 0.9f);
  set(11, 20, 0.6f);
  set(10, 21, 0.5f);
  set(12, 20, 0.3f);  // below half the peak: not part of the spot
  set(2, 2, 0.8f);    // another bright cell, not connected
  const HotSpot h = find_hot_spot(m);
  EXPECT_FLOAT_EQ(static_cast<float>(h.peak), 0.9f);
  EXPECT_EQ(h.cells, 3);
  EXPECT_DOUBLE_EQ(h.model_box[0], 160);
  EXPECT_DOUBLE_EQ(h.model_box[1], 320);
  EXPECT_DOUBLE_EQ(h.model_box[2], 12 * 16 - 1);
  EXPECT_DOUBLE_EQ(h.model_box[3], 22 * 16 - 1);

  imaging::Image2D<float> img(416, 512, 0.5f);
  const std::string png = heatmap_png(img, m, &h);
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(static_cast<unsigned char>(png[16 + 3]), 416 & 0xff);  // width, big endian
  EXPECT_EQ(static_cast<unsigned char>(png[25]), 2);               // colour type RGB

  GridMapping g;
  g.scale = 1;
  g.width = 416, g.height = 512;
  const auto on_source = map_on_source(m, g, 416, 512);
  EXPECT_GT(on_source[static_cast<std::size_t>(20 * 16 + 8) * 416 + 10 * 16 + 8], 200);
  EXPECT_LT(on_source[static_cast<std::size_t>(300) * 416 + 400], 30);
}

}  // namespace
}  // namespace medai::apps::mammo
