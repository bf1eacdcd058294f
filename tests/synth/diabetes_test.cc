// Diabetes cohort: plausible marginals and correlations, contraindications
// respected, FHIR bundles with the LOINC codes the advice app reads.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "synth/diabetes_cohort.h"
#include "synth_fixture.h"

namespace medai::synth {
namespace {

double corr(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(DiabetesCohort, MarginalsCorrelationsAndRules) {
  const auto cohort = generate_diabetes_cohort(3, 4000);
  ASSERT_EQ(cohort.size(), 4000u);
  std::vector<double> a1c, fpg, age, egfr;
  int ascvd = 0, hf = 0, ckd = 0, metformin = 0;
  for (const auto& p : cohort) {
    a1c.push_back(p.hba1c);
    fpg.push_back(p.fasting_glucose);
    age.push_back(p.age);
    egfr.push_back(p.egfr);
    ascvd += p.ascvd;
    hf += p.heart_failure;
    ckd += p.ckd;
    const bool on_metformin = std::count(p.medications.begin(), p.medications.end(), "metformin") > 0;
    metformin += on_metformin;
    if (p.egfr < 30) {
      EXPECT_FALSE(on_metformin) << p.id << ": metformin with eGFR < 30";
    }
    if (p.heart_failure) {
      EXPECT_EQ(std::count(p.medications.begin(), p.medications.end(), "pioglitazone"), 0);
    }
    EXPECT_EQ(p.ckd, p.egfr < 60 || p.uacr >= 30);
  }
  double mean_a1c = 0;
  for (double v : a1c) mean_a1c += v;
  mean_a1c /= a1c.size();
  EXPECT_NEAR(mean_a1c, 7.8, 0.3);
  EXPECT_GT(corr(a1c, fpg), 0.6);
  EXPECT_LT(corr(age, egfr), -0.3);
  EXPECT_NEAR(ascvd / 4000.0, 0.3, 0.1);
  EXPECT_NEAR(hf / 4000.0, 0.1, 0.07);
  EXPECT_NEAR(ckd / 4000.0, 0.35, 0.1);
  EXPECT_NEAR(metformin / 4000.0, 0.7, 0.1);
}

TEST(DiabetesCohort, FhirBundleHasLoincObservations) {
  const auto cohort = generate_diabetes_cohort(9, 5);
  const nlohmann::json b = fhir_bundle(cohort[0], "2025-06-01");
  EXPECT_EQ(b["resourceType"], "Bundle");
  std::set<std::string> loinc, types;
  for (const auto& e : b["entry"]) {
    types.insert(e["resource"]["resourceType"]);
    if (e["resource"]["resourceType"] == "Observation") {
      loinc.insert(e["resource"]["code"]["coding"][0]["code"]);
      for (const auto& c : e["resource"].value("component", nlohmann::json::array())) loinc.insert(c["code"]["coding"][0]["code"]);
    }
  }
  for (const char* code : {"4548-4", "1558-6", "33914-3", "39156-5", "8480-6", "8462-4", "13457-7"}) {
    EXPECT_TRUE(loinc.count(code)) << code;
  }
  EXPECT_TRUE(types.count("Patient"));
  EXPECT_TRUE(types.count("Condition"));  // at least type 2 diabetes
}

TEST(DiabetesCohort, FilesWritten) {
  medai::testing::TempDir dir;
  StudyOptions o;
  auto r = write_study("diabetes", 5, 20, o, dir / "dm");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  const auto doc = testing::read_json(dir / "dm" / "cohort.json");
  EXPECT_EQ(doc["patients"].size(), 20u);
  const std::string csv = testing::read_bytes(dir / "dm" / "cohort.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 21);
  std::size_t bundles = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "dm" / "fhir")) bundles += e.is_regular_file();
  EXPECT_EQ(bundles, 20u);
}

}  // namespace
}  // namespace medai::synth
