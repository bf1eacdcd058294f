// Drug classes from medication codes and names (src/diabetes/medication_codes.h):
// ATC combinations split, RxNorm ingredients, and the name fallback used for
// RxNorm clinical drugs, local codes and text-only medications.
#include <gtest/gtest.h>

#include "diabetes/medication_codes.h"

namespace medai::diabetes {
namespace {

using Classes = std::vector<std::string>;

TEST(MedicationCodes, AtcClassesAndCombinations) {
  EXPECT_EQ(atc_drug_classes("A10BA02"), Classes{"metformin"});
  EXPECT_EQ(atc_drug_classes("A10BK03"), Classes{"sglt2i"});
  EXPECT_EQ(atc_drug_classes("A10BD07"), (Classes{"metformin", "dpp4i"}));
  EXPECT_EQ(atc_drug_classes("A10AD04"), (Classes{"basal_insulin", "prandial_insulin"}));
  EXPECT_TRUE(atc_drug_classes("A10BX02").empty());  // repaglinide: not a class the rules know
  EXPECT_TRUE(atc_drug_classes("C10AA05").empty());  // atorvastatin
}

TEST(MedicationCodes, RxNormIngredients) {
  EXPECT_EQ(rxnorm_drug_classes("6809"), Classes{"metformin"});
  EXPECT_EQ(rxnorm_drug_classes("1545653"), Classes{"sglt2i"});
  EXPECT_TRUE(rxnorm_drug_classes("861007").empty());  // a clinical drug: read by name instead
}

TEST(MedicationCodes, NamesFromDisplaysAndText) {
  EXPECT_EQ(drug_classes_from_name("metformin hydrochloride 500 MG Oral Tablet"), Classes{"metformin"});
  EXPECT_EQ(drug_classes_from_name("glipiZIDE 5 MG Oral Tablet"), Classes{"sulfonylurea"});
  EXPECT_EQ(drug_classes_from_name("sitagliptin 50 MG / metformin hydrochloride 1000 MG Oral Tablet"),
            (Classes{"metformin", "dpp4i"}));
  EXPECT_EQ(drug_classes_from_name("Janumet 50/1000"), (Classes{"metformin", "dpp4i"}));
  EXPECT_EQ(drug_classes_from_name("Insulin Glargine 100 UNT/ML Pen Injector"), Classes{"basal_insulin"});
  EXPECT_EQ(drug_classes_from_name("insulin aspart 100 UNT/ML"), Classes{"prandial_insulin"});
  EXPECT_EQ(drug_classes_from_name("Ozempic 1 mg pen"), Classes{"glp1ra"});
  EXPECT_EQ(drug_classes_from_name("Humulin N (NPH) 100 units/mL"), Classes{"basal_insulin"});
  // Whole words only; "insulin" alone names no class; other drugs none.
  EXPECT_TRUE(drug_classes_from_name("aspartame-free syrup").empty());
  EXPECT_TRUE(drug_classes_from_name("lymphocyte count").empty());
  EXPECT_TRUE(drug_classes_from_name("insulin 10 units").empty());
  EXPECT_TRUE(drug_classes_from_name("atorvastatin 20 MG Oral Tablet").empty());
  EXPECT_TRUE(drug_classes_from_name("").empty());
}

}  // namespace
}  // namespace medai::diabetes
