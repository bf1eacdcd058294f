#include "diabetes/patient_record.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/json_pointer.h"
#include "diabetes/units.h"

namespace medai::packages {
std::string_view embedded_diabetes_input_schema();  // generated from docs/schemas/diabetes-input.schema.json
}

namespace medai::diabetes {
namespace {

using nlohmann::json;

const valijson::Schema& compiled_schema() {
  static const valijson::Schema* schema = [] {
    auto* s = new valijson::Schema;
    const json doc = json::parse(packages::embedded_diabetes_input_schema());
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *s);
    return s;
  }();
  return *schema;
}


std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

struct Range {
  double low, high;
};

// Plausible physiological ranges in canonical units. Outside them a value is
// far more likely a typing or unit error than a real measurement.
const std::map<std::string, std::pair<Range, Quantity>, std::less<>>& ranges() {
  static const std::map<std::string, std::pair<Range, Quantity>, std::less<>> r = {
      {"age", {{0, 120}, Quantity::age}},
      {"hba1c", {{3.0, 20.0}, Quantity::hba1c}},
      {"fasting_glucose", {{1.0, 50.0}, Quantity::glucose}},
      {"ogtt_2h_glucose", {{1.0, 50.0}, Quantity::glucose}},
      {"egfr", {{0.0, 200.0}, Quantity::egfr}},
      {"bmi", {{10.0, 90.0}, Quantity::bmi}},
      {"sbp", {{50.0, 300.0}, Quantity::blood_pressure}},
      {"dbp", {{20.0, 200.0}, Quantity::blood_pressure}},
      {"ldl", {{0.1, 20.0}, Quantity::ldl}},
      {"triceps_skinfold_mm", {{1.0, 100.0}, Quantity::length_mm}},
      {"diabetes_pedigree", {{0.0, 5.0}, Quantity::ratio}},
      {"pregnancies", {{0.0, 30.0}, Quantity::count}},
  };
  return r;
}

void check_range(std::string_view name, const std::optional<double>& value, const std::string& where,
                 std::vector<FieldProblem>& problems) {
  if (!value) return;
  const auto it = ranges().find(name);
  if (it == ranges().end()) return;
  const auto& [range, quantity] = it->second;
  if (!std::isfinite(*value) || *value < range.low || *value > range.high) {
    std::string message = std::string(name) + " " + number_text(*value) + " " + std::string(canonical_unit(quantity)) +
                          " is outside the plausible range " + number_text(range.low) + "–" +
                          number_text(range.high) + " " + std::string(canonical_unit(quantity));
    // The most common cause of an impossible HbA1c: IFCC mmol/mol sent as %.
    if (name == "hba1c" && *value > range.high && *value <= 200)
      message += " (an IFCC value in mmol/mol sent as %? give {\"value\": v, \"unit\": \"mmol/mol\"})";
    problems.push_back({where, std::string(kProblemImplausible), message});
  }
}

// A measurement: number (canonical unit) or {value, unit}. Reports an
// unsupported unit; the schema already guaranteed the shape.
std::optional<double> read_measurement(const json& input, const char* key, Quantity q,
                                       std::vector<FieldProblem>& problems) {
  if (!input.contains(key)) return std::nullopt;
  const json& m = input[key];
  double value = 0;
  std::string unit;
  if (m.is_number()) value = m.get<double>();
  else {
    value = m["value"].get<double>();
    if (m.contains("unit")) unit = m["unit"].get<std::string>();
  }
  auto canonical = to_canonical(q, value, unit);
  if (!canonical) {
    problems.push_back({std::string("/") + key + "/unit", std::string(kProblemUnsupportedUnit),
                        std::string(key) + " unit '" + unit.substr(0, 32) + "' is not supported; use " +
                            std::string(accepted_units(q))});
    return std::nullopt;
  }
  return canonical;
}

}  // namespace

bool is_drug_class(std::string_view name) {
  return std::find(std::begin(kDrugClasses), std::end(kDrugClasses), name) != std::end(kDrugClasses);
}

std::string_view patient_input_schema_text() { return packages::embedded_diabetes_input_schema(); }

std::string_view sex_name(Sex sex) {
  switch (sex) {
    case Sex::female: return "female";
    case Sex::male: return "male";
    case Sex::unknown: return "unknown";
  }
  return "unknown";
}

void check_plausibility(const PatientRecord& r, const std::function<std::string(std::string_view)>& where,
                        std::vector<FieldProblem>& problems) {
  check_range("age", r.age_years, where("age"), problems);
  check_range("hba1c", r.hba1c_percent, where("hba1c"), problems);
  check_range("fasting_glucose", r.fasting_glucose_mmol_l, where("fasting_glucose"), problems);
  check_range("ogtt_2h_glucose", r.ogtt_2h_glucose_mmol_l, where("ogtt_2h_glucose"), problems);
  check_range("egfr", r.egfr, where("egfr"), problems);
  check_range("bmi", r.bmi, where("bmi"), problems);
  check_range("sbp", r.sbp, where("sbp"), problems);
  check_range("dbp", r.dbp, where("dbp"), problems);
  check_range("ldl", r.ldl_mmol_l, where("ldl"), problems);
  check_range("triceps_skinfold_mm", r.triceps_skinfold_mm, where("triceps_skinfold_mm"), problems);
  check_range("diabetes_pedigree", r.diabetes_pedigree, where("diabetes_pedigree"), problems);
  check_range("pregnancies", r.pregnancies, where("pregnancies"), problems);
  if (r.age_years && *r.age_years >= 0 && *r.age_years < 18)
    problems.push_back({where("age"), std::string(kProblemOutOfScope),
                        "the guideline rules are for adults (18 years and older)"});
  if (r.sbp && r.dbp && *r.dbp >= *r.sbp)
    problems.push_back({where("dbp"), std::string(kProblemInconsistent),
                        "diastolic pressure " + number_text(*r.dbp) + " is not below systolic " + number_text(*r.sbp)});
  if (r.pregnant && r.sex == Sex::male)
    problems.push_back({where("pregnant"), std::string(kProblemInconsistent), "pregnant is set for a male patient"});
  if (r.diagnosed_t2d && !r.hba1c_percent &&
      std::none_of(problems.begin(), problems.end(), [&](const FieldProblem& p) { return p.field.rfind(where("hba1c"), 0) == 0; }))
    problems.push_back({where("hba1c"), std::string(kProblemMissing),
                        "HbA1c is required for medication advice in diagnosed type 2 diabetes"});
}

RecordOrProblems parse_patient_json(const json& input) {
  RecordOrProblems out;
  auto& problems = out.problems;
  if (!input.is_object()) {
    problems.push_back({"", std::string(kProblemInvalidType), "the patient input must be a JSON object"});
    return out;
  }
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(input);
  if (!validator.validate(compiled_schema(), adapter, &results)) {
    std::set<std::string> seen;
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      std::string path = json_pointer_of_context(error.context);
      std::string code(kProblemInvalidType);
      std::string message = error.description;
      // "Missing required property 'age'." → field /age, code missing.
      const std::string required = "Missing required property '";
      if (message.rfind(required, 0) == 0) {
        const auto end = message.find('\'', required.size());
        path += "/" + message.substr(required.size(), end - required.size());
        code = std::string(kProblemMissing);
      }
      // valijson also reports every enclosing schema that failed; keep one
      // message per location, preferring the first (the most precise).
      if (!seen.insert(path).second) continue;
      if (message.size() > 200) message = message.substr(0, 200);
      problems.push_back({path, code, message});
    }
    return out;
  }

  PatientRecord& r = out.record;
  r.age_years = read_measurement(input, "age", Quantity::age, problems);
  if (input.contains("sex")) {
    const std::string s = input["sex"].get<std::string>();
    r.sex = s == "female" ? Sex::female : s == "male" ? Sex::male : Sex::unknown;
  }
  r.diagnosed_t2d = input["diagnosed_t2d"].get<bool>();
  r.hba1c_percent = read_measurement(input, "hba1c", Quantity::hba1c, problems);
  r.fasting_glucose_mmol_l = read_measurement(input, "fasting_glucose", Quantity::glucose, problems);
  r.ogtt_2h_glucose_mmol_l = read_measurement(input, "ogtt_2h_glucose", Quantity::glucose, problems);
  r.egfr = read_measurement(input, "egfr", Quantity::egfr, problems);
  r.bmi = read_measurement(input, "bmi", Quantity::bmi, problems);
  r.sbp = read_measurement(input, "sbp", Quantity::blood_pressure, problems);
  r.dbp = read_measurement(input, "dbp", Quantity::blood_pressure, problems);
  r.ldl_mmol_l = read_measurement(input, "ldl", Quantity::ldl, problems);
  r.triceps_skinfold_mm = read_measurement(input, "triceps_skinfold_mm", Quantity::length_mm, problems);
  if (input.contains("diabetes_pedigree")) r.diabetes_pedigree = input["diabetes_pedigree"].get<double>();
  if (input.contains("pregnancies")) r.pregnancies = input["pregnancies"].get<double>();
  if (input.contains("conditions")) {
    const json& c = input["conditions"];
    r.ascvd = c.value("ascvd", false);
    r.heart_failure = c.value("heart_failure", false);
    r.ckd = c.value("ckd", false);
  }
  if (input.contains("medications"))
    for (const auto& m : input["medications"]) r.medications.insert(m.get<std::string>());
  r.hypoglycaemia_history = input.value("hypoglycaemia_history", false);
  r.frail = input.value("frail", false);
  r.pregnant = input.value("pregnant", false);
  r.symptomatic_hyperglycaemia = input.value("symptomatic_hyperglycaemia", false);

  // A field whose unit was refused already has its problem; don't add "missing".
  check_plausibility(r, [](std::string_view field) { return "/" + std::string(field); }, problems);
  return out;
}

Status problems_status(const std::vector<FieldProblem>& problems) {
  json list = json::array();
  for (const auto& p : problems) list.push_back({{"field", p.field}, {"code", p.code}, {"message", p.message}});
  return make_error(ErrorCode::invalid_patient_input,
                    "the patient input has " + std::to_string(problems.size()) + " problem(s)", {{"problems", list}});
}

json to_json(const PatientRecord& r) {
  json j = json::object();
  auto put = [&j](const char* key, const std::optional<double>& v, std::string_view unit) {
    if (v) j[key] = {{"value", std::round(*v * 100.0) / 100.0}, {"unit", unit}};
  };
  put("age", r.age_years, "a");
  j["sex"] = sex_name(r.sex);
  j["diagnosed_t2d"] = r.diagnosed_t2d;
  put("hba1c", r.hba1c_percent, "%");
  put("fasting_glucose", r.fasting_glucose_mmol_l, "mmol/L");
  put("ogtt_2h_glucose", r.ogtt_2h_glucose_mmol_l, "mmol/L");
  put("egfr", r.egfr, "mL/min/1.73m2");
  put("bmi", r.bmi, "kg/m2");
  put("sbp", r.sbp, "mm[Hg]");
  put("dbp", r.dbp, "mm[Hg]");
  put("ldl", r.ldl_mmol_l, "mmol/L");
  j["conditions"] = {{"ascvd", r.ascvd}, {"heart_failure", r.heart_failure}, {"ckd", r.ckd}};
  j["medications"] = r.medications;
  j["hypoglycaemia_history"] = r.hypoglycaemia_history;
  j["frail"] = r.frail;
  j["pregnant"] = r.pregnant;
  j["symptomatic_hyperglycaemia"] = r.symptomatic_hyperglycaemia;
  return j;
}

}  // namespace medai::diabetes
