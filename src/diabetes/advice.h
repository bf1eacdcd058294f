#pragma once
// The advice: the HbA1c target (target-phase rules, highest priority wins),
// then every treatment rule evaluated on the patient's facts; actions are
// ranked by the summed weights of the rules recommending them (ties in the
// vocabulary's safety-first order); a contraindicated action is never
// offered and is listed with the rules that excluded it. Output document
// "medai.diabetes-advice/1" (docs/diabetes-advice.md).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "diabetes/patient_record.h"
#include "diabetes/risk_model.h"
#include "diabetes/rule_engine.h"

namespace medai::diabetes {

inline constexpr const char* kAdviceFormat = "medai.diabetes-advice/1";

struct AppIdentity {
  std::string name;
  std::string version;
  std::string digest;
  bool research_use_only = true;
};

// `risk` is the risk model's result for an undiagnosed patient (nullopt when
// the model did not run). Deterministic: same inputs, same document.
nlohmann::json advise(const PatientRecord& record, const RuleSet& rules, const std::optional<RiskResult>& risk,
                      const AppIdentity& app);

}  // namespace medai::diabetes
