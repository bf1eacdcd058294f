// Multiclass metrics against values computed by hand (comments show how).
#include "evaluation/multiclass_metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace medai::evaluation {
namespace {

// 3 classes, 6 cases; predicted (argmax): 0, 1, 1, 2, 2, 2 against true 0, 0, 1, 1, 2, 2.
const std::vector<int> kLabels = {0, 0, 1, 1, 2, 2};
const std::vector<double> kProbs = {0.7, 0.2, 0.1,  //
                                    0.3, 0.6, 0.1,  //
                                    0.2, 0.5, 0.3,  //
                                    0.1, 0.3, 0.6,  //
                                    0.1, 0.1, 0.8,  //
                                    0.2, 0.2, 0.6};
const std::vector<std::string> kNames = {"metformin", "sglt2", "insulin"};

TEST(MulticlassMetrics, ReportMatchesHandComputedValues) {
  auto r = multiclass_report(kProbs, kLabels, kNames, {.bootstrap_resamples = 200, .seed = 3});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto& m = *r;
  EXPECT_EQ(m["kind"], "multiclass");
  EXPECT_EQ(m["cases"], 6);
  EXPECT_DOUBLE_EQ(m["accuracy"].get<double>(), 4.0 / 6);
  EXPECT_EQ(m["confusion_matrix"], nlohmann::json({{1, 1, 0}, {0, 1, 1}, {0, 0, 2}}));
  // class 0: called once, right once -> precision 1, recall 1/2, F1 2/3;
  // class 1: called twice (rows 1, 2), right once -> 1/2, 1/2, 1/2;
  // class 2: called 3 times, right twice -> 2/3, 1, 4/5.
  const auto& pc = m["per_class"];
  EXPECT_EQ(pc[0]["name"], "metformin");
  EXPECT_DOUBLE_EQ(pc[0]["precision"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(pc[0]["recall"].get<double>(), 0.5);
  EXPECT_NEAR(pc[0]["f1"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(pc[1]["precision"].get<double>(), 0.5);
  EXPECT_NEAR(pc[2]["precision"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_DOUBLE_EQ(pc[2]["recall"].get<double>(), 1.0);
  EXPECT_NEAR(pc[2]["f1"].get<double>(), 0.8, 1e-12);
  EXPECT_EQ(pc[2]["predicted"], 3);
  EXPECT_NEAR(m["balanced_accuracy"].get<double>(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(m["macro_f1"].get<double>(), (2.0 / 3 + 0.5 + 0.8) / 3, 1e-12);
  // One vs rest: class 0 both cases above all others (1); class 1: 6 of 8
  // pairs won (0.75); class 2: 7 won and 1 tie of 8 (0.9375).
  EXPECT_DOUBLE_EQ(pc[0]["auc"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(pc[1]["auc"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(pc[2]["auc"].get<double>(), 0.9375);
  EXPECT_NEAR(m["macro_auc"].get<double>(), (1 + 0.75 + 0.9375) / 3, 1e-12);
  const double log_loss =
      -(std::log(0.7) + std::log(0.3) + std::log(0.5) + std::log(0.3) + std::log(0.8) + std::log(0.6)) / 6;
  EXPECT_NEAR(m["log_loss"].get<double>(), log_loss, 1e-12);
  // CIs bracket the estimates and are deterministic for a seed.
  EXPECT_LE(m["accuracy_ci"]["lower"].get<double>(), 4.0 / 6);
  EXPECT_GE(m["accuracy_ci"]["upper"].get<double>(), 4.0 / 6);
  EXPECT_LE(m["macro_auc_ci"]["lower"].get<double>(), m["macro_auc_ci"]["upper"].get<double>());
  EXPECT_EQ(m["macro_auc_ci"]["resamples"], 200);
  auto again = multiclass_report(kProbs, kLabels, kNames, {.bootstrap_resamples = 200, .seed = 3});
  EXPECT_EQ(again->dump(), m.dump());
}

TEST(MulticlassMetrics, AClassWithoutCasesHasNoAucAndIsLeftOutOfTheMacroMean) {
  // Only classes 0 and 2 occur: class 1 has no AUC and no recall.
  const std::vector<int> labels = {0, 0, 2, 2};
  const std::vector<double> probs = {0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.1, 0.2, 0.7, 0.4, 0.1, 0.5};
  auto r = multiclass_report(probs, labels, kNames, {.bootstrap_resamples = 50});
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_TRUE((*r)["per_class"][1]["auc"].is_null());
  EXPECT_TRUE((*r)["per_class"][1]["recall"].is_null());
  // class 0 AUC: 0.8, 0.6 vs 0.1, 0.4 -> 1; class 2: 0.7, 0.5 vs 0.1, 0.1 -> 1.
  EXPECT_DOUBLE_EQ((*r)["macro_auc"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(*macro_auc_ovr(probs, labels, 3), 1.0);
}

TEST(MulticlassMetrics, RefusesInputsThatDoNotFit) {
  EXPECT_EQ(multiclass_report({0.5, 0.5}, {0}, {"only"}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(multiclass_report({0.5, 0.5, 0.1}, {0}, {"a", "b"}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(multiclass_report({0.5, 0.5}, {2}, {"a", "b"}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(multiclass_report({NAN, 0.5}, {0}, {"a", "b"}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(multiclass_report({}, {}, {"a", "b"}).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(macro_auc_ovr({0.9, 0.1, 0.8, 0.2}, {0, 0}, 2).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(*predicted_classes({0.2, 0.5, 0.3, 0.4, 0.4, 0.2}, 3), (std::vector<int>{1, 0}));  // tie: lower index
}

}  // namespace
}  // namespace medai::evaluation
