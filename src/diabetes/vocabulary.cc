#include "diabetes/vocabulary.h"

namespace medai::diabetes {

const std::map<std::string, FieldInfo, std::less<>>& known_fields() {
  static const std::map<std::string, FieldInfo, std::less<>> fields = {
      {"age", {FieldType::number, "years"}},
      {"sex", {FieldType::text, "female | male | unknown"}},
      {"diagnosed_t2d", {FieldType::boolean, "type 2 diabetes diagnosed"}},
      {"hba1c", {FieldType::number, "HbA1c, % (NGSP)"}},
      {"fasting_glucose", {FieldType::number, "fasting plasma glucose, mmol/L"}},
      {"ogtt_2h_glucose", {FieldType::number, "2-h OGTT plasma glucose, mmol/L"}},
      {"egfr", {FieldType::number, "eGFR, mL/min/1.73m2"}},
      {"bmi", {FieldType::number, "kg/m2"}},
      {"sbp", {FieldType::number, "systolic blood pressure, mm Hg"}},
      {"dbp", {FieldType::number, "diastolic blood pressure, mm Hg"}},
      {"ldl", {FieldType::number, "LDL cholesterol, mmol/L"}},
      {"ascvd", {FieldType::boolean, "established atherosclerotic cardiovascular disease"}},
      {"heart_failure", {FieldType::boolean, "heart failure"}},
      {"ckd", {FieldType::boolean, "chronic kidney disease"}},
      {"hypoglycaemia_history", {FieldType::boolean, "severe or recurrent hypoglycaemia"}},
      {"frail", {FieldType::boolean, "complex/poor health, frailty, limited life expectancy"}},
      {"pregnant", {FieldType::boolean, "pregnant"}},
      {"symptomatic_hyperglycaemia", {FieldType::boolean, "symptoms of hyperglycaemia or catabolism"}},
      {"on_metformin", {FieldType::boolean, "takes metformin"}},
      {"on_sglt2i", {FieldType::boolean, "takes an SGLT2 inhibitor"}},
      {"on_glp1ra", {FieldType::boolean, "takes a GLP-1 receptor agonist"}},
      {"on_dpp4i", {FieldType::boolean, "takes a DPP-4 inhibitor"}},
      {"on_sulfonylurea", {FieldType::boolean, "takes a sulfonylurea"}},
      {"on_basal_insulin", {FieldType::boolean, "takes basal insulin"}},
      {"on_prandial_insulin", {FieldType::boolean, "takes prandial insulin"}},
      {"on_tzd", {FieldType::boolean, "takes a thiazolidinedione"}},
      {"drug_count", {FieldType::number, "number of glucose-lowering drug classes taken"}},
      {"risk_probability", {FieldType::number, "diabetes risk from the risk model (undiagnosed patients)"}},
      {"hba1c_target", {FieldType::number, "the HbA1c target chosen (%, below)", true}},
      {"hba1c_above_target", {FieldType::number, "HbA1c minus the target, percentage points", true}},
  };
  return fields;
}

const std::vector<ActionInfo>& known_actions() {
  static const std::vector<ActionInfo> actions = {
      {"stop_metformin", "Stop metformin"},
      {"stop_tzd", "Stop the thiazolidinedione"},
      {"refer_specialist", "Refer to specialist care"},
      {"start_basal_insulin", "Start basal insulin"},
      {"confirm_diagnosis", "Confirm the diagnosis with a repeat test"},
      {"measure_egfr", "Measure eGFR before choosing drug therapy"},
      {"deintensify_sulfonylurea", "Reduce or stop the sulfonylurea"},
      {"deintensify_insulin", "Reduce the insulin dose"},
      {"reduce_metformin_dose", "Reduce the metformin dose"},
      {"stop_dpp4i", "Stop the DPP-4 inhibitor"},
      {"add_sglt2i", "Add an SGLT2 inhibitor"},
      {"add_glp1ra", "Add a GLP-1 receptor agonist"},
      {"add_metformin", "Add metformin"},
      {"intensify_basal_insulin", "Intensify basal insulin"},
      {"add_dpp4i", "Add a DPP-4 inhibitor"},
      {"lifestyle_prevention", "Structured lifestyle programme for diabetes prevention"},
      {"continue_current", "Continue the current regimen"},
      {"routine_rescreening", "Routine re-screening"},
  };
  return actions;
}

std::optional<ActionInfo> find_action(std::string_view id) {
  for (const auto& a : known_actions())
    if (a.id == id) return a;
  return std::nullopt;
}

int action_order(std::string_view id) {
  const auto& actions = known_actions();
  for (std::size_t i = 0; i < actions.size(); ++i)
    if (actions[i].id == id) return static_cast<int>(i);
  return 1 << 20;
}

Facts facts_of(const PatientRecord& r, std::optional<double> risk_probability) {
  Facts f;
  auto put = [&f](const char* key, const std::optional<double>& v) {
    if (v) f[key] = *v;
  };
  put("age", r.age_years);
  f["sex"] = std::string(sex_name(r.sex));
  f["diagnosed_t2d"] = r.diagnosed_t2d;
  put("hba1c", r.hba1c_percent);
  put("fasting_glucose", r.fasting_glucose_mmol_l);
  put("ogtt_2h_glucose", r.ogtt_2h_glucose_mmol_l);
  put("egfr", r.egfr);
  put("bmi", r.bmi);
  put("sbp", r.sbp);
  put("dbp", r.dbp);
  put("ldl", r.ldl_mmol_l);
  f["ascvd"] = r.ascvd;
  f["heart_failure"] = r.heart_failure;
  f["ckd"] = r.ckd;
  f["hypoglycaemia_history"] = r.hypoglycaemia_history;
  f["frail"] = r.frail;
  f["pregnant"] = r.pregnant;
  f["symptomatic_hyperglycaemia"] = r.symptomatic_hyperglycaemia;
  for (std::string_view cls : kDrugClasses) f["on_" + std::string(cls)] = r.medications.count(std::string(cls)) > 0;
  f["drug_count"] = static_cast<double>(r.medications.size());
  put("risk_probability", risk_probability);
  return f;
}

}  // namespace medai::diabetes
