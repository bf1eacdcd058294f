#include "evaluation/classification_metrics.h"

#include <gtest/gtest.h>

#include <random>

namespace medai::evaluation {
namespace {

const std::vector<double> kScores = {0.1, 0.4, 0.35, 0.8};
const std::vector<int> kLabels = {0, 0, 1, 1};

TEST(RocAuc, HandComputedExample) {
  // Positive/negative pairs: (0.35 vs 0.1) win, (0.35 vs 0.4) loss,
  // (0.8 vs 0.1) win, (0.8 vs 0.4) win → 3 of 4.
  auto auc = roc_auc(kScores, kLabels);
  ASSERT_TRUE(auc.is_ok());
  EXPECT_DOUBLE_EQ(*auc, 0.75);
}

TEST(RocAuc, TiesCountHalf) {
  // pos {0.5, 0.9} vs neg {0.2, 0.5}: 1 + 0.5 + 1 + 1 = 3.5 of 4.
  EXPECT_DOUBLE_EQ(*roc_auc({0.2, 0.5, 0.5, 0.9}, {0, 0, 1, 1}), 0.875);
  EXPECT_DOUBLE_EQ(*roc_auc({0.5, 0.5, 0.5, 0.5}, {0, 1, 0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(*roc_auc({0.9, 0.1}, {0, 1}), 0.0);
}

TEST(RocAuc, EqualsPairwiseCountOnRandomDataWithTies) {
  std::mt19937_64 rng(7);
  std::vector<double> s;
  std::vector<int> y;
  for (int i = 0; i < 300; ++i) {
    y.push_back(static_cast<int>(rng() % 3 == 0));
    s.push_back(static_cast<double>(rng() % 20) / 20.0 + 0.1 * y.back());  // many ties
  }
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  EXPECT_NEAR(*roc_auc(s, y), wins / pairs, 1e-12);
  // The trapezoidal area under roc_curve() is the same number.
  auto roc = roc_curve(s, y);
  ASSERT_TRUE(roc.is_ok());
  double area = 0;
  for (std::size_t i = 1; i < roc->size(); ++i)
    area += ((*roc)[i].fpr - (*roc)[i - 1].fpr) * ((*roc)[i].tpr + (*roc)[i - 1].tpr) / 2;
  EXPECT_NEAR(area, wins / pairs, 1e-12);
}

TEST(RocCurve, OnePointPerDistinctScore) {
  auto roc = roc_curve(kScores, kLabels);
  ASSERT_TRUE(roc.is_ok());
  ASSERT_EQ(roc->size(), 5u);
  EXPECT_TRUE(std::isinf((*roc)[0].threshold));
  const double expected[][3] = {{0.8, 0, 0.5}, {0.4, 0.5, 0.5}, {0.35, 0.5, 1}, {0.1, 1, 1}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ((*roc)[i + 1].threshold, expected[i][0]);
    EXPECT_DOUBLE_EQ((*roc)[i + 1].fpr, expected[i][1]);
    EXPECT_DOUBLE_EQ((*roc)[i + 1].tpr, expected[i][2]);
  }
}

TEST(Metrics, RefuseBadInput) {
  EXPECT_EQ(roc_auc({0.1, 0.2}, {1}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(roc_auc({0.1, 0.2}, {1, 1}).status().code(), ErrorCode::invalid_argument);  // one class
  EXPECT_EQ(roc_auc({0.1, 0.2}, {1, 2}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(roc_auc({0.1, std::nan("")}, {1, 0}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(roc_auc({}, {}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(calibration({1.5, 0.2}, {1, 0}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(bootstrap_auc_ci(kScores, kLabels, 1).status().code(), ErrorCode::invalid_argument);
}

TEST(OperatingPoint, CountsAtThreshold) {
  auto p = operating_point(kScores, kLabels, 0.4);  // called positive: 0.4 (neg), 0.8 (pos)
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->tp, 1);
  EXPECT_EQ(p->fp, 1);
  EXPECT_EQ(p->tn, 1);
  EXPECT_EQ(p->fn, 1);
  EXPECT_DOUBLE_EQ(p->sensitivity, 0.5);
  EXPECT_DOUBLE_EQ(p->specificity, 0.5);
  EXPECT_DOUBLE_EQ(p->ppv, 0.5);
  EXPECT_DOUBLE_EQ(p->npv, 0.5);
  auto none = operating_point(kScores, kLabels, 0.9);
  EXPECT_DOUBLE_EQ(none->ppv, 0.0);  // undefined → 0
  EXPECT_DOUBLE_EQ(none->specificity, 1.0);
}

TEST(OperatingPoint, TargetSpecificityTakesHighestSensitivity) {
  auto strict = at_target_specificity(kScores, kLabels, 1.0);
  ASSERT_TRUE(strict.is_ok());
  EXPECT_DOUBLE_EQ(strict->threshold, 0.8);
  EXPECT_DOUBLE_EQ(strict->sensitivity, 0.5);
  EXPECT_DOUBLE_EQ(strict->specificity, 1.0);
  auto half = at_target_specificity(kScores, kLabels, 0.5);
  EXPECT_DOUBLE_EQ(half->threshold, 0.35);
  EXPECT_DOUBLE_EQ(half->sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(half->specificity, 0.5);
  // The reported threshold gives the reported counts.
  auto check = operating_point(kScores, kLabels, half->threshold);
  EXPECT_EQ(check->tp, half->tp);
  EXPECT_EQ(check->fp, half->fp);
}

TEST(Calibration, BinsBrierAndEce) {
  auto c = calibration({0.05, 0.15, 0.95, 1.0}, {0, 1, 1, 1}, 10);
  ASSERT_TRUE(c.is_ok());
  ASSERT_EQ(c->bins.size(), 10u);
  EXPECT_EQ(c->bins[0].count, 1);
  EXPECT_DOUBLE_EQ(c->bins[0].observed_rate, 0.0);
  EXPECT_EQ(c->bins[1].count, 1);
  EXPECT_DOUBLE_EQ(c->bins[1].observed_rate, 1.0);
  EXPECT_EQ(c->bins[9].count, 2);  // 1.0 falls in the last bin
  EXPECT_DOUBLE_EQ(c->bins[9].mean_predicted, 0.975);
  EXPECT_NEAR(c->brier, (0.0025 + 0.7225 + 0.0025 + 0) / 4, 1e-12);
  EXPECT_NEAR(c->expected_calibration_error, 0.25 * 0.05 + 0.25 * 0.85 + 0.5 * 0.025, 1e-12);
}

TEST(BootstrapCi, SeededStratifiedAndAroundTheEstimate) {
  std::mt19937_64 rng(3);
  std::vector<double> s;
  std::vector<int> y;
  for (int i = 0; i < 200; ++i) {
    y.push_back(i % 3 == 0);
    s.push_back(static_cast<double>(rng() % 1000) / 1000.0 + 0.3 * y.back());
  }
  auto a = bootstrap_auc_ci(s, y, 500, 0.95, 42);
  auto b = bootstrap_auc_ci(s, y, 500, 0.95, 42);
  auto c = bootstrap_auc_ci(s, y, 500, 0.95, 43);
  ASSERT_TRUE(a.is_ok());
  EXPECT_EQ(a->lower, b->lower);
  EXPECT_EQ(a->upper, b->upper);
  EXPECT_NE(a->lower, c->lower);
  EXPECT_DOUBLE_EQ(a->estimate, *roc_auc(s, y));
  EXPECT_LT(a->lower, a->estimate);
  EXPECT_GT(a->upper, a->estimate);
  // Hanley–McNeil standard error as a sanity bound on the width.
  const double auc = a->estimate, p = 67, n = 133;
  const double q1 = auc / (2 - auc), q2 = 2 * auc * auc / (1 + auc);
  const double se = std::sqrt((auc * (1 - auc) + (p - 1) * (q1 - auc * auc) + (n - 1) * (q2 - auc * auc)) / (p * n));
  EXPECT_NEAR(a->upper - a->lower, 2 * 1.96 * se, 0.5 * 2 * 1.96 * se);
  // Perfect separation stays perfect in every stratified resample.
  auto perfect = bootstrap_auc_ci({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}, 100, 0.95, 1);
  EXPECT_DOUBLE_EQ(perfect->lower, 1.0);
  EXPECT_DOUBLE_EQ(perfect->upper, 1.0);
}

TEST(ClassificationReport, HasEveryBlock) {
  auto r = classification_report(kScores, kLabels, {.bootstrap_resamples = 100});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ((*r)["auc"].get<double>(), 0.75);
  EXPECT_TRUE((*r)["roc"][0]["threshold"].is_null());  // +inf
  EXPECT_EQ((*r)["roc"].size(), 5u);
  EXPECT_EQ((*r)["at_thresholds"][0]["threshold"], 0.5);
  EXPECT_EQ((*r)["at_target_specificity"].size(), 3u);
  EXPECT_TRUE((*r)["calibration"].contains("brier"));
  EXPECT_EQ((*r)["auc_ci"]["resamples"], 100);
}

}  // namespace
}  // namespace medai::evaluation
