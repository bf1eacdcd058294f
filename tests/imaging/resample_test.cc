#include "imaging/ops/resample.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::imaging {
namespace {

template <typename F>
Volume<float> filled(int nx, int ny, int nz, std::array<double, 3> spacing, F f) {
  Volume<float> v(nx, ny, nz);
  v.spacing = spacing;
  v.origin = {-10, 20, 5};
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) v.at(i, j, k) = static_cast<float>(f(v.position(i, j, k)));
  return v;
}

TEST(Resample, GridKeepsTheExtentCentred) {
  Volume<float> v(10, 8, 5);
  v.spacing = {0.7, 0.7, 2.5};
  v.origin = {0, 0, 0};
  const auto g = grid_for_spacing(v, {1, 1, 1});
  EXPECT_EQ(g.nx, 7);   // 7.0 mm
  EXPECT_EQ(g.ny, 6);   // 5.6 mm → 6
  EXPECT_EQ(g.nz, 13);  // 12.5 mm → 13 (round half up)
  // Centres coincide: old centre (n-1)*s/2, new centre origin + (m-1)/2.
  EXPECT_NEAR(g.origin[0] + 3.0, 4.5 * 0.7, 1e-12);
  EXPECT_NEAR(g.origin[1] + 2.5, 3.5 * 0.7, 1e-12);
  EXPECT_NEAR(g.origin[2] + 6.0, 2.0 * 2.5, 1e-12);
}

TEST(Resample, TrilinearReproducesALinearFunctionInside) {
  auto f = [](const Vec3& p) { return 2 * p.x - 3 * p.y + 0.5 * p.z + 7; };
  const auto v = filled(20, 18, 12, {0.7, 0.8, 2.5}, f);
  const auto r = resample_to_spacing(v, {1, 1, 1});
  int checked = 0;
  for (int k = 0; k < r.nz; ++k)
    for (int j = 0; j < r.ny; ++j)
      for (int i = 0; i < r.nx; ++i) {
        const Vec3 p = r.position(i, j, k);
        const Vec3 s = v.voxel(p);
        if (s.x < 0 || s.y < 0 || s.z < 0 || s.x > v.nx - 1 || s.y > v.ny - 1 || s.z > v.nz - 1) continue;
        ASSERT_NEAR(r.at(i, j, k), f(p), 1e-3) << i << "," << j << "," << k;
        ++checked;
      }
  EXPECT_GT(checked, r.nx * r.ny * r.nz / 2);
}

TEST(Resample, ThereAndBackErrorIsBounded) {
  // A smooth image (amplitude 100, period 20 mm) at 0.7 mm → 1 mm → 0.7 mm:
  // away from the border the error stays within linear interpolation's
  // bound h²/8 · max|f''| per pass and axis (x and y curve; z is linear).
  auto f = [](const Vec3& p) { return 100 * std::sin(p.x * 2 * M_PI / 20) * std::cos(p.y * 2 * M_PI / 20) + p.z; };
  const auto v = filled(40, 40, 10, {0.7, 0.7, 1.5}, f);
  const auto there = resample_to_spacing(v, {1, 1, 1});
  const auto back = resample_to_grid(there, v);
  ASSERT_TRUE(back.same_grid(v));
  double worst = 0;
  for (int k = 1; k < v.nz - 1; ++k)
    for (int j = 2; j < v.ny - 2; ++j)
      for (int i = 2; i < v.nx - 2; ++i) worst = std::max(worst, std::fabs(double(back.at(i, j, k) - v.at(i, j, k))));
  const double curvature = 100 * std::pow(2 * M_PI / 20, 2);
  const double bound = 2 * (1.0 * 1.0 + 0.7 * 0.7) / 8 * curvature;  // ≈ 3.7, i.e. < 4% of the amplitude
  EXPECT_LT(worst, bound);
  EXPECT_GT(worst, 0.1);  // and the test can fail: resampling is not the identity
}

TEST(Resample, LabelsUseNearestAndSurviveARoundTripToAFinerGrid) {
  Volume<std::uint8_t> l(12, 10, 6);
  l.spacing = {0.8, 0.8, 2};
  for (int k = 1; k < 5; ++k)
    for (int j = 2; j < 7; ++j)
      for (int i = 3; i < 9; ++i) l.at(i, j, k) = static_cast<std::uint8_t>(1 + (i + j) % 3);
  const auto fine = resample_to_spacing(l, {0.4, 0.4, 1});
  EXPECT_EQ(fine.nx, 24);
  EXPECT_EQ(fine.nz, 12);
  for (auto v : fine.data) ASSERT_LE(v, 3);  // no blended label values
  const auto back = resample_to_grid(fine, l);
  EXPECT_EQ(back.data, l.data);
}

TEST(Resample, ObliqueDirectionIsKeptAndGeometryHonoured) {
  const double c = std::cos(0.5), s = std::sin(0.5);
  auto f = [](const Vec3& p) { return p.x + 2 * p.y + 3 * p.z; };
  Volume<float> v(16, 16, 8);
  v.spacing = {0.9, 0.9, 2};
  v.direction = {c, -s, 0, s, c, 0, 0, 0, 1};
  v.origin = {3, -4, 10};
  for (int k = 0; k < v.nz; ++k)
    for (int j = 0; j < v.ny; ++j)
      for (int i = 0; i < v.nx; ++i) v.at(i, j, k) = static_cast<float>(f(v.position(i, j, k)));
  const auto r = resample_to_spacing(v, {1.2, 1.2, 1.2});
  EXPECT_EQ(r.direction, v.direction);
  const Vec3 p = r.position(5, 6, 7);
  EXPECT_NEAR(r.at(5, 6, 7), f(p), 1e-3);
}

TEST(Resample, FarOutsideTakesTheFillValue) {
  Volume<float> v(4, 4, 4, 5.0f);
  Volume<float> far = v.like<float>();
  far.origin = {100, 0, 0};
  const auto r = resample_to_grid(v, far, Interpolation::linear, -1024);
  for (float x : r.data) ASSERT_EQ(x, -1024);
}

}  // namespace
}  // namespace medai::imaging
