#include "diabetes/diabetes_app.h"

#include <fstream>
#include <sstream>

#include "diabetes/fhir_input.h"

namespace medai::diabetes {

using nlohmann::json;

bool is_rules_app(const json& manifest) {
  return manifest.value("task", "") == "tabular-advice" && manifest.contains("files") && manifest["files"].is_object() &&
         manifest["files"].contains(kRulesPath);
}

Result<std::shared_ptr<const DiabetesApp>> load_diabetes_app(const std::filesystem::path& package_dir,
                                                             const json& manifest, const std::string& digest) {
  std::ifstream in(package_dir / kRulesPath, std::ios::binary);
  if (!in) return make_error(ErrorCode::invalid_rule_set, std::string("the package has no ") + kRulesPath);
  std::stringstream text;
  text << in.rdbuf();
  const json document = json::parse(text.str(), nullptr, false);
  if (document.is_discarded()) return make_error(ErrorCode::invalid_rule_set, std::string(kRulesPath) + " is not JSON");
  MEDAI_ASSIGN_OR_RETURN(RuleSet rules, load_rule_set(document));
  std::vector<std::string> features;
  if (manifest.contains("input") && manifest["input"].contains("features"))
    for (const auto& f : manifest["input"]["features"]) features.push_back(f.value("name", ""));
  MEDAI_ASSIGN_OR_RETURN(RiskModel risk_model, RiskModel::create(features));
  auto app = std::make_shared<DiabetesApp>();
  app->identity = {manifest.value("name", ""), manifest.value("version", ""), digest,
                   manifest.value("research_use_only", true)};
  app->rules = std::move(rules);
  app->risk_model = std::move(risk_model);
  return std::shared_ptr<const DiabetesApp>(std::move(app));
}

Result<std::shared_ptr<const DiabetesApp>> DiabetesAppCache::get(const std::filesystem::path& package_dir,
                                                                 const json& manifest, const std::string& digest) {
  {
    std::lock_guard lock(mu_);
    if (auto it = apps_.find(digest); it != apps_.end()) return it->second;
  }
  MEDAI_ASSIGN_OR_RETURN(auto app, load_diabetes_app(package_dir, manifest, digest));
  std::lock_guard lock(mu_);
  return apps_.emplace(digest, std::move(app)).first->second;
}

Result<AdviceOutput> run_advice(const DiabetesApp& app, runtime::ModelRuntime* model, std::string_view body,
                                InputFormat format, const std::string& today) {
  const json input = json::parse(body, nullptr, false);
  if (input.is_discarded()) return make_error(ErrorCode::malformed_json, "the request body is not valid JSON");
  AdviceOutput out;
  RecordOrProblems parsed;
  try {
    parsed = format == InputFormat::fhir ? parse_fhir_bundle(input, today) : parse_patient_json(input);
  } catch (const nlohmann::json::exception&) {
    // The readers check every element before reading it; this is the net
    // under that contract, so odd input is a 422, never a 500.
    return problems_status({{"", std::string(kProblemInvalidType), "the input has an unexpected structure"}});
  }
  if (!parsed.ok()) return problems_status(parsed.problems);
  if (format == InputFormat::fhir && input.contains("entry") && input["entry"].is_array())
    for (const auto& e : input["entry"])
      if (e.is_object() && e.contains("resource") && e["resource"].value("resourceType", "") == "Patient" &&
          e["resource"].contains("id") && e["resource"]["id"].is_string()) {
        out.subject_reference = "Patient/" + e["resource"]["id"].get<std::string>().substr(0, 64);
        break;
      }
  std::optional<RiskResult> risk;
  if (!parsed.record.diagnosed_t2d && model) {
    MEDAI_ASSIGN_OR_RETURN(RiskResult r, app.risk_model.predict(*model, parsed.record));
    risk = std::move(r);
  }
  out.advice = advise(parsed.record, app.rules, risk, app.identity);
  return out;
}

}  // namespace medai::diabetes
