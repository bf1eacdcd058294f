// window, normalise, crop_pad, argmax, threshold on hand-checked inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "imaging/ops/crop_pad.h"
#include "imaging/ops/label_ops.h"
#include "imaging/ops/normalise.h"
#include "imaging/ops/window.h"

namespace medai::imaging {
namespace {

Volume<float> row(std::vector<float> values) {
  Volume<float> v(static_cast<int>(values.size()), 1, 1);
  v.data = std::move(values);
  return v;
}

TEST(Window, MapsCentreWidthToUnitRangeAndClamps) {
  auto v = row({-1000, -160, -60, 40, 240, 3000});
  apply_window(v, 40, 400);
  EXPECT_FLOAT_EQ(v.data[0], 0);
  EXPECT_FLOAT_EQ(v.data[1], 0);
  EXPECT_FLOAT_EQ(v.data[2], 0.25);
  EXPECT_FLOAT_EQ(v.data[3], 0.5);
  EXPECT_FLOAT_EQ(v.data[4], 1);
  EXPECT_FLOAT_EQ(v.data[5], 1);
}

TEST(Normalise, ZScore) {
  auto v = row({1, 2, 3, 4});
  const auto [mean, sd] = apply_normalise(v, {});
  EXPECT_DOUBLE_EQ(mean, 2.5);
  EXPECT_NEAR(sd, std::sqrt(1.25), 1e-12);
  EXPECT_NEAR(v.data[0], -1.5 / std::sqrt(1.25), 1e-6);
  EXPECT_NEAR(v.data[3], 1.5 / std::sqrt(1.25), 1e-6);
}

TEST(Normalise, MinMaxFixedClipAndMask) {
  auto a = row({10, 20, 30});
  NormaliseOptions mm;
  mm.mode = NormaliseMode::minmax;
  apply_normalise(a, mm);
  EXPECT_EQ(a.data, (std::vector<float>{0, 0.5, 1}));

  auto b = row({-2000, 0, 100, 5000});
  NormaliseOptions fixed;
  fixed.mode = NormaliseMode::fixed;
  fixed.mean = 100;
  fixed.std = 50;
  fixed.clip = std::make_pair(-1000.0, 1000.0);
  apply_normalise(b, fixed);
  EXPECT_EQ(b.data, (std::vector<float>{-22, -2, 0, 18}));

  // Statistics over voxels above -500 only (the body, not the air).
  auto c = row({-1000, -1000, 0, 10, 20});
  NormaliseOptions masked;
  masked.mask_above = -500;
  const auto [mean, sd] = apply_normalise(c, masked);
  EXPECT_DOUBLE_EQ(mean, 10);
  EXPECT_NEAR(sd, std::sqrt(200.0 / 3), 1e-9);
}

TEST(Normalise, ConstantVolumeBecomesZerosNotNan) {
  auto v = row({7, 7, 7});
  apply_normalise(v, {});
  EXPECT_EQ(v.data, (std::vector<float>{0, 0, 0}));
  auto w = row({7, 7});
  NormaliseOptions mm;
  mm.mode = NormaliseMode::minmax;
  apply_normalise(w, mm);
  EXPECT_EQ(w.data, (std::vector<float>{0, 0}));
}

Volume<int> numbered(int nx, int ny, int nz) {
  Volume<int> v(nx, ny, nz);
  v.spacing = {0.5, 1, 2};
  v.origin = {10, 20, 30};
  for (std::size_t n = 0; n < v.data.size(); ++n) v.data[n] = static_cast<int>(n) + 1;
  return v;
}

TEST(CropPad, CentreCropRecordsOffsetAndMovesOrigin) {
  const auto v = numbered(5, 4, 3);
  const auto c = crop_pad(v, {3, 2, 3});
  EXPECT_EQ(c.offset, (std::array<int, 3>{1, 1, 0}));
  EXPECT_EQ(c.volume.nx, 3);
  EXPECT_EQ(c.volume.at(0, 0, 0), v.at(1, 1, 0));
  EXPECT_EQ(c.volume.at(2, 1, 2), v.at(3, 2, 2));
  EXPECT_DOUBLE_EQ(c.volume.origin[0], 10.5);
  EXPECT_DOUBLE_EQ(c.volume.origin[1], 21);
  EXPECT_DOUBLE_EQ(c.volume.origin[2], 30);
}

TEST(CropPad, PadCentresAndFillsAndUncropRestores) {
  const auto v = numbered(3, 3, 1);
  const auto c = crop_pad(v, {5, 6, 1}, -1);
  EXPECT_EQ(c.offset, (std::array<int, 3>{-1, -2, 0}));  // odd padding: the extra voxel goes before
  EXPECT_EQ(c.volume.at(0, 0, 0), -1);
  EXPECT_EQ(c.volume.at(1, 2, 0), v.at(0, 0, 0));
  EXPECT_EQ(c.volume.at(4, 5, 0), -1);
  EXPECT_DOUBLE_EQ(c.volume.origin[0], 9.5);
  const auto back = uncrop(c.volume, c.offset, v, 0);
  EXPECT_EQ(back.data, v.data);
}

TEST(CropPad, AroundABoundingBoxCentresOnIt) {
  const auto v = numbered(20, 20, 10);
  const auto c = crop_pad(v, {4, 4, 2}, 0, BoundingBox{{14, 2, 6}, {17, 5, 7}});
  EXPECT_EQ(c.offset, (std::array<int, 3>{14, 2, 6}));
  // A box near the edge: the region may run past it and is padded there.
  const auto e = crop_pad(v, {6, 6, 2}, 0, BoundingBox{{18, 0, 0}, {19, 1, 1}});
  EXPECT_EQ(e.offset, (std::array<int, 3>{16, -2, 0}));
  EXPECT_EQ(e.volume.at(5, 5, 0), 0);  // x = 21 is beyond the source
}

TEST(LabelOps, ArgmaxTakesTheLowestIndexOnTiesAndOneChannelThresholds) {
  std::vector<Volume<float>> ch = {row({0.2f, 0.5f, 0.1f}), row({0.3f, 0.5f, 0.1f}), row({0.5f, 0.0f, 0.8f})};
  auto l = argmax(ch);
  ASSERT_TRUE(l.is_ok());
  EXPECT_EQ(l->data, (std::vector<std::uint8_t>{2, 0, 2}));
  auto one = argmax({row({0.49f, 0.5f, 0.9f})});
  EXPECT_EQ(one->data, (std::vector<std::uint8_t>{0, 1, 1}));
  EXPECT_FALSE(argmax({}).is_ok());
  Volume<float> other(3, 1, 2);
  EXPECT_FALSE(argmax({row({1, 2, 3}), other}).is_ok());
}

TEST(LabelOps, ThresholdIsInclusive) {
  EXPECT_EQ(threshold(row({0.1f, 0.5f, 0.7f}), 0.5).data, (std::vector<std::uint8_t>{0, 1, 1}));
}

}  // namespace
}  // namespace medai::imaging
