#include "diabetes/fhir_input.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "diabetes/medication_codes.h"
#include "diabetes/units.h"

namespace medai::diabetes {
namespace {

using nlohmann::json;

struct LoincTarget {
  const char* field;
  Quantity quantity;
};

// LOINC codes read as measurements.
const std::map<std::string, LoincTarget, std::less<>>& loinc_codes() {
  static const std::map<std::string, LoincTarget, std::less<>> m = {
      {"4548-4", {"hba1c", Quantity::hba1c}},    {"17856-6", {"hba1c", Quantity::hba1c}},
      {"59261-8", {"hba1c", Quantity::hba1c}},   {"1558-6", {"fasting_glucose", Quantity::glucose}},
      {"14771-0", {"fasting_glucose", Quantity::glucose}}, {"20438-8", {"ogtt_2h_glucose", Quantity::glucose}},
      {"33914-3", {"egfr", Quantity::egfr}},     {"62238-1", {"egfr", Quantity::egfr}},
      {"98979-8", {"egfr", Quantity::egfr}},     {"39156-5", {"bmi", Quantity::bmi}},
      {"8480-6", {"sbp", Quantity::blood_pressure}}, {"8462-4", {"dbp", Quantity::blood_pressure}},
      {"13457-7", {"ldl", Quantity::ldl}},       {"2089-1", {"ldl", Quantity::ldl}},
      {"18262-6", {"ldl", Quantity::ldl}},
  };
  return m;
}

enum class Finding { t2d, ascvd, heart_failure, ckd, pregnant, hypoglycaemia, frail };

std::optional<Finding> snomed_finding(const std::string& code) {
  static const std::map<std::string, Finding> m = {
      {"44054006", Finding::t2d},        {"22298006", Finding::ascvd},     {"399211009", Finding::ascvd},
      {"53741008", Finding::ascvd},      {"414545008", Finding::ascvd},    {"394659003", Finding::ascvd},
      {"230690007", Finding::ascvd},     {"266257000", Finding::ascvd},    {"400047006", Finding::ascvd},
      {"194828000", Finding::ascvd},     {"84114007", Finding::heart_failure}, {"42343007", Finding::heart_failure},
      {"709044004", Finding::ckd},       {"431855005", Finding::ckd},      {"431856006", Finding::ckd},
      {"433144002", Finding::ckd},       {"431857002", Finding::ckd},      {"433146000", Finding::ckd},
      {"46177005", Finding::ckd},        {"77386006", Finding::pregnant},  {"302866003", Finding::hypoglycaemia},
      {"248279007", Finding::frail},
  };
  const auto it = m.find(code);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

// ICD-10 by prefix (the dot is optional in the code).
std::optional<Finding> icd10_finding(std::string code) {
  code.erase(std::remove(code.begin(), code.end(), '.'), code.end());
  auto starts = [&code](std::initializer_list<const char*> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const char* p) { return code.rfind(p, 0) == 0; });
  };
  if (starts({"E11"})) return Finding::t2d;
  if (starts({"I50", "I110", "I130", "I132"})) return Finding::heart_failure;
  if (starts({"I20", "I21", "I22", "I23", "I24", "I25", "I63", "I65", "I66", "I70", "G45"})) return Finding::ascvd;
  if (starts({"N18"})) return Finding::ckd;
  if (starts({"Z331"})) return Finding::pregnant;
  if (starts({"E160", "E161", "E162"})) return Finding::hypoglycaemia;
  if (starts({"R54"})) return Finding::frail;
  return std::nullopt;
}

bool valid_date(const std::string& s) {
  static const std::regex re(R"(^\d{4}(-\d{2}(-\d{2})?)?$)");
  return std::regex_match(s, re);
}

// YYYY-MM-DD prefix of a FHIR dateTime ("" when absent or malformed).
std::string date_of(const json& resource, const char* key) {
  if (!resource.contains(key) || !resource[key].is_string()) return "";
  const std::string s = resource[key].get<std::string>();
  if (s.size() < 10 || !valid_date(s.substr(0, 10))) return "";
  return s.substr(0, 10);
}

std::optional<double> whole_years(const std::string& birth, const std::string& on) {
  if (birth.size() < 4 || on.size() < 10) return std::nullopt;
  const int by = std::stoi(birth.substr(0, 4)), oy = std::stoi(on.substr(0, 4));
  const int bm = birth.size() >= 7 ? std::stoi(birth.substr(5, 2)) : 1, om = std::stoi(on.substr(5, 2));
  const int bd = birth.size() >= 10 ? std::stoi(birth.substr(8, 2)) : 1, od = std::stoi(on.substr(8, 2));
  int years = oy - by;
  if (om < bm || (om == bm && od < bd)) --years;
  return static_cast<double>(years);
}

struct Reader {
  std::vector<FieldProblem> problems;
  PatientRecord record;
  std::map<std::string, std::string> source_of;       // canonical field -> pointer of its source
  std::map<std::string, std::string> date_of_field;   // canonical field -> effective date of the value used
  std::string latest_date;

  void problem(const std::string& path, std::string_view code, const std::string& message) {
    problems.push_back({path, std::string(code), message});
  }

  const json* codings(const json& cc_concept, const std::string& path) {
    if (!cc_concept.is_object() || !cc_concept.contains("coding") || !cc_concept["coding"].is_array() || cc_concept["coding"].empty()) {
      problem(path, kProblemMissing, "a CodeableConcept with at least one coding is required");
      return nullptr;
    }
    for (std::size_t i = 0; i < cc_concept["coding"].size(); ++i) {
      const json& c = cc_concept["coding"][i];
      if (!c.is_object() || !c.contains("system") || !c["system"].is_string() || !c.contains("code") ||
          !c["code"].is_string())
        problem(path + "/coding/" + std::to_string(i), kProblemInvalidType, "a Coding needs string system and code");
    }
    return &cc_concept["coding"];
  }

  void set_measurement(const std::string& field, double value, const std::string& path, const std::string& date) {
    const auto it = date_of_field.find(field);
    if (it != date_of_field.end() && it->second > date) return;  // an older value: keep the latest
    date_of_field[field] = date;
    source_of[field] = path;
    std::optional<double>* slot = field == "hba1c"             ? &record.hba1c_percent
                                  : field == "fasting_glucose" ? &record.fasting_glucose_mmol_l
                                  : field == "ogtt_2h_glucose" ? &record.ogtt_2h_glucose_mmol_l
                                  : field == "egfr"            ? &record.egfr
                                  : field == "bmi"             ? &record.bmi
                                  : field == "sbp"             ? &record.sbp
                                  : field == "dbp"             ? &record.dbp
                                                               : &record.ldl_mmol_l;
    *slot = value;
  }

  void quantity(const std::string& loinc, const json& q, const std::string& path, const std::string& date) {
    const auto target = loinc_codes().find(loinc);
    if (target == loinc_codes().end()) return;
    if (!q.is_object() || !q.contains("value") || !q["value"].is_number()) {
      problem(path + "/value", kProblemMissing, "valueQuantity.value (a number) is required for LOINC " + loinc);
      return;
    }
    std::string unit;
    if (q.contains("code") && q["code"].is_string()) {
      unit = q["code"].get<std::string>();
      if (q.contains("system") && q["system"] != kUcum)
        problem(path + "/system", kProblemUnsupportedUnit, "valueQuantity.system must be UCUM (" + std::string(kUcum) + ")");
    } else if (q.contains("unit") && q["unit"].is_string()) {
      unit = q["unit"].get<std::string>();
    } else {
      problem(path + "/code", kProblemUnsupportedUnit, "valueQuantity needs a UCUM code for LOINC " + loinc);
      return;
    }
    const auto value = to_canonical(target->second.quantity, q["value"].get<double>(), unit);
    if (!value) {
      problem(path + "/code", kProblemUnsupportedUnit, "unit '" + unit.substr(0, 32) + "' is not supported for LOINC " +
                                                           loinc + "; use " + std::string(accepted_units(target->second.quantity)));
      return;
    }
    set_measurement(target->second.field, *value, path, date);
  }

  void observation(const json& r, const std::string& path) {
    static const std::set<std::string> statuses = {"registered", "preliminary", "final", "amended", "corrected",
                                                   "cancelled", "entered-in-error", "unknown"};
    if (!r.contains("status") || !r["status"].is_string()) {
      problem(path + "/status", kProblemMissing, "Observation.status is required");
      return;
    }
    const std::string status = r["status"].get<std::string>();
    if (!statuses.count(status)) {
      problem(path + "/status", kProblemInvalidType, "Observation.status '" + status.substr(0, 32) + "' is not an R4 code");
      return;
    }
    if (!r.contains("code")) {
      problem(path + "/code", kProblemMissing, "Observation.code is required");
      return;
    }
    const json* list = codings(r["code"], path + "/code");
    if (!list || status == "cancelled" || status == "entered-in-error" || status == "registered") return;
    const std::string date = date_of(r, "effectiveDateTime");
    if (date > latest_date) latest_date = date;
    for (const auto& c : *list) {
      if (c.value("system", "") != kLoinc || !c.contains("code") || !c["code"].is_string()) continue;
      const std::string code = c["code"].get<std::string>();
      if (code == "85354-9") {  // blood pressure panel: components
        if (!r.contains("component") || !r["component"].is_array()) {
          problem(path + "/component", kProblemMissing, "the blood pressure panel (LOINC 85354-9) needs components");
          continue;
        }
        for (std::size_t i = 0; i < r["component"].size(); ++i) {
          const json& comp = r["component"][i];
          const std::string cpath = path + "/component/" + std::to_string(i);
          if (!comp.is_object() || !comp.contains("code")) {
            problem(cpath + "/code", kProblemMissing, "Observation.component.code is required");
            continue;
          }
          const json* cl = codings(comp["code"], cpath + "/code");
          if (!cl) continue;
          for (const auto& cc : *cl)
            if (cc.value("system", "") == kLoinc && cc.contains("code") && cc["code"].is_string())
              quantity(cc["code"].get<std::string>(), comp.value("valueQuantity", json()), cpath + "/valueQuantity", date);
        }
        continue;
      }
      if (loinc_codes().count(code)) {
        if (!r.contains("valueQuantity")) {
          problem(path + "/valueQuantity", kProblemMissing, "LOINC " + code + " needs a valueQuantity");
          continue;
        }
        quantity(code, r["valueQuantity"], path + "/valueQuantity", date);
      }
    }
  }

  void apply(Finding f) {
    switch (f) {
      case Finding::t2d: record.diagnosed_t2d = true; break;
      case Finding::ascvd: record.ascvd = true; break;
      case Finding::heart_failure: record.heart_failure = true; break;
      case Finding::ckd: record.ckd = true; break;
      case Finding::pregnant: record.pregnant = true; break;
      case Finding::hypoglycaemia: record.hypoglycaemia_history = true; break;
      case Finding::frail: record.frail = true; break;
    }
  }

  static std::string status_code(const json& r, const char* key) {
    if (!r.contains(key) || !r[key].is_object() || !r[key].contains("coding") || !r[key]["coding"].is_array() ||
        r[key]["coding"].empty() || !r[key]["coding"][0].is_object())
      return "";
    return r[key]["coding"][0].value("code", "");
  }

  void condition(const json& r, const std::string& path) {
    if (!r.contains("subject")) problem(path + "/subject", kProblemMissing, "Condition.subject is required");
    const std::string clinical = status_code(r, "clinicalStatus");
    const std::string verification = status_code(r, "verificationStatus");
    if (!r.contains("code")) return;  // allowed by R4, but says nothing we can use
    const json* list = codings(r["code"], path + "/code");
    if (!list) return;
    if (clinical == "inactive" || clinical == "resolved" || clinical == "remission") return;
    if (verification == "refuted" || verification == "entered-in-error") return;
    for (const auto& c : *list) {
      const std::string system = c.value("system", "");
      if (!c.contains("code") || !c["code"].is_string()) continue;
      const std::string code = c["code"].get<std::string>();
      std::optional<Finding> f;
      if (system == kSnomed) f = snomed_finding(code);
      else if (system == kIcd10 || system == kIcd10Cm) f = icd10_finding(code);
      if (f) {
        apply(*f);
        break;
      }
    }
  }

  void medication_statement(const json& r, const std::string& path) {
    static const std::set<std::string> statuses = {"active", "completed", "entered-in-error", "intended",
                                                   "stopped", "on-hold", "unknown", "not-taken"};
    if (!r.contains("subject")) problem(path + "/subject", kProblemMissing, "MedicationStatement.subject is required");
    if (!r.contains("status") || !r["status"].is_string()) {
      problem(path + "/status", kProblemMissing, "MedicationStatement.status is required");
      return;
    }
    const std::string status = r["status"].get<std::string>();
    if (!statuses.count(status)) {
      problem(path + "/status", kProblemInvalidType, "MedicationStatement.status '" + status.substr(0, 32) + "' is not an R4 code");
      return;
    }
    if (!r.contains("medicationCodeableConcept")) {
      if (r.contains("medicationReference"))
        problem(path + "/medicationReference", kProblemUnknownCode,
                "medicationReference is not supported; give medicationCodeableConcept with ATC or RxNorm codes");
      else problem(path + "/medicationCodeableConcept", kProblemMissing, "MedicationStatement.medication[x] is required");
      return;
    }
    const bool counted = status == "active" || status == "intended" || status == "on-hold" || status == "unknown";
    const json& medication = r["medicationCodeableConcept"];
    // A text-only concept (no coding) is valid FHIR: its name is all there is.
    if (medication.is_object() && !medication.contains("coding") && medication.contains("text") &&
        medication["text"].is_string()) {
      if (counted)
        for (auto& cls : drug_classes_from_name(medication["text"].get<std::string>())) record.medications.insert(cls);
      return;
    }
    const json* list = codings(medication, path + "/medicationCodeableConcept");
    if (!list || !counted) return;
    std::string unclassified_a10;  // an ATC A10 code this app does not know, and where
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& c = (*list)[i];
      if (!c.contains("code") || !c["code"].is_string()) continue;
      const std::string system = c.value("system", "");
      const std::string code = c["code"].get<std::string>();
      std::vector<std::string> classes;
      if (system == kAtc) {
        classes = atc_drug_classes(code);
        if (classes.empty() && code.rfind("A10", 0) == 0 && unclassified_a10.empty())
          unclassified_a10 = std::to_string(i) + " " + code.substr(0, 16);
      } else if (system == kRxNorm) {
        classes = rxnorm_drug_classes(code);
      }
      for (auto& cls : classes) record.medications.insert(cls);
      if (!classes.empty()) return;
    }
    // No code this app knows (e.g. an RxNorm clinical drug or a local code):
    // the drug's name, from a coding's display or the concept's text.
    std::vector<std::string> names;
    for (const auto& c : *list)
      if (c.contains("display") && c["display"].is_string()) names.push_back(c["display"].get<std::string>());
    if (medication.contains("text") && medication["text"].is_string()) names.push_back(medication["text"].get<std::string>());
    bool named = false;
    for (const auto& name : names)
      for (auto& cls : drug_classes_from_name(name)) {
        record.medications.insert(cls);
        named = true;
      }
    // A glucose-lowering drug (ATC A10) that is neither coded nor named in a
    // way this app knows: the advice would not know the patient takes it.
    if (!named && !unclassified_a10.empty()) {
      const auto space = unclassified_a10.find(' ');
      problem(path + "/medicationCodeableConcept/coding/" + unclassified_a10.substr(0, space), kProblemUnknownCode,
              "glucose-lowering ATC code " + unclassified_a10.substr(space + 1) + " is not classified by this app");
    }
  }
};

}  // namespace

RecordOrProblems parse_fhir_bundle(const json& bundle, const std::string& today) {
  Reader reader;
  RecordOrProblems out;
  static const std::set<std::string> bundle_types = {"document", "message", "transaction", "transaction-response",
                                                      "batch", "batch-response", "history", "searchset", "collection"};
  if (!bundle.is_object() || bundle.value("resourceType", "") != "Bundle") {
    out.problems.push_back({"/resourceType", std::string(kProblemInvalidType), "the input must be a FHIR R4 Bundle"});
    return out;
  }
  if (!bundle.contains("type") || !bundle["type"].is_string())
    reader.problem("/type", kProblemMissing, "Bundle.type is required");
  else if (!bundle_types.count(bundle["type"].get<std::string>()))
    reader.problem("/type", kProblemInvalidType, "Bundle.type is not an R4 bundle type");
  if (!bundle.contains("entry") || !bundle["entry"].is_array() || bundle["entry"].empty()) {
    reader.problem("/entry", kProblemMissing, "the Bundle has no entries");
    out.problems = std::move(reader.problems);
    return out;
  }
  const json* patient = nullptr;
  std::string patient_path;
  for (std::size_t i = 0; i < bundle["entry"].size() && i < 10000; ++i) {
    const std::string path = "/entry/" + std::to_string(i) + "/resource";
    const json& entry = bundle["entry"][i];
    if (!entry.is_object() || !entry.contains("resource") || !entry["resource"].is_object()) {
      reader.problem("/entry/" + std::to_string(i), kProblemMissing, "Bundle.entry.resource is required here");
      continue;
    }
    const json& r = entry["resource"];
    const std::string type = r.value("resourceType", "");
    if (type.empty()) reader.problem(path + "/resourceType", kProblemMissing, "resourceType is required");
    else if (type == "Patient") {
      if (patient) reader.problem(path, kProblemInconsistent, "the Bundle holds more than one Patient");
      patient = &r;
      patient_path = path;
    } else if (type == "Observation") reader.observation(r, path);
    else if (type == "Condition") reader.condition(r, path);
    else if (type == "MedicationStatement") reader.medication_statement(r, path);
  }
  PatientRecord& rec = reader.record;
  if (!patient) reader.problem("/entry", kProblemMissing, "the Bundle needs a Patient resource");
  else {
    if (patient->contains("gender")) {
      const std::string g = (*patient)["gender"].is_string() ? (*patient)["gender"].get<std::string>() : "";
      if (g == "female") rec.sex = Sex::female;
      else if (g == "male") rec.sex = Sex::male;
      else if (g != "other" && g != "unknown")
        reader.problem(patient_path + "/gender", kProblemInvalidType, "Patient.gender is not an R4 administrative gender");
    }
    const std::string birth = patient->contains("birthDate") && (*patient)["birthDate"].is_string()
                                  ? (*patient)["birthDate"].get<std::string>()
                                  : "";
    if (birth.empty()) reader.problem(patient_path + "/birthDate", kProblemMissing, "Patient.birthDate is required for the age");
    else if (!valid_date(birth)) reader.problem(patient_path + "/birthDate", kProblemInvalidType, "Patient.birthDate is not an R4 date");
    else rec.age_years = whole_years(birth, reader.latest_date.empty() ? today : reader.latest_date);
    if (rec.age_years && *rec.age_years < 0)
      reader.problem(patient_path + "/birthDate", kProblemImplausible, "Patient.birthDate is after the observations");
  }
  auto where = [&reader, &patient_path](std::string_view field) -> std::string {
    if (field == "age") return patient_path.empty() ? "/entry" : patient_path + "/birthDate";
    if (field == "pregnant") return "/entry (Condition pregnancy)";
    if (const auto it = reader.source_of.find(std::string(field)); it != reader.source_of.end()) return it->second;
    if (field == "hba1c") return "/entry (Observation LOINC 4548-4)";
    return "/entry (" + std::string(field) + ")";
  };
  check_plausibility(rec, where, reader.problems);
  out.record = std::move(rec);
  out.problems = std::move(reader.problems);
  return out;
}

}  // namespace medai::diabetes
