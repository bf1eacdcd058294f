#include "imaging/ops/measure.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::imaging {
namespace {

TEST(MeasureAxes, RectangleAndSinglePixelEdgeToEdge) {
  // 6 x 2 pixels at 0.5 x 1 mm: 3 mm wide, 2 mm tall; marching squares cut
  // the corners, so the long axis is a little under the 3.6 mm diagonal.
  std::vector<std::uint8_t> m(10 * 6, 0);
  for (int j = 2; j < 4; ++j)
    for (int i = 2; i < 8; ++i) m[j * 10 + i] = 1;
  const AxisPair a = measure_axes(m.data(), 10, 6, 0.5, 1);
  EXPECT_GE(a.long_mm, 3.0 - 1e-9);
  EXPECT_LE(a.long_mm, std::hypot(3.0, 2.0));
  EXPECT_GT(a.short_mm, 1.0);
  EXPECT_LE(a.short_mm, a.long_mm);
  std::vector<std::uint8_t> one(9, 0);
  one[4] = 1;
  const AxisPair p = measure_axes(one.data(), 3, 3, 0.7, 0.7);
  EXPECT_NEAR(p.long_mm, 0.7, 1e-9);
  EXPECT_NEAR(p.short_mm, 0.7, 1e-9);
}

TEST(MeasureAxes, RotatedEllipseGivesItsAxesWithinOnePixel) {
  const int n = 80;
  const double a = 25, b = 10, th = 30 * M_PI / 180;  // semi-axes in pixels
  std::vector<std::uint8_t> m(n * n, 0);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double x = i - 40, y = j - 40;
      const double u = x * std::cos(th) + y * std::sin(th), v = -x * std::sin(th) + y * std::cos(th);
      m[j * n + i] = (u * u) / (a * a) + (v * v) / (b * b) <= 1;
    }
  const double s = 0.6;
  const AxisPair ax = measure_axes(m.data(), n, n, s, s);
  EXPECT_NEAR(ax.long_mm, 2 * a * s, s);
  EXPECT_NEAR(ax.short_mm, 2 * b * s, s);
  // The short axis is perpendicular to the long one.
  const double lx = ax.long_ends[1][0] - ax.long_ends[0][0], ly = ax.long_ends[1][1] - ax.long_ends[0][1];
  const double sx = ax.short_ends[1][0] - ax.short_ends[0][0], sy = ax.short_ends[1][1] - ax.short_ends[0][1];
  EXPECT_NEAR((lx * sx + ly * sy) / (std::hypot(lx, ly) * std::hypot(sx, sy)), 0, 1e-9);
  // And the long axis runs along the ellipse's major axis (30°), within 3°.
  EXPECT_NEAR(std::fabs(std::atan2(ly, lx)), th, 3 * M_PI / 180);
}

TEST(Measure, DigitalSpheresMeasureTheirDiameterWithinOneVoxel) {
  for (double radius_mm : {3.0, 5.5, 12.0}) {
    Volume<std::uint8_t> m(64, 64, 40);
    m.spacing = {0.7, 0.7, 1.25};
    m.origin = {-20, -20, -100};
    const Vec3 c = m.position(31.3, 30.6, 19.2);
    Volume<float> hu = m.like<float>(-800.0f);
    for (int k = 0; k < m.nz; ++k)
      for (int j = 0; j < m.ny; ++j)
        for (int i = 0; i < m.nx; ++i)
          if ((m.position(i, j, k) - c).norm2() <= radius_mm * radius_mm) {
            m.at(i, j, k) = 1;
            hu.at(i, j, k) = 35;
          }
    const Components comps = connected_components(m);
    ASSERT_EQ(comps.stats.size(), 1u);
    const auto ms = measure(comps, &hu);
    ASSERT_EQ(ms.size(), 1u);
    const Measurement& r = ms[0];
    EXPECT_NEAR(r.long_axis_mm, 2 * radius_mm, 0.7) << radius_mm;
    EXPECT_NEAR(r.short_axis_mm, 2 * radius_mm, 0.7) << radius_mm;
    EXPECT_LE(r.short_axis_mm, r.long_axis_mm);
    EXPECT_NEAR(r.volume_mm3, 4.0 / 3 * M_PI * std::pow(radius_mm, 3), 0.15 * 4.0 / 3 * M_PI * std::pow(radius_mm, 3));
    ASSERT_TRUE(r.mean_intensity.has_value());
    EXPECT_DOUBLE_EQ(*r.mean_intensity, 35);
    EXPECT_NEAR(r.centroid.x, c.x, 0.35);
    EXPECT_NEAR(r.centroid.z, c.z, 0.7);
    // The axes are drawn on the slice through the middle.
    EXPECT_NEAR(r.long_axis_ends[0].z, c.z, 1.25);
    EXPECT_NEAR(std::sqrt((r.long_axis_ends[1] - r.long_axis_ends[0]).norm2()), r.long_axis_mm, 1e-9);
  }
}

TEST(Measure, MeanIntensityIsSampledOnAnotherGridByPosition) {
  // Labels on a 1 mm grid, HU on the original 0.5 mm grid (left half 10, right half 50).
  Volume<float> hu(40, 40, 10);
  hu.spacing = {0.5, 0.5, 1};
  for (int k = 0; k < hu.nz; ++k)
    for (int j = 0; j < hu.ny; ++j)
      for (int i = 0; i < hu.nx; ++i) hu.at(i, j, k) = i < 20 ? 10 : 50;
  Volume<std::uint8_t> m(20, 20, 10);
  m.spacing = {1, 1, 1};
  for (int k = 2; k < 5; ++k)
    for (int j = 5; j < 10; ++j)
      for (int i = 2; i < 6; ++i) m.at(i, j, k) = 1;  // x = 2..5 mm → HU voxels 4..10 → 10
  const auto ms = measure(connected_components(m), &hu);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_DOUBLE_EQ(*ms[0].mean_intensity, 10);
}

}  // namespace
}  // namespace medai::imaging
