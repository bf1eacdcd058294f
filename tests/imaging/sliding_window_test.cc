#include "imaging/ops/sliding_window.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::imaging {
namespace {

Volume<float> ramp(int nx, int ny, int nz) {
  Volume<float> v(nx, ny, nz);
  for (std::size_t n = 0; n < v.data.size(); ++n) v.data[n] = static_cast<float>(n % 97) * 0.25f;
  return v;
}

PatchInferFn constant_model(std::vector<float> per_channel) {
  return [per_channel](const std::vector<float>& batch, int b, const std::array<int, 3>& p) -> Result<std::vector<float>> {
    const std::size_t voxels = static_cast<std::size_t>(p[0]) * p[1] * p[2];
    EXPECT_EQ(batch.size(), voxels * b);
    std::vector<float> out;
    for (int n = 0; n < b; ++n)
      for (float c : per_channel) out.insert(out.end(), voxels, c);
    return out;
  };
}

// Returns its input: a perfect model of the identity.
Result<std::vector<float>> identity_model(const std::vector<float>& batch, int, const std::array<int, 3>&) {
  return batch;
}

TEST(SlidingWindow, StartsSpreadEvenlyToTheEdge) {
  EXPECT_EQ(window_starts(10, 4, 0.5), (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(window_starts(11, 4, 0.5), (std::vector<int>{0, 2, 4, 5, 7}));  // 5 starts, 1.75 apart, rounded
  EXPECT_EQ(window_starts(8, 4, 0), (std::vector<int>{0, 4}));
  EXPECT_EQ(window_starts(3, 4, 0.5), (std::vector<int>{0}));
  EXPECT_EQ(window_starts(4, 4, 0.5), (std::vector<int>{0}));
}

TEST(SlidingWindow, GaussianImportanceMapPeaksAtTheCentreWithSigmaOneEighth) {
  const std::array<int, 3> p{17, 9, 33};
  const auto m = importance_map(p, Blend::gaussian);
  auto at = [&](int i, int j, int k) { return m[(static_cast<std::size_t>(k) * p[1] + j) * p[0] + i]; };
  EXPECT_FLOAT_EQ(at(8, 4, 16), 1.0f);
  // One sigma (17/8 voxels) off centre along i: exp(-1/2); check at 2 voxels.
  EXPECT_NEAR(at(10, 4, 16), std::exp(-0.5 * 4 / (17.0 / 8 * 17.0 / 8)), 1e-6);
  EXPECT_FLOAT_EQ(at(0, 4, 16), at(16, 4, 16));  // symmetric
  float lo = 1;
  for (float v : m) lo = std::min(lo, v);
  EXPECT_GT(lo, 0.0f);  // corners keep a little weight
}

TEST(SlidingWindow, ConstantModelBlendsToThatConstantEverywhere) {
  for (Blend blend : {Blend::gaussian, Blend::constant}) {
    SlidingWindowOptions o;
    o.patch_size = {8, 6, 4};
    o.overlap = 0.5;
    o.blend = blend;
    o.batch_size = 3;
    auto r = sliding_window(ramp(21, 13, 9), constant_model({0.25f, 0.75f}), o);
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_EQ(r->size(), 2u);
    for (float v : (*r)[0].data) ASSERT_NEAR(v, 0.25f, 1e-6);
    for (float v : (*r)[1].data) ASSERT_NEAR(v, 0.75f, 1e-6);
    EXPECT_EQ((*r)[0].nx, 21);
    EXPECT_EQ((*r)[0].nz, 9);
  }
}

TEST(SlidingWindow, IdentityModelReturnsTheInputAndGeometry) {
  Volume<float> in = ramp(19, 11, 7);
  in.spacing = {0.5, 0.6, 2};
  in.origin = {1, 2, 3};
  SlidingWindowOptions o;
  o.patch_size = {8, 8, 4};
  o.overlap = 0.25;
  auto r = sliding_window(in, identity_model, o);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE((*r)[0].same_grid(in));
  for (std::size_t n = 0; n < in.data.size(); ++n) ASSERT_NEAR((*r)[0].data[n], in.data[n], 1e-4);
}

TEST(SlidingWindow, VolumeSmallerThanAPatchIsPaddedAndCroppedBack) {
  const Volume<float> in = ramp(5, 3, 2);
  SlidingWindowOptions o;
  o.patch_size = {8, 8, 8};
  o.pad_value = -7;
  int calls = 0;
  auto r = sliding_window(
      in,
      [&](const std::vector<float>& batch, int b, const std::array<int, 3>& p) -> Result<std::vector<float>> {
        ++calls;
        EXPECT_EQ(b, 1);
        EXPECT_EQ(batch.front(), -7);  // padding sits around the volume
        return batch;
      },
      o);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ((*r)[0].nx, 5);
  for (std::size_t n = 0; n < in.data.size(); ++n) ASSERT_NEAR((*r)[0].data[n], in.data[n], 1e-5);
}

TEST(SlidingWindow, ModelErrorsAndBadShapesAndCancellationAreReported) {
  SlidingWindowOptions o;
  o.patch_size = {4, 4, 4};
  auto failing = [](const std::vector<float>&, int, const std::array<int, 3>&) -> Result<std::vector<float>> {
    return make_error(ErrorCode::unavailable, "model not loaded");
  };
  EXPECT_EQ(sliding_window(ramp(8, 8, 8), failing, o).status().code(), ErrorCode::unavailable);
  auto short_answer = [](const std::vector<float>& b, int, const std::array<int, 3>&) -> Result<std::vector<float>> {
    return std::vector<float>(b.size() - 1);
  };
  EXPECT_EQ(sliding_window(ramp(8, 8, 8), short_answer, o).status().code(), ErrorCode::unprocessable);
  int batches = 0;
  o.progress = [&](double) { return ++batches < 2; };
  const Status s = sliding_window(ramp(8, 8, 8), identity_model, o).status();
  EXPECT_EQ(s.detail()["reason"], "cancelled");
  EXPECT_EQ(batches, 2);
  o.progress = nullptr;
  o.overlap = 1.0;
  EXPECT_EQ(sliding_window(ramp(8, 8, 8), identity_model, o).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::imaging
