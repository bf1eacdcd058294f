// Suggested BI-RADS category at each operating-point boundary (table-driven),
// breast/exam aggregation with missing views, and the manifest's thresholds.
#include <gtest/gtest.h>

#include "apps/mammo/assessment.h"

namespace medai::apps::mammo {
namespace {

ExamScore exam_of(double r, double l, std::vector<std::string> missing = {}) {
  return aggregate_exam({{"RCC", "R", r}, {"RMLO", "R", r / 2}, {"LCC", "L", l}, {"LMLO", "L", l / 2}}, missing);
}

TEST(MammoAssessment, CategoryAtEachBoundary) {
  const OperatingPoints p{0.30, 0.80};
  struct Row {
    double score;
    std::vector<std::string> missing;
    const char* category;
    const char* suspicion;
  };
  const Row rows[] = {
      {0.0, {}, "1", "low"},
      {0.2999, {}, "1", "low"},
      {0.30, {}, "0", "intermediate"},  // at the recall point: recalled
      {0.7999, {}, "0", "intermediate"},
      {0.80, {}, "0", "high"},          // at the high-suspicion point
      {1.0, {}, "0", "high"},
      {0.10, {"LMLO"}, "0", "low"},     // incomplete exam is never called negative
      {0.90, {"LMLO"}, "0", "high"},
  };
  for (const auto& r : rows) {
    const Assessment a = suggest_birads(exam_of(0.0, r.score, r.missing), p);
    EXPECT_EQ(a.category, r.category) << "score " << r.score;
    EXPECT_EQ(a.suspicion, r.suspicion) << "score " << r.score;
    EXPECT_FALSE(a.reason.empty());
  }
}

TEST(MammoAssessment, BreastIsItsWorstViewAndExamItsWorstBreast) {
  const ExamScore e = aggregate_exam({{"RCC", "R", 0.2}, {"RMLO", "R", 0.7}, {"LCC", "L", 0.4}}, {"LMLO"});
  ASSERT_EQ(e.breasts.size(), 2u);
  EXPECT_EQ(e.breasts[0].laterality, "R");
  EXPECT_DOUBLE_EQ(e.breasts[0].score, 0.7);
  EXPECT_DOUBLE_EQ(e.breasts[1].score, 0.4);
  EXPECT_EQ(e.breasts[1].missing, std::vector<std::string>{"LMLO"});
  EXPECT_TRUE(e.breasts[0].missing.empty());
  EXPECT_DOUBLE_EQ(e.score, 0.7);
  // A breast with no view at all is absent, the exam scores what exists.
  const ExamScore only_left = aggregate_exam({{"LCC", "L", 0.3}}, {"RCC", "RMLO", "LMLO"});
  ASSERT_EQ(only_left.breasts.size(), 1u);
  EXPECT_EQ(only_left.breasts[0].laterality, "L");
  EXPECT_DOUBLE_EQ(only_left.score, 0.3);
}

TEST(MammoAssessment, OperatingPointsFromTheManifest) {
  auto p = operating_points_from({{"recall", 0.2}, {"high_suspicion", 0.6}});
  ASSERT_TRUE(p.is_ok());
  EXPECT_DOUBLE_EQ(p->recall, 0.2);
  EXPECT_DOUBLE_EQ(p->high_suspicion, 0.6);
  EXPECT_TRUE(operating_points_from(nullptr).is_ok());
  for (const nlohmann::json& bad : {nlohmann::json{{"recall", 1.5}}, nlohmann::json{{"recall", "x"}},
                                    nlohmann::json{{"recall", 0.7}, {"high_suspicion", 0.5}}, nlohmann::json(3)}) {
    auto r = operating_points_from(bad);
    ASSERT_FALSE(r.is_ok()) << bad.dump();
    EXPECT_EQ(r.status().code(), ErrorCode::invalid_manifest);
  }
}

}  // namespace
}  // namespace medai::apps::mammo
