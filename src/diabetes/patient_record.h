#pragma once
// The patient data the diabetes advice works on, in canonical units
// (HbA1c %, glucose and LDL mmol/L, eGFR mL/min/1.73 m², BMI kg/m²,
// blood pressure mm Hg), whether it came as our JSON (this file) or as a
// FHIR R4 Bundle (fhir_input.h).
//
// Contract: a record is only handed to the advice once it has no problem.
// Every problem names the field (a JSON Pointer into the input, or the FHIR
// resource path), a stable code and an English message; messages carry the
// offending number and unit but never identifying data (names, ids, dates).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace medai::diabetes {

// Stable problem codes (documented in docs/diabetes-advice.md).
inline constexpr std::string_view kProblemMissing = "missing";                  // required value absent
inline constexpr std::string_view kProblemInvalidType = "invalid_type";         // schema: wrong type/shape
inline constexpr std::string_view kProblemUnsupportedUnit = "unsupported_unit";  // unit not convertible
inline constexpr std::string_view kProblemImplausible = "implausible";          // outside physiological range
inline constexpr std::string_view kProblemInconsistent = "inconsistent";        // values contradict each other
inline constexpr std::string_view kProblemOutOfScope = "out_of_scope";          // e.g. under 18: not for this app
inline constexpr std::string_view kProblemUnknownCode = "unknown_code";         // FHIR code system/value not used

struct FieldProblem {
  std::string field;
  std::string code;
  std::string message;
  bool operator==(const FieldProblem&) const = default;
};

enum class Sex { unknown, female, male };

// Drug classes the rules know (names are the JSON input's vocabulary).
inline constexpr std::string_view kDrugClasses[] = {
    "metformin", "sglt2i", "glp1ra", "dpp4i", "sulfonylurea", "basal_insulin", "prandial_insulin", "tzd"};
bool is_drug_class(std::string_view name);

struct PatientRecord {
  std::optional<double> age_years;
  Sex sex = Sex::unknown;
  bool diagnosed_t2d = false;
  std::optional<double> hba1c_percent;
  std::optional<double> fasting_glucose_mmol_l;
  std::optional<double> ogtt_2h_glucose_mmol_l;  // 2-hour OGTT plasma glucose (Pima's "glu")
  std::optional<double> egfr;                    // mL/min/1.73 m²
  std::optional<double> bmi;
  std::optional<double> sbp, dbp;  // mm Hg
  std::optional<double> ldl_mmol_l;
  bool ascvd = false, heart_failure = false, ckd = false;
  std::set<std::string> medications;  // drug classes
  bool hypoglycaemia_history = false;
  bool frail = false;                        // complex/poor health or limited life expectancy
  bool pregnant = false;
  bool symptomatic_hyperglycaemia = false;  // polyuria/polydipsia, weight loss (catabolism)
  // Risk-model extras (Pima features without a routine clinical home).
  std::optional<double> pregnancies;
  std::optional<double> triceps_skinfold_mm;
  std::optional<double> diabetes_pedigree;
};

// The JSON input schema (docs/schemas/diabetes-input.schema.json, compiled in).
std::string_view patient_input_schema_text();

// Result of reading an input: the record, or every problem found.
struct RecordOrProblems {
  PatientRecord record;
  std::vector<FieldProblem> problems;
  bool ok() const { return problems.empty(); }
};

// Schema validation (valijson), unit conversion and plausibility checks.
RecordOrProblems parse_patient_json(const nlohmann::json& input);

// Plausibility and consistency checks on a record in canonical units,
// shared by the JSON and FHIR readers. `where` maps a canonical field name
// ("hba1c", "egfr", ...) to the input location to report.
void check_plausibility(const PatientRecord& record, const std::function<std::string(std::string_view)>& where,
                        std::vector<FieldProblem>& problems);

// invalid_patient_input (422) with detail {"problems": [{field, code, message}]}.
Status problems_status(const std::vector<FieldProblem>& problems);

nlohmann::json to_json(const PatientRecord& record);  // canonical units, for the output's echo
std::string_view sex_name(Sex sex);

}  // namespace medai::diabetes
