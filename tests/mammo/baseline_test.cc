// The max-local-contrast baseline: a bright speck in a flat breast raises
// it; the air background and the skin edge do not count.
#include <gtest/gtest.h>

#include "apps/mammo/baseline.h"

namespace medai::apps::mammo {
namespace {

imaging::Image2D<float> breast(int nx, int ny) {
  imaging::Image2D<float> img(nx, ny, 0.0f);
  for (int y = ny / 8; y < ny * 7 / 8; ++y)
    for (int x = 0; x < nx * 3 / 4; ++x) img.at(x, y) = 0.5f;
  return img;
}

TEST(MammoBaseline, BrightSpeckInsideTheBreastRaisesTheScore) {
  auto flat = breast(416, 512);
  const double plain = max_local_contrast(flat, 0.39);
  EXPECT_LT(plain, 0.01);  // the breast's own edge is masked out
  auto speck = flat;
  speck.at(150, 250) = 1.0f;
  speck.at(151, 250) = 1.0f;
  EXPECT_GT(max_local_contrast(speck, 0.39), plain + 0.05);
  auto outside = flat;
  outside.at(400, 20) = 1.0f;  // in the air
  EXPECT_LT(max_local_contrast(outside, 0.39), 0.01);
}

TEST(MammoBaseline, SameAnswerAtFullResolution) {
  auto small = breast(416, 512), full = breast(1664, 2048);
  for (int j = 0; j < 8; ++j)
    for (int i = 0; i < 8; ++i) full.at(600 + i, 1000 + j) = 1.0f;  // 0.8 mm
  small.at(150, 250) = small.at(151, 250) = small.at(150, 251) = small.at(151, 251) = 1.0f;
  EXPECT_NEAR(max_local_contrast(full, 0.1), max_local_contrast(small, 0.4), 0.08);
  EXPECT_EQ(max_local_contrast(imaging::Image2D<float>(), 0.1), 0.0);
}

}  // namespace
}  // namespace medai::apps::mammo
