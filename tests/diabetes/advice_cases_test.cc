// Runs every hand-written patient case of tests/diabetes/cases/*.json
// through the shipped rule set (apps/diabetes-advice/rules/rules.json) and a
// fixture risk model, and checks the expected ranked actions, the rules that
// must (and must not) fire, contraindications, the HbA1c target and, for
// bad input, the per-field problems. Every advice is also rendered as FHIR
// and checked structurally. A final test proves every rule of the shipped
// rule set fires in at least one case.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "diabetes/diabetes_app.h"
#include "diabetes/fhir_output.h"
#include "diabetes/pima_fixture_model.h"
#include "runtime/model_runtime.h"
#include "support/temp_dir.h"

namespace medai::diabetes {
namespace {

using nlohmann::json;

const std::filesystem::path kSource = MEDAI_SOURCE_DIR;

json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

json test_manifest() {
  json features = json::array();
  for (const auto& f : medai::testing::pima_features()) features.push_back({{"name", f}});
  return {{"name", "diabetes-advice"}, {"version", "1.0.0"}, {"task", "tabular-advice"},
          {"research_use_only", true}, {"input", {{"kind", "tabular"}, {"features", features}}},
          {"files", {{kRulesPath, "sha256:x"}}}};
}

// Shared across cases: the app (shipped rules) and the loaded fixture model.
struct Env {
  medai::testing::TempDir dir;
  std::shared_ptr<const DiabetesApp> app;
  std::unique_ptr<runtime::ModelRuntime> model;
  std::set<std::string> fired_anywhere;

  Env() {
    std::filesystem::create_directories(dir.path() / "rules");
    std::filesystem::copy_file(kSource / "apps/diabetes-advice/rules/rules.json", dir.path() / kRulesPath);
    auto loaded = load_diabetes_app(dir.path(), test_manifest(), "sha256:test");
    if (!loaded.is_ok()) throw std::runtime_error(loaded.status().to_string());
    app = *loaded;
    medai::testing::write_pima_fixture_model(dir.path() / "model.json");
    model = std::move(runtime::make_runtime("xgboost")).value();
    runtime::ModelSpec spec;
    spec.key = "diabetes-advice@1.0.0";
    spec.runtime = "xgboost";
    spec.artifact = dir.path() / "model.json";
    spec.threads = 1;
    const Status s = model->load(spec);
    if (!s.is_ok()) throw std::runtime_error(s.to_string());
  }
};

Env& env() {
  static Env* e = new Env;
  return *e;
}

struct Case {
  std::string file;
  json spec;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSource / "tests/diabetes/cases"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    for (const auto& c : read_json(f)) cases.push_back({f.filename().string(), c});
  return cases;
}

std::vector<std::string> strings(const json& j) {
  std::vector<std::string> out;
  for (const auto& s : j) out.push_back(s.get<std::string>());
  return out;
}

void run_case(const Case& c) {
  const json& spec = c.spec;
  SCOPED_TRACE(c.file + ": " + spec.value("name", "?"));
  const bool fhir = spec.contains("fhir");
  const std::string body = (fhir ? spec["fhir"] : spec["input"]).dump();
  auto result = run_advice(*env().app, env().model.get(), body, fhir ? InputFormat::fhir : InputFormat::json,
                           spec.value("today", "2026-01-15"));
  const json& expect = spec["expect"];

  if (expect.contains("problems")) {
    ASSERT_FALSE(result.is_ok()) << "expected problems, got advice";
    EXPECT_EQ(result.status().code(), ErrorCode::invalid_patient_input) << result.status().to_string();
    const json problems = result.status().detail()["problems"];
    for (const auto& want : expect["problems"]) {
      bool found = false;
      for (const auto& p : problems)
        found |= p["field"] == want["field"] && p["code"] == want["code"];
      EXPECT_TRUE(found) << "missing problem " << want.dump() << " in " << problems.dump();
    }
    if (expect.value("exact_problems", true)) {
      EXPECT_EQ(problems.size(), expect["problems"].size()) << problems.dump();
    }
    return;
  }
  ASSERT_TRUE(result.is_ok()) << result.status().to_string();
  const json& advice = result->advice;
  EXPECT_EQ(advice["format"], kAdviceFormat);
  EXPECT_EQ(advice["app"]["digest"], "sha256:test");
  EXPECT_EQ(advice["rule_set"]["version"], env().app->rules.version);
  EXPECT_EQ(advice["research_use_only"], true);

  std::vector<std::string> actions;
  for (const auto& r : advice["recommendations"]) actions.push_back(r["action"]);
  EXPECT_EQ(actions, strings(expect["actions"])) << advice["recommendations"].dump(1);

  std::set<std::string> fired;
  for (const auto& r : advice["fired_rules"]) {
    fired.insert(r["id"].get<std::string>());
    env().fired_anywhere.insert(r["id"].get<std::string>());
    EXPECT_FALSE(r["source"]["guideline"].get<std::string>().empty());
  }
  for (const auto& id : expect.value("fired", json::array()))
    EXPECT_TRUE(fired.count(id.get<std::string>())) << id << " did not fire; fired: " << json(fired).dump();
  for (const auto& id : expect.value("not_fired", json::array()))
    EXPECT_FALSE(fired.count(id.get<std::string>())) << id << " fired";
  if (expect.contains("contraindicated")) {
    std::set<std::string> got;
    for (const auto& ci : advice["contraindications"]) got.insert(ci["action"].get<std::string>());
    const auto want = strings(expect["contraindicated"]);
    EXPECT_EQ(got, std::set<std::string>(want.begin(), want.end()));
  }
  if (expect.contains("hba1c_target")) {
    if (expect["hba1c_target"].is_null()) {
      EXPECT_TRUE(advice["hba1c_target"].is_null());
    } else {
      ASSERT_TRUE(advice["hba1c_target"].is_object());
      EXPECT_DOUBLE_EQ(advice["hba1c_target"]["below_percent"].get<double>(), expect["hba1c_target"].get<double>());
    }
  }
  if (expect.contains("risk")) {
    const std::string want = expect["risk"];
    if (want == "none") {
      EXPECT_TRUE(advice["risk"].is_null());
    } else {
      ASSERT_TRUE(advice["risk"].is_object());
      const double p = advice["risk"]["probability"];
      if (want == "high") {
        EXPECT_GE(p, 0.5);
      }
      if (want == "low") {
        EXPECT_LT(p, 0.5);
      }
      // Contributions explain the score: bias + Σ = margin, and probability = σ(margin).
      double sum = advice["risk"]["bias_log_odds"];
      for (const auto& ctr : advice["risk"]["contributions"]) sum += ctr["contribution"].get<double>();
      EXPECT_NEAR(sum, advice["risk"]["margin_log_odds"].get<double>(), 1e-3);
      EXPECT_NEAR(1.0 / (1.0 + std::exp(-sum)), p, 1e-3);
    }
  }
  const json expected_patient = expect.value("patient", json::object());
  for (const auto& [key, value] : expected_patient.items())
    EXPECT_NEAR(advice["patient"][key]["value"].get<double>(), value.get<double>(), 0.01) << key;
  if (expect.contains("medications")) {
    EXPECT_EQ(advice["patient"]["medications"], expect["medications"]);
  }
  for (const auto& key : expect.value("missing", json::array())) {
    const auto& m = advice["missing"];
    EXPECT_NE(std::find(m.begin(), m.end(), key), m.end()) << key << " not reported missing";
  }

  const json bundle = advice_to_fhir(advice, result->subject_reference);
  EXPECT_EQ(check_fhir_output(bundle), std::vector<std::string>{}) << bundle.dump(1);
  std::size_t risk_assessments = 0;
  for (const auto& e : bundle["entry"]) risk_assessments += e["resource"]["resourceType"] == "RiskAssessment";
  EXPECT_EQ(risk_assessments, advice["risk"].is_object() ? 1u : 0u);
}

TEST(DiabetesCases, AtLeastSixtyCasesAreWritten) { EXPECT_GE(all_cases().size(), 60u); }

TEST(DiabetesCases, EveryCaseAgreesWithTheApp) {
  for (const auto& c : all_cases()) {
    try {
      run_case(c);
    } catch (const std::exception& e) {  // a malformed case must not hide the others
      ADD_FAILURE() << c.file << ": " << c.spec.value("name", "?") << ": " << e.what();
    }
  }
}

TEST(DiabetesCases, EveryShippedRuleFiresInSomeCase) {
  for (const auto& c : all_cases()) {
    ::testing::ScopedTrace quiet(__FILE__, __LINE__, "coverage pass");
    if (c.spec["expect"].contains("problems")) continue;
    const bool fhir = c.spec.contains("fhir");
    auto r = run_advice(*env().app, env().model.get(), (fhir ? c.spec["fhir"] : c.spec["input"]).dump(),
                        fhir ? InputFormat::fhir : InputFormat::json, c.spec.value("today", "2026-01-15"));
    if (!r.is_ok()) continue;
    for (const auto& f : r->advice["fired_rules"]) env().fired_anywhere.insert(f["id"].get<std::string>());
  }
  for (const auto& rule : env().app->rules.rules)
    EXPECT_TRUE(env().fired_anywhere.count(rule.id)) << "no case fires rule " << rule.id;
}

}  // namespace
}  // namespace medai::diabetes
