// connected_components, nms and contours on known shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "imaging/contours.h"
#include "imaging/ops/connected_components.h"
#include "imaging/ops/contours_op.h"
#include "imaging/ops/nms.h"

namespace medai::imaging {
namespace {

void cube(Volume<std::uint8_t>& v, int i0, int j0, int k0, int size, std::uint8_t value = 1) {
  for (int k = k0; k < k0 + size; ++k)
    for (int j = j0; j < j0 + size; ++j)
      for (int i = i0; i < i0 + size; ++i) v.at(i, j, k) = value;
}

TEST(ConnectedComponents, CornerTouchingCubesJoinOnlyWith26Connectivity) {
  Volume<std::uint8_t> m(10, 10, 10);
  cube(m, 1, 1, 1, 2);  // voxels 1..2
  cube(m, 3, 3, 3, 3);  // voxels 3..5: touches (2,2,2) at a corner only
  ComponentOptions o;
  EXPECT_EQ(connected_components(m, o).stats.size(), 1u);
  o.connectivity = 18;
  EXPECT_EQ(connected_components(m, o).stats.size(), 2u);
  o.connectivity = 6;
  EXPECT_EQ(connected_components(m, o).stats.size(), 2u);
  // Edge-touching: joins with 18, not with 6.
  Volume<std::uint8_t> e(6, 6, 6);
  e.at(1, 1, 1) = 1;
  e.at(2, 2, 1) = 1;
  o.connectivity = 18;
  EXPECT_EQ(connected_components(e, o).stats.size(), 1u);
  o.connectivity = 6;
  EXPECT_EQ(connected_components(e, o).stats.size(), 2u);
}

TEST(ConnectedComponents, StatsInPatientCoordinatesOrderedBySize) {
  Volume<std::uint8_t> m(20, 20, 10);
  m.spacing = {0.5, 0.5, 2};
  m.origin = {-5, 10, 100};
  cube(m, 2, 3, 1, 3);     // 27 voxels, centre voxel (3,4,2)
  cube(m, 10, 10, 5, 4);   // 64 voxels, centre (11.5, 11.5, 6.5)
  m.at(18, 18, 9) = 1;     // 1 voxel: below min size
  // A U-shape that merges late in raster order (tests the union-find).
  for (int i = 14; i <= 18; ++i) m.at(i, 2, 0) = 1;
  for (int j = 0; j <= 2; ++j) m.at(14, j, 0) = m.at(18, j, 0) = 1;
  Volume<float> score = m.like<float>(0.1f);
  score.at(3, 4, 2) = 0.9f;
  ComponentOptions o;
  o.min_voxels = 2;
  const Components c = connected_components(m, o, &score);
  ASSERT_EQ(c.stats.size(), 3u);
  EXPECT_EQ(c.stats[0].voxels, 64);
  EXPECT_EQ(c.stats[1].voxels, 27);
  EXPECT_EQ(c.stats[2].voxels, 9);  // the U: 5 + 2 + 2
  const ComponentStats& s = c.stats[1];
  EXPECT_EQ(s.id, 2);
  EXPECT_DOUBLE_EQ(s.volume_mm3, 27 * 0.5);
  EXPECT_NEAR(s.centroid.x, -5 + 3 * 0.5, 1e-12);
  EXPECT_NEAR(s.centroid.y, 10 + 4 * 0.5, 1e-12);
  EXPECT_NEAR(s.centroid.z, 100 + 2 * 2, 1e-12);
  EXPECT_EQ(s.box.min, (std::array<int, 3>{2, 3, 1}));
  EXPECT_EQ(s.box.max, (std::array<int, 3>{4, 5, 3}));
  EXPECT_FLOAT_EQ(s.score_max, 0.9f);
  EXPECT_NEAR(s.score_mean, (26 * 0.1 + 0.9) / 27, 1e-6);
  EXPECT_NEAR(c.stats[0].centroid_voxel.x, 11.5, 1e-12);
  EXPECT_EQ(c.labels.at(3, 4, 2), 2);
  EXPECT_EQ(c.labels.at(11, 11, 6), 1);
  EXPECT_EQ(c.labels.at(16, 2, 0), 3);
  EXPECT_EQ(c.labels.at(18, 18, 9), 0);  // dropped
  o.max_components = 1;
  EXPECT_EQ(connected_components(m, o).stats.size(), 1u);
}

TEST(ConnectedComponents, PerLabelKeepsTouchingOrgansApart) {
  Volume<std::uint8_t> m(8, 4, 4);
  cube(m, 0, 0, 0, 3, 1);
  cube(m, 3, 0, 0, 3, 2);  // face to face with label 1
  ComponentOptions o;
  EXPECT_EQ(connected_components(m, o).stats.size(), 1u);
  o.per_label = true;
  const auto c = connected_components(m, o);
  ASSERT_EQ(c.stats.size(), 2u);
  EXPECT_EQ(c.stats[0].label, 1);
  EXPECT_EQ(c.stats[1].label, 2);
}

Detection sphere(double x, double r, double score) {
  Detection d;
  d.centre = {x, 0, 0};
  d.radius_mm = r;
  d.score = score;
  return d;
}

TEST(Nms, SphereIouHasKnownValues) {
  EXPECT_NEAR(sphere_iou(sphere(0, 5, 1), sphere(0, 5, 1)), 1, 1e-12);
  EXPECT_EQ(sphere_iou(sphere(0, 5, 1), sphere(10, 5, 1)), 0);
  EXPECT_NEAR(sphere_iou(sphere(0, 1, 1), sphere(0.5, 2, 1)), 1.0 / 8, 1e-12);  // contained
  // Equal spheres at distance r: lens volume 5/12 π r³ → IoU = (5/12)/(8/3 - 5/12).
  EXPECT_NEAR(sphere_iou(sphere(0, 3, 1), sphere(3, 3, 1)), (5.0 / 12) / (8.0 / 3 - 5.0 / 12), 1e-12);
}

TEST(Nms, BoxIouHasKnownValues) {
  Detection a, b;
  a.half_size = b.half_size = {1, 1, 1};
  b.centre = {1, 0, 0};  // half overlap along x
  EXPECT_NEAR(box_iou(a, b), 4.0 / 12, 1e-12);
}

TEST(Nms, KeepsHighestScoresSuppressesOverlapsAndHonoursMax) {
  std::vector<Detection> d = {sphere(0, 5, 0.5), sphere(1, 5, 0.9), sphere(20, 4, 0.7), sphere(40, 4, 0.6),
                              sphere(60, 4, 0.1)};
  for (int n = 0; n < 5; ++n) d[n].source = n;
  NmsOptions o;
  o.iou = 0.3;
  auto kept = nms(d, o);
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(kept[0].source, 1);  // 0.9 wins over the overlapping 0.5
  EXPECT_EQ(kept[1].source, 2);
  EXPECT_EQ(kept[2].source, 3);
  o.max = 2;
  EXPECT_EQ(nms(d, o).size(), 2u);
  o.max = 0;
  o.min_score = 0.55;
  EXPECT_EQ(nms(d, o).size(), 3u);
  NmsOptions dist;
  dist.criterion = NmsCriterion::distance;
  dist.distance_mm = 25;
  kept = nms(d, dist);
  ASSERT_EQ(kept.size(), 2u);  // 1 (0.9) suppresses 0 and 2; 3 suppresses 4
  EXPECT_EQ(kept[1].source, 3);
}

TEST(Contours, SquaresPerSliceAndLabelInPatientCoordinatesRasteriseBack) {
  Volume<std::uint8_t> m(12, 12, 3);
  m.spacing = {0.5, 0.5, 3};
  m.origin = {100, 200, 300};
  cube(m, 2, 2, 0, 3, 1);
  for (int j = 6; j < 10; ++j)
    for (int i = 5; i < 11; ++i) m.at(i, j, 1) = 2;
  m.at(7, 7, 1) = 0;  // a hole
  const auto cs = extract_contours(m);
  ASSERT_EQ(cs.size(), 4u);  // label 1 on slices 0,1,2 and label 2 on slice 1
  EXPECT_EQ(cs[0].label, 1);
  EXPECT_EQ(cs[3].label, 2);
  EXPECT_EQ(cs[3].k, 1);
  ASSERT_EQ(cs[3].loops.size(), 2u);  // outline + hole
  for (const auto& loop : cs[3].loops)
    for (const Vec3& p : loop) EXPECT_DOUBLE_EQ(p.z, 303);
  // Back to pixel coordinates and rasterised with the even-odd rule: the mask again.
  std::vector<Polygon> px;
  for (const auto& loop : cs[3].loops) {
    Polygon poly;
    for (const Vec3& p : loop) poly.push_back({(p.x - 100) / 0.5, (p.y - 200) / 0.5});
    px.push_back(poly);
  }
  for (int j = 0; j < 12; ++j)
    for (int i = 0; i < 12; ++i) EXPECT_EQ(inside_even_odd(px, i, j), m.at(i, j, 1) == 2) << i << "," << j;
  EXPECT_EQ(extract_contours(m, {2}).size(), 1u);
}

}  // namespace
}  // namespace medai::imaging
