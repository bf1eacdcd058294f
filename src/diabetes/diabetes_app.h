#pragma once
// The diabetes-advice app as the platform runs it: a package (task
// "tabular-advice", runtime "xgboost") whose files include the rule set at
// rules/rules.json and whose manifest input.features name the risk model's
// columns. load_diabetes_app reads both once per package digest;
// run_advice turns one request body (our JSON or a FHIR R4 Bundle) into the
// advice document, running the risk model for undiagnosed patients.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "diabetes/advice.h"
#include "diabetes/risk_model.h"
#include "diabetes/rule_engine.h"
#include "runtime/model_runtime.h"

namespace medai::diabetes {

inline constexpr const char* kRulesPath = "rules/rules.json";

// A tabular-advice manifest whose files list the rule set.
bool is_rules_app(const nlohmann::json& manifest);

struct DiabetesApp {
  AppIdentity identity;
  RuleSet rules;
  RiskModel risk_model;
};

// invalid_rule_set when the rule file is absent or malformed,
// invalid_argument when the manifest's features are not Pima's.
Result<std::shared_ptr<const DiabetesApp>> load_diabetes_app(const std::filesystem::path& package_dir,
                                                             const nlohmann::json& manifest, const std::string& digest);

// Loaded apps by digest (digests are immutable, so entries never go stale).
class DiabetesAppCache {
 public:
  Result<std::shared_ptr<const DiabetesApp>> get(const std::filesystem::path& package_dir, const nlohmann::json& manifest,
                                                 const std::string& digest);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const DiabetesApp>> apps_;
};

enum class InputFormat { json, fhir };

struct AdviceOutput {
  nlohmann::json advice;          // medai.diabetes-advice/1
  std::string subject_reference;  // "Patient/<id>" from a FHIR input, else ""
};

// Parses `body` (malformed_json / invalid_patient_input with per-field
// problems), runs `model` for an undiagnosed patient when given, advises.
// `today` (YYYY-MM-DD) dates FHIR ages when no observation is dated.
Result<AdviceOutput> run_advice(const DiabetesApp& app, runtime::ModelRuntime* model, std::string_view body,
                                InputFormat format, const std::string& today);

}  // namespace medai::diabetes
