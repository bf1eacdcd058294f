#include "synth/diabetes_cohort.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "synth/rng.h"

namespace medai::synth {
namespace {

double clampd(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }
double round1(double v) { return std::round(v * 10) / 10; }
double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

bool has(const DiabetesPatient& p, const char* key) {
  return std::find(p.medications.begin(), p.medications.end(), key) != p.medications.end();
}

}  // namespace

const std::vector<Medication>& diabetes_medications() {
  static const std::vector<Medication> meds = {
      {"metformin", "6809", "metformin", "biguanide"},
      {"glimepiride", "25789", "glimepiride", "sulfonylurea"},
      {"sitagliptin", "593411", "sitagliptin", "DPP-4 inhibitor"},
      {"empagliflozin", "1545653", "empagliflozin", "SGLT2 inhibitor"},
      {"dapagliflozin", "1488564", "dapagliflozin", "SGLT2 inhibitor"},
      {"semaglutide", "1991302", "semaglutide", "GLP-1 receptor agonist"},
      {"liraglutide", "475968", "liraglutide", "GLP-1 receptor agonist"},
      {"insulin_glargine", "274783", "insulin glargine", "basal insulin"},
      {"pioglitazone", "33738", "pioglitazone", "thiazolidinedione"},
      {"atorvastatin", "83367", "atorvastatin", "statin"},
      {"lisinopril", "29046", "lisinopril", "ACE inhibitor"},
  };
  return meds;
}

std::vector<DiabetesPatient> generate_diabetes_cohort(std::uint64_t seed, int count) {
  std::vector<DiabetesPatient> out;
  for (int i = 0; i < count; ++i) {
    Rng r = Rng(seed).fork("diabetes", static_cast<std::uint64_t>(i));
    DiabetesPatient p;
    char buf[64];
    std::snprintf(buf, sizeof buf, "SYN-DM-%llu-%05d", static_cast<unsigned long long>(seed), i + 1);
    p.id = buf;
    p.age = static_cast<int>(std::lround(clampd(r.normal(62, 12), 25, 90)));
    const bool female = r.chance(0.47);
    p.sex = female ? "female" : "male";
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", 2025 - p.age, r.integer(1, 12), r.integer(1, 28));
    p.birth_date = buf;
    // Latent factors: metabolic severity and vascular burden.
    const double metabolic = r.normal();
    const double vascular = r.normal();
    p.diabetes_years = round1(clampd(std::exp(r.normal(std::log(7.0), 0.8)) * (0.6 + p.age / 100.0), 0.2, 45));
    p.bmi = round1(clampd(31.5 + 4.5 * metabolic + r.normal(0, 4.0) - 0.05 * (p.age - 60), 18.5, 58));
    p.hba1c = round1(clampd(7.4 + 0.7 * metabolic + 0.03 * p.diabetes_years + r.normal(0, 1.1), 5.2, 14.0));
    // ADAG: estimated average glucose = 28.7 * A1c - 46.7 mg/dL; fasting glucose tracks it.
    p.fasting_glucose = std::round(clampd(0.95 * (28.7 * p.hba1c - 46.7) + r.normal(0, 22), 70, 450));
    p.egfr = std::round(clampd(108 - 0.9 * (p.age - 40) - 4.0 * vascular - 0.3 * p.diabetes_years + r.normal(0, 16), 6, 130));
    p.uacr = round1(clampd(std::exp(r.normal(std::log(14.0) + 0.35 * vascular + 0.15 * (p.hba1c - 7.5), 1.1)), 2, 3000));
    p.sbp = static_cast<int>(std::lround(clampd(110 + 0.35 * p.age + 0.45 * (p.bmi - 30) + 4 * vascular + r.normal(0, 13), 90, 210)));
    p.dbp = static_cast<int>(std::lround(clampd(0.45 * p.sbp + 20 - 0.15 * (p.age - 60) + r.normal(0, 7), 45, 125)));
    p.smoker = r.chance(0.15);
    p.ascvd = r.chance(sigmoid(-1.12 + 0.055 * (p.age - 62) + 0.8 * vascular + (female ? -0.5 : 0.2) + (p.smoker ? 0.6 : 0)));
    p.heart_failure = r.chance(sigmoid(-3.0 + 0.06 * (p.age - 62) + (p.ascvd ? 1.2 : 0) + 0.04 * (p.bmi - 30) + (p.egfr < 60 ? 0.6 : 0)));
    p.ckd = p.egfr < 60 || p.uacr >= 30;
    // Lipids (mg/dL): lower LDL on statins, higher triglycerides with metabolic severity.
    const bool statin = r.chance(p.ascvd ? 0.85 : (p.age >= 40 ? 0.65 : 0.3));
    p.ldl = std::round(clampd(r.normal(statin ? 85 : 115, 32), 25, 260));
    p.hdl = std::round(clampd(r.normal(female ? 50 : 42, 11) - 2.5 * metabolic, 18, 110));
    p.triglycerides = std::round(clampd(std::exp(r.normal(std::log(150.0) + 0.25 * metabolic, 0.45)), 40, 1200));
    p.total_cholesterol = std::round(p.ldl + p.hdl + p.triglycerides / 5.0);  // Friedewald

    // Current medications, following prescribing patterns and contraindications.
    std::vector<std::string>& m = p.medications;
    if (p.egfr >= 30 && r.chance(0.78)) m.push_back("metformin");
    const bool sglt2_indicated = p.heart_failure || p.ckd || p.ascvd;
    if (p.egfr >= 20 && r.chance(sglt2_indicated ? 0.45 : 0.15)) m.push_back(r.chance(0.6) ? "empagliflozin" : "dapagliflozin");
    if (r.chance(p.ascvd || p.bmi >= 35 ? 0.3 : 0.12)) m.push_back(r.chance(0.6) ? "semaglutide" : "liraglutide");
    const bool insulin = r.chance(sigmoid(-2.2 + 0.6 * (p.hba1c - 8.0) + 0.08 * p.diabetes_years));
    if (insulin) m.push_back("insulin_glargine");
    if (!insulin && r.chance(0.22)) m.push_back("glimepiride");
    if (!has(p, "semaglutide") && !has(p, "liraglutide") && r.chance(0.15)) m.push_back("sitagliptin");
    if (!p.heart_failure && r.chance(0.03)) m.push_back("pioglitazone");
    if (statin) m.push_back("atorvastatin");
    if (r.chance(p.sbp >= 130 || p.uacr >= 30 ? 0.7 : 0.35)) m.push_back("lisinopril");
    // Severe hypoglycaemia: mostly with insulin or sulfonylureas, more with CKD and age.
    const double hypo_logit = -4.2 + (insulin ? 1.8 : 0) + (has(p, "glimepiride") ? 1.2 : 0) + (p.egfr < 45 ? 0.7 : 0) +
                              0.03 * (p.age - 62);
    p.hypoglycemia_history = r.chance(sigmoid(hypo_logit));
    out.push_back(std::move(p));
  }
  return out;
}

nlohmann::json to_json(const DiabetesPatient& p) {
  return {{"id", p.id},
          {"age", p.age},
          {"sex", p.sex},
          {"birth_date", p.birth_date},
          {"diabetes_years", p.diabetes_years},
          {"bmi", p.bmi},
          {"hba1c_percent", p.hba1c},
          {"fasting_glucose_mg_dl", p.fasting_glucose},
          {"egfr_ml_min_1_73m2", p.egfr},
          {"uacr_mg_g", p.uacr},
          {"sbp_mmhg", p.sbp},
          {"dbp_mmhg", p.dbp},
          {"ldl_mg_dl", p.ldl},
          {"hdl_mg_dl", p.hdl},
          {"triglycerides_mg_dl", p.triglycerides},
          {"total_cholesterol_mg_dl", p.total_cholesterol},
          {"smoker", p.smoker},
          {"ascvd", p.ascvd},
          {"heart_failure", p.heart_failure},
          {"ckd", p.ckd},
          {"hypoglycemia_history", p.hypoglycemia_history},
          {"medications", p.medications}};
}

std::string cohort_csv(const std::vector<DiabetesPatient>& patients) {
  std::ostringstream s;
  s << "id,age,sex,diabetes_years,bmi,hba1c_percent,fasting_glucose_mg_dl,egfr_ml_min_1_73m2,uacr_mg_g,sbp_mmhg,"
       "dbp_mmhg,ldl_mg_dl,hdl_mg_dl,triglycerides_mg_dl,total_cholesterol_mg_dl,smoker,ascvd,heart_failure,ckd,"
       "hypoglycemia_history,medications\n";
  for (const DiabetesPatient& p : patients) {
    std::string meds;
    for (const std::string& m : p.medications) meds += (meds.empty() ? "" : ";") + m;
    s << p.id << ',' << p.age << ',' << p.sex << ',' << p.diabetes_years << ',' << p.bmi << ',' << p.hba1c << ','
      << p.fasting_glucose << ',' << p.egfr << ',' << p.uacr << ',' << p.sbp << ',' << p.dbp << ',' << p.ldl << ','
      << p.hdl << ',' << p.triglycerides << ',' << p.total_cholesterol << ',' << p.smoker << ',' << p.ascvd << ','
      << p.heart_failure << ',' << p.ckd << ',' << p.hypoglycemia_history << ',' << meds << '\n';
  }
  return s.str();
}

namespace {

nlohmann::json quantity(double v, const char* unit, const char* code) {
  return {{"value", v}, {"unit", unit}, {"system", "http://unitsofmeasure.org"}, {"code", code}};
}

nlohmann::json coding(const char* system, const char* code, const char* display) {
  return {{"coding", {{{"system", system}, {"code", code}, {"display", display}}}}, {"text", display}};
}

}  // namespace

nlohmann::json fhir_bundle(const DiabetesPatient& p, const std::string& date) {
  const std::string pid = p.id;
  const std::string patient_ref = "urn:uuid:patient-" + pid;
  nlohmann::json entries = nlohmann::json::array();
  entries.push_back({{"fullUrl", patient_ref},
                     {"resource",
                      {{"resourceType", "Patient"},
                       {"id", pid},
                       {"identifier", {{{"system", "urn:medai:synth:patient"}, {"value", pid}}}},
                       {"name", {{{"family", "Synthetic"}, {"given", {pid}}}}},
                       {"gender", p.sex},
                       {"birthDate", p.birth_date}}}});
  int n = 0;
  auto add_obs = [&](const char* loinc, const char* display, nlohmann::json value, const char* category) {
    nlohmann::json obs = {{"resourceType", "Observation"},
                          {"id", pid + "-obs-" + std::to_string(++n)},
                          {"status", "final"},
                          {"category", {coding("http://terminology.hl7.org/CodeSystem/observation-category", category, category)}},
                          {"code", coding("http://loinc.org", loinc, display)},
                          {"subject", {{"reference", patient_ref}}},
                          {"effectiveDateTime", date}};
    if (value.is_object() && value.contains("component")) {
      obs["component"] = value["component"];
    } else {
      obs["valueQuantity"] = value;
    }
    entries.push_back({{"fullUrl", "urn:uuid:" + obs["id"].get<std::string>()}, {"resource", obs}});
  };
  add_obs("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", quantity(p.hba1c, "%", "%"), "laboratory");
  add_obs("1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma", quantity(p.fasting_glucose, "mg/dL", "mg/dL"), "laboratory");
  add_obs("33914-3", "Glomerular filtration rate/1.73 sq M.predicted", quantity(p.egfr, "mL/min/1.73m2", "mL/min/{1.73_m2}"), "laboratory");
  add_obs("9318-7", "Albumin/Creatinine [Mass Ratio] in Urine", quantity(p.uacr, "mg/g", "mg/g"), "laboratory");
  add_obs("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation", quantity(p.ldl, "mg/dL", "mg/dL"), "laboratory");
  add_obs("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", quantity(p.hdl, "mg/dL", "mg/dL"), "laboratory");
  add_obs("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", quantity(p.triglycerides, "mg/dL", "mg/dL"), "laboratory");
  add_obs("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", quantity(p.total_cholesterol, "mg/dL", "mg/dL"), "laboratory");
  add_obs("39156-5", "Body mass index (BMI) [Ratio]", quantity(p.bmi, "kg/m2", "kg/m2"), "vital-signs");
  add_obs("85354-9", "Blood pressure panel with all children optional",
          {{"component",
            {{{"code", coding("http://loinc.org", "8480-6", "Systolic blood pressure")}, {"valueQuantity", quantity(p.sbp, "mmHg", "mm[Hg]")}},
             {{"code", coding("http://loinc.org", "8462-4", "Diastolic blood pressure")}, {"valueQuantity", quantity(p.dbp, "mmHg", "mm[Hg]")}}}}},
          "vital-signs");
  auto add_condition = [&](const char* code, const char* display) {
    const std::string id = pid + "-cond-" + code;
    entries.push_back({{"fullUrl", "urn:uuid:" + id},
                       {"resource",
                        {{"resourceType", "Condition"},
                         {"id", id},
                         {"clinicalStatus", coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")},
                         {"verificationStatus", coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")},
                         {"code", coding("http://snomed.info/sct", code, display)},
                         {"subject", {{"reference", patient_ref}}}}}});
  };
  add_condition("44054006", "Diabetes mellitus type 2");
  if (p.ascvd) add_condition("53741008", "Coronary arteriosclerosis");
  if (p.heart_failure) add_condition("84114007", "Heart failure");
  if (p.ckd) add_condition("709044004", "Chronic kidney disease");
  if (p.hypoglycemia_history) add_condition("302866003", "Hypoglycemia");
  for (const Medication& m : diabetes_medications()) {
    if (!has(p, m.key)) continue;
    const std::string id = pid + "-med-" + m.key;
    entries.push_back({{"fullUrl", "urn:uuid:" + id},
                       {"resource",
                        {{"resourceType", "MedicationStatement"},
                         {"id", id},
                         {"status", "active"},
                         {"medicationCodeableConcept", coding("http://www.nlm.nih.gov/research/umls/rxnorm", m.rxnorm, m.display)},
                         {"subject", {{"reference", patient_ref}}},
                         {"effectiveDateTime", date}}}});
  }
  return {{"resourceType", "Bundle"}, {"type", "collection"}, {"id", "bundle-" + pid}, {"entry", entries}};
}

}  // namespace medai::synth
