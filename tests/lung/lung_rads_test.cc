// Lung-RADS v2022 baseline categories: every size boundary of the ACR table,
// on both sides, for solid, part-solid and non-solid nodules.
#include <gtest/gtest.h>

#include "apps/lung/lung_rads.h"

namespace medai::apps::lung {
namespace {

struct Row {
  NoduleType type;
  double mean_mm, solid_mm;
  const char* expected;
};

TEST(LungRads, EveryBoundaryOfTheBaselineTable) {
  const Row rows[] = {
      // solid: 2 < 6 <= 3 < 8 <= 4A < 15 <= 4B
      {NoduleType::solid, 1.0, 0, "2"},
      {NoduleType::solid, 5.9, 0, "2"},
      {NoduleType::solid, 5.94, 0, "2"},  // rounds to 5.9
      {NoduleType::solid, 5.95, 0, "3"},  // rounds to 6.0
      {NoduleType::solid, 6.0, 0, "3"},
      {NoduleType::solid, 7.9, 0, "3"},
      {NoduleType::solid, 8.0, 0, "4A"},
      {NoduleType::solid, 14.9, 0, "4A"},
      {NoduleType::solid, 15.0, 0, "4B"},
      {NoduleType::solid, 40.0, 0, "4B"},
      // part-solid: total < 6 -> 2; total >= 6: solid component < 6 -> 3, 6..<8 -> 4A, >= 8 -> 4B
      {NoduleType::part_solid, 5.9, 4.0, "2"},
      {NoduleType::part_solid, 6.0, 0.0, "3"},
      {NoduleType::part_solid, 6.0, 5.9, "3"},
      {NoduleType::part_solid, 12.0, 5.9, "3"},
      {NoduleType::part_solid, 12.0, 6.0, "4A"},
      {NoduleType::part_solid, 12.0, 7.9, "4A"},
      {NoduleType::part_solid, 12.0, 8.0, "4B"},
      {NoduleType::part_solid, 25.0, 20.0, "4B"},
      // non-solid: < 30 -> 2, >= 30 -> 3
      {NoduleType::ground_glass, 5.0, 0, "2"},
      {NoduleType::ground_glass, 29.9, 0, "2"},
      {NoduleType::ground_glass, 30.0, 0, "3"},
      {NoduleType::ground_glass, 45.0, 0, "3"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(to_string(r.type) + " " + std::to_string(r.mean_mm) + " / " + std::to_string(r.solid_mm));
    EXPECT_EQ(to_string(lung_rads_category({r.type, r.mean_mm, r.solid_mm})), r.expected);
  }
}

TEST(LungRads, MeanDiameterIsRoundedToOneDecimal) {
  EXPECT_DOUBLE_EQ(lung_rads_mean_diameter(7.0, 4.9), 6.0);   // 5.95 -> 6.0
  EXPECT_DOUBLE_EQ(lung_rads_mean_diameter(7.0, 4.86), 5.9);  // 5.93 -> 5.9
  EXPECT_DOUBLE_EQ(lung_rads_mean_diameter(10.0, 6.0), 8.0);
}

TEST(LungRads, ExamCategoryIsTheMostSuspiciousNodule) {
  EXPECT_EQ(to_string(lung_rads_exam_category({})), "1");
  EXPECT_EQ(to_string(lung_rads_exam_category({{NoduleType::solid, 4.0, 0}, {NoduleType::ground_glass, 31.0, 0}})), "3");
  EXPECT_EQ(to_string(lung_rads_exam_category(
                {{NoduleType::solid, 9.0, 0}, {NoduleType::part_solid, 10.0, 8.5}, {NoduleType::solid, 6.5, 0}})),
            "4B");
  EXPECT_FALSE(management_of(LungRads::c4A).empty());
}

TEST(LungRads, TypeNamesRoundTrip) {
  for (NoduleType t : {NoduleType::solid, NoduleType::part_solid, NoduleType::ground_glass})
    EXPECT_EQ(nodule_type_from_string(to_string(t)), t);
  EXPECT_EQ(nodule_type_from_string("non-solid"), NoduleType::ground_glass);
  EXPECT_FALSE(nodule_type_from_string("calcified").has_value());
}

}  // namespace
}  // namespace medai::apps::lung
