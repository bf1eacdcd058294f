#pragma once
// Synthetic adults with type 2 diabetes for the medication-advice app:
// demographics, labs, vital signs, comorbidity flags, current medications,
// hypoglycaemia history, with marginals and correlations in the range of
// published US cohorts (NHANES 2015-2018 adults with diagnosed diabetes, see
// docs/synthetic-data.md). Written as JSON, CSV and FHIR R4 bundles.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace medai::synth {

struct DiabetesPatient {
  std::string id;
  int age = 60;
  std::string sex;  // "female" | "male" (FHIR administrative gender)
  std::string birth_date;
  double diabetes_years = 5;
  double bmi = 30, hba1c = 7.5, fasting_glucose = 150, egfr = 80, uacr = 15;
  int sbp = 130, dbp = 80;
  double ldl = 100, hdl = 45, triglycerides = 160, total_cholesterol = 180;
  bool smoker = false;
  bool ascvd = false, heart_failure = false, ckd = false;
  bool hypoglycemia_history = false;  // severe hypoglycaemia in the past 12 months
  std::vector<std::string> medications;  // keys of kMedications
};

struct Medication {
  const char* key;
  const char* rxnorm;
  const char* display;
  const char* drug_class;
};
const std::vector<Medication>& diabetes_medications();

std::vector<DiabetesPatient> generate_diabetes_cohort(std::uint64_t seed, int count);

nlohmann::json to_json(const DiabetesPatient& p);
std::string cohort_csv(const std::vector<DiabetesPatient>& patients);
// FHIR R4 Bundle (type collection): Patient, Observations (LOINC), Conditions
// (SNOMED CT), MedicationStatements (RxNorm).
nlohmann::json fhir_bundle(const DiabetesPatient& p, const std::string& observation_date);

}  // namespace medai::synth
