// Brock (PanCan) model: values against the published equation computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "apps/lung/malignancy.h"

namespace medai::apps::lung {
namespace {

TEST(Brock, MatchesTheEquationAtTheCentringValues) {
  // Age 62, male, 10 mm solid, lower lobe, 4 nodules: logit = -6.7892 - 5.3854 * (1 - 1.58113883).
  BrockInputs in;
  in.age_years = 62;
  in.female = false;
  in.diameter_mm = 10.0;
  in.nodule_count = 4;
  const double logit = -6.7892 - 5.3854 * (1.0 - 1.58113883);
  EXPECT_NEAR(brock_probability(in), 1.0 / (1.0 + std::exp(-logit)), 1e-12);
}

TEST(Brock, RisesWithSizeUpperLobeAndPartSolidType) {
  BrockInputs in;
  in.diameter_mm = 6;
  const double small = brock_probability(in);
  in.diameter_mm = 20;
  const double large = brock_probability(in);
  EXPECT_GT(large, small);
  in.upper_lobe = true;
  EXPECT_GT(brock_probability(in), large);
  BrockInputs ps = in;
  ps.type = NoduleType::part_solid;
  EXPECT_GT(brock_probability(ps), brock_probability(in));
  BrockInputs gg = in;
  gg.type = NoduleType::ground_glass;
  EXPECT_LT(brock_probability(gg), brock_probability(in));
  in.diameter_mm = 0;  // never divides by zero
  EXPECT_TRUE(std::isfinite(brock_probability(in)));
}

TEST(Brock, ReadsDicomAges) {
  EXPECT_EQ(age_from_dicom("063Y"), 63);
  EXPECT_FALSE(age_from_dicom("006M").has_value());
  EXPECT_FALSE(age_from_dicom("").has_value());
  EXPECT_FALSE(age_from_dicom("6Y").has_value());
}

}  // namespace
}  // namespace medai::apps::lung
