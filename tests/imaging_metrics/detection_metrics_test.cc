// FROC / CPM (LUNA16 definition) against hand-computed values.
#include "evaluation/detection_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::evaluation {
namespace {

TEST(DetectionMetrics, LunaRulesByHand) {
  // Scan A: N1 (0,0,0) d10, N2 (50,0,0) d6. Scan B: N3 (0,0,0) d8 and an
  // excluded finding at (100,0,0). 4 scans in the test set (2 without anything).
  std::vector<ReferenceNodule> nodules{{"A", {0, 0, 0}, 10},
                                       {"A", {50, 0, 0}, 6},
                                       {"B", {0, 0, 0}, 8},
                                       {"B", {100, 0, 0}, 10, true}};
  std::vector<NoduleDetection> det{
      {"A", {1, 0, 0}, 0.9},     // hits N1
      {"A", {2, 0, 0}, 0.5},     // second hit on N1: neither TP nor FP
      {"A", {50, 2.9, 0}, 0.4},  // hits N2 (2.9 < 3)
      {"A", {50, 3, 0}, 0.95},   // exactly on the radius: not a hit -> FP
      {"B", {0, 0, 3.9}, 0.3},   // hits N3
      {"B", {100, 0, 0}, 0.99},  // hits the excluded finding: ignored
      {"B", {30, 0, 0}, 0.6},    // FP
      {"A", {0, 0, 40}, 0.8},    // FP (far from everything)
      {"C", {0, 0, 0}, 0.1}};    // FP on a scan without nodules... below every TP
  auto r = compute_froc(nodules, det, 4);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_EQ(r->nodules, 3);
  EXPECT_EQ(r->detected_nodules, 3);
  EXPECT_EQ(r->false_positives, 4);
  EXPECT_EQ(r->matched_detections, 5);
  // Thresholds .99? no (ignored). Points: (0,0) .95:(.25,0) .9:(.25,1/3) .8:(.5,1/3)
  // .6:(.75,1/3) .4:(.75,2/3) .3:(.75,1) .1:(1,1)
  ASSERT_EQ(r->curve.size(), 8u);
  EXPECT_DOUBLE_EQ(r->curve[2].fps_per_scan, 0.25);
  EXPECT_NEAR(r->curve[2].sensitivity, 1.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(r->curve[7].fps_per_scan, 1.0);
  // At 1/8: between (0,0) and (.25,0) -> 0. At 1/4: best at that rate -> 1/3.
  // At 1/2: 1/3. At 1, 2, 4, 8: 1.
  const double expected[7] = {0, 1.0 / 3, 1.0 / 3, 1, 1, 1, 1};
  for (int i = 0; i < 7; ++i) EXPECT_NEAR(r->sensitivity_at[i], expected[i], 1e-12) << kCpmFpRates[i];
  EXPECT_NEAR(r->cpm, 2.0 / 3, 1e-12);  // (0 + 1/3 + 1/3 + 4) / 7
}

TEST(DetectionMetrics, TiedScoresInterpolateLinearly) {
  // One scan, one nodule hit at 0.5 and one FP at 0.5: one point (1 FP, 1.0),
  // so sensitivity at r < 1 is r (numpy.interp from (0,0)).
  auto r = compute_froc({{"s", {0, 0, 0}, 10}}, {{"s", {0, 0, 0}, 0.5}, {"s", {40, 0, 0}, 0.5}}, 1);
  ASSERT_TRUE(r.is_ok());
  EXPECT_NEAR(r->sensitivity_at[0], 0.125, 1e-12);
  EXPECT_NEAR(r->sensitivity_at[2], 0.5, 1e-12);
  EXPECT_NEAR(r->sensitivity_at[3], 1.0, 1e-12);
  EXPECT_NEAR(r->cpm, (0.125 + 0.25 + 0.5 + 4) / 7, 1e-12);
}

TEST(DetectionMetrics, DetectionsOnAnotherScanDoNotHit) {
  auto r = compute_froc({{"a", {0, 0, 0}, 10}}, {{"b", {0, 0, 0}, 0.9}}, 2);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->detected_nodules, 0);
  EXPECT_EQ(r->false_positives, 1);
  EXPECT_DOUBLE_EQ(r->cpm, 0);
}

TEST(DetectionMetrics, PerfectDetectorWithoutFalsePositivesScoresOne) {
  auto r = compute_froc({{"a", {0, 0, 0}, 5}, {"b", {9, 9, 9}, 5}}, {{"a", {0, 0, 1}, 0.7}, {"b", {9, 9, 9}, 0.2}}, 2);
  ASSERT_TRUE(r.is_ok());
  EXPECT_DOUBLE_EQ(r->cpm, 1.0);
  auto j = to_json(*r);
  EXPECT_DOUBLE_EQ(j["cpm"], 1.0);
  EXPECT_EQ(j["sensitivity_at"].size(), 7u);
  EXPECT_TRUE(j["curve"][0][2].is_null());  // the (0,0) start has no threshold
}

TEST(DetectionMetrics, BadInputListsEveryProblem) {
  auto r = compute_froc({{"a", {0, 0, 0}, -1}, {"a", {NAN, 0, 0}, 4}}, {{"a", {0, 0, 0}, NAN}}, 0);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(r.status().detail()["problems"].size(), 4u);
}

}  // namespace
}  // namespace medai::evaluation
