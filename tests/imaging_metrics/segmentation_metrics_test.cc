// Segmentation metrics against hand-computed values and a brute-force
// surface-distance reference.
#include "evaluation/segmentation_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace medai::evaluation {
namespace {

using imaging::Volume;

TEST(SegmentationMetrics, DiceHausdorffAndVolumeOnALineByHand) {
  // 10x1x1 grid, 0.5 mm along x: every foreground voxel is on the surface.
  // P = x 2..4, R = x 2..6. P->R distances 0,0,0; R->P 0,0,0,0.5,1.0.
  // Pooled, sorted: 0,0,0,0,0,0,0.5,1.0 (8 values); 95th percentile at
  // position 0.95 * 7 = 6.65 -> 0.5 + 0.65 * 0.5 = 0.825 mm.
  Volume<std::uint8_t> p(10, 1, 1), r(10, 1, 1);
  p.spacing = r.spacing = {0.5, 1, 1};
  for (int i = 2; i <= 4; ++i) p.at(i, 0, 0) = 1;
  for (int i = 2; i <= 6; ++i) r.at(i, 0, 0) = 1;
  auto s = score_segmentation(p, r);
  ASSERT_TRUE(s.is_ok());
  EXPECT_DOUBLE_EQ(s->dice, 0.75);  // 2*3 / (3+5)
  ASSERT_TRUE(s->hd95_mm.has_value());
  EXPECT_NEAR(*s->hd95_mm, 0.825, 1e-12);
  EXPECT_NEAR(s->predicted_ml, 1.5e-3, 1e-15);  // 3 voxels of 0.5 mm^3
  EXPECT_NEAR(s->reference_ml, 2.5e-3, 1e-15);
  EXPECT_NEAR(s->volume_error_ml, -1e-3, 1e-15);
  ASSERT_TRUE(s->relative_volume_error.has_value());
  EXPECT_NEAR(*s->relative_volume_error, -0.4, 1e-12);
}

TEST(SegmentationMetrics, AnisotropicSpacingEntersTheDistance) {
  // Two single voxels 3 apart in x at 2 mm and 1 apart in z at 3 mm: sqrt(36 + 9).
  Volume<std::uint8_t> p(6, 3, 3), r(6, 3, 3);
  p.spacing = r.spacing = {2, 1, 3};
  p.at(1, 1, 1) = 1;
  r.at(4, 1, 2) = 1;
  auto s = score_segmentation(p, r);
  ASSERT_TRUE(s.is_ok());
  EXPECT_DOUBLE_EQ(s->dice, 0);
  EXPECT_NEAR(*s->hd95_mm, std::sqrt(45.0), 1e-12);
}

TEST(SegmentationMetrics, IdenticalMasksScorePerfectly) {
  Volume<std::uint8_t> m(8, 8, 8);
  for (int k = 2; k < 6; ++k)
    for (int j = 2; j < 6; ++j)
      for (int i = 2; i < 6; ++i) m.at(i, j, k) = 1;
  auto s = score_segmentation(m, m);
  ASSERT_TRUE(s.is_ok());
  EXPECT_DOUBLE_EQ(s->dice, 1);
  EXPECT_DOUBLE_EQ(*s->hd95_mm, 0);
  EXPECT_DOUBLE_EQ(s->volume_error_ml, 0);
}

// Brute force: surface voxels by definition, nearest distances by exhaustive search.
double brute_hd95(const Volume<std::uint8_t>& a, const Volume<std::uint8_t>& b) {
  auto surface = [](const Volume<std::uint8_t>& m) {
    std::vector<std::array<int, 3>> out;
    for (int k = 0; k < m.nz; ++k)
      for (int j = 0; j < m.ny; ++j)
        for (int i = 0; i < m.nx; ++i) {
          if (!m.at(i, j, k)) continue;
          bool s = i == 0 || j == 0 || k == 0 || i == m.nx - 1 || j == m.ny - 1 || k == m.nz - 1;
          if (!s)
            s = !m.at(i - 1, j, k) || !m.at(i + 1, j, k) || !m.at(i, j - 1, k) || !m.at(i, j + 1, k) ||
                !m.at(i, j, k - 1) || !m.at(i, j, k + 1);
          if (s) out.push_back({i, j, k});
        }
    return out;
  };
  const auto sa = surface(a), sb = surface(b);
  std::vector<double> d;
  auto directed = [&](const auto& from, const auto& to) {
    for (const auto& p : from) {
      double best = INFINITY;
      for (const auto& q : to) {
        double s = 0;
        for (int x = 0; x < 3; ++x) s += std::pow((p[x] - q[x]) * a.spacing[x], 2);
        best = std::min(best, s);
      }
      d.push_back(std::sqrt(best));
    }
  };
  directed(sa, sb);
  directed(sb, sa);
  return percentile(d, 95);
}

TEST(SegmentationMetrics, Hd95MatchesBruteForceOnRandomBlobs) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    Volume<std::uint8_t> p(13, 11, 9), r(13, 11, 9);
    p.spacing = r.spacing = {0.7, 1.3, 2.5};
    std::uniform_int_distribution<int> coin(0, 3);
    for (int k = 1; k < 8; ++k)
      for (int j = 1; j < 10; ++j)
        for (int i = 1; i < 12; ++i) {
          p.at(i, j, k) = (i + j + k < 14 + trial % 5) && coin(rng) != 0;
          r.at(i, j, k) = (i > 3 + trial % 4) && coin(rng) != 0;
        }
    auto s = score_segmentation(p, r);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE(s->hd95_mm.has_value());
    EXPECT_NEAR(*s->hd95_mm, brute_hd95(p, r), 1e-9) << "trial " << trial;
  }
}

TEST(SegmentationMetrics, EmptyMasksFollowTheStatedConventions) {
  Volume<std::uint8_t> empty(4, 4, 4), one(4, 4, 4);
  one.at(1, 1, 1) = 1;
  auto both = score_segmentation(empty, empty);
  EXPECT_DOUBLE_EQ(both->dice, 1);
  EXPECT_FALSE(both->hd95_mm.has_value());
  EXPECT_FALSE(both->relative_volume_error.has_value());
  auto missed = score_segmentation(empty, one);
  EXPECT_DOUBLE_EQ(missed->dice, 0);
  EXPECT_FALSE(missed->hd95_mm.has_value());
  EXPECT_DOUBLE_EQ(*missed->relative_volume_error, -1);
  auto j = to_json(*missed);
  EXPECT_TRUE(j["hd95_mm"].is_null());
  EXPECT_EQ(j["dice"], 0.0);
}

TEST(SegmentationMetrics, DifferentGridsAreRefused) {
  Volume<std::uint8_t> a(4, 4, 4), b(4, 4, 5), c(4, 4, 4);
  c.spacing = {1, 1, 2};
  EXPECT_EQ(score_segmentation(a, b).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(score_segmentation(a, c).status().code(), ErrorCode::invalid_argument);
}

TEST(SegmentationMetrics, PercentileAndDistributionMatchNumpy) {
  EXPECT_NEAR(percentile({4, 1, 3, 2}, 95), 3.85, 1e-12);  // numpy.percentile([1,2,3,4], 95)
  EXPECT_NEAR(percentile({4, 1, 3, 2}, 25), 1.75, 1e-12);
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
  auto d = distribution({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(d["mean"], 2.5);
  EXPECT_DOUBLE_EQ(d["median"], 2.5);
  EXPECT_NEAR(d["std"].get<double>(), std::sqrt(1.25), 1e-12);
  EXPECT_EQ(distribution({})["n"], 0);
}

TEST(SegmentationMetrics, SummaryIsPerStructure) {
  SegmentationScore a, b, c;
  a.dice = 0.8;
  a.hd95_mm = 2;
  b.dice = 0.6;  // hd95 undefined
  c.dice = 1.0;
  c.hd95_mm = 0;
  auto j = summarise_segmentation({{"case1", "PTV", a}, {"case2", "PTV", b}, {"case1", "Heart", c}});
  EXPECT_DOUBLE_EQ(j["structures"]["PTV"]["dice"]["mean"], 0.7);
  EXPECT_EQ(j["structures"]["PTV"]["hd95_undefined"], 1);
  EXPECT_EQ(j["structures"]["PTV"]["hd95_mm"]["n"], 1);
  EXPECT_DOUBLE_EQ(j["mean_dice"], 0.85);  // mean of per-structure means (0.7, 1.0)
}

}  // namespace
}  // namespace medai::evaluation
