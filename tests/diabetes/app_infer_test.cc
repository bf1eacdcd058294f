// The diabetes-advice app through the marketplace over the real server: the
// package is built by scripts/build_diabetes_app.sh from a fixture XGBoost
// model and the shipped rules, signed, published (with the sandboxed check
// run), shared with hospital A and approved there; doctors of hospital A
// get advice as JSON and as FHIR, from JSON and from FHIR input; hospital B
// (not approved) is refused; bad input gets per-field problems (422) and the
// server keeps answering; usage is metered.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "diabetes/fhir_output.h"
#include "diabetes/pima_fixture_model.h"
#include "integration/server_process.h"
#include "support/dicom_tools.h"

namespace medai::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kSource = MEDAI_SOURCE_DIR;

json diagnosed_patient() {
  return {{"age", 62}, {"sex", "female"}, {"diagnosed_t2d", true}, {"hba1c", {{"value", 64}, {"unit", "mmol/mol"}}},
          {"egfr", 52}, {"bmi", 31}, {"conditions", {{"heart_failure", true}}}, {"medications", {"metformin"}}};
}

json fhir_bundle() {
  auto obs = [](const char* code, double v, const char* unit) {
    return json{{"resource", {{"resourceType", "Observation"}, {"status", "final"},
                              {"code", {{"coding", {{{"system", "http://loinc.org"}, {"code", code}}}}}},
                              {"effectiveDateTime", "2025-11-02"},
                              {"valueQuantity", {{"value", v}, {"unit", unit}, {"system", "http://unitsofmeasure.org"}, {"code", unit}}}}}};
  };
  return {{"resourceType", "Bundle"}, {"type", "collection"},
          {"entry", {{{"resource", {{"resourceType", "Patient"}, {"id", "p7"}, {"gender", "male"}, {"birthDate", "1958-04-02"}}}},
                     obs("4548-4", 8.4, "%"), obs("62238-1", 38, "mL/min/{1.73_m2}"),
                     {{"resource", {{"resourceType", "Condition"}, {"subject", {{"reference", "Patient/p7"}}},
                                    {"code", {{"coding", {{{"system", "http://snomed.info/sct"}, {"code", "44054006"}}}}}}}}},
                     {{"resource", {{"resourceType", "Condition"}, {"subject", {{"reference", "Patient/p7"}}},
                                    {"code", {{"coding", {{{"system", "http://hl7.org/fhir/sid/icd-10"}, {"code", "N18.3"}}}}}}}}},
                     {{"resource", {{"resourceType", "MedicationStatement"}, {"status", "active"}, {"subject", {{"reference", "Patient/p7"}}},
                                    {"medicationCodeableConcept", {{"coding", {{{"system", "http://www.whocc.no/atc"}, {"code", "A10BA02"}}}}}}}}}}}};
}

class DiabetesAppInferTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var");
    ASSERT_TRUE(server_->running()) << server_->log_text();
    create_institutions_and_users(*dir_ / "var", {"medai-reference", "hosp-a", "hosp-b"},
                                  {{"vendor-dev", "medai-reference", "partner"},
                                   {"admin-a", "hosp-a", "institution_admin"},
                                   {"doc-a", "hosp-a", "doctor"},
                                   {"res-a", "hosp-a", "researcher"},
                                   {"doc-b", "hosp-b", "doctor"}},
                                  dir_->path());
    for (const char* u : {"vendor-dev", "admin-a", "doc-a", "res-a", "doc-b"})
      tokens_[u] = issue_token(*dir_ / "var", u, dir_->path());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static CommandResult medai(std::vector<std::string> args, const std::string& token = "") {
    if (!token.empty())
      args.insert(args.end(), {"--server", "http://127.0.0.1:" + std::to_string(server_->port()), "--token", token});
    return run_medai(args, dir_->path());
  }
  static Api api(const std::string& user) { return Api{server_->port(), tokens_[user]}; }
  static std::optional<http::testing::RawResponse> post(const std::string& user, const std::string& target,
                                                        const std::string& body, const std::string& headers) {
    return http::testing::fetch(server_->port(), "POST", target,
                                headers + "Authorization: Bearer " + tokens_[user] + "\r\n", body, std::chrono::seconds(60));
  }
  // Builds, signs and publishes `version`; returns the digest.
  static std::string publish(const std::string& version) {
    const fs::path model = dir_->path() / "model.json";
    if (!fs::exists(model)) write_pima_fixture_model(model);
    const std::string key = (dir_->path() / "vendor").string();
    if (!fs::exists(key + ".key.json")) {
      EXPECT_EQ(medai({"app", "keygen", "--out", key}).exit_code, 0);
      EXPECT_EQ(medai({"app", "register-key", "--public-key", key + ".pub.json", "--name", "release"}, tokens_["vendor-dev"]).exit_code, 0);
    }
    const std::string pkg = (dir_->path() / ("diabetes-" + version + ".medai")).string();
    const auto built = run_command((kSource / "scripts/build_diabetes_app.sh").string() + " --model " + model.string() +
                                   " -o " + pkg + " --version " + version + " --key " + key + ".key.json --medai " +
                                   MEDAI_BINARY);
    EXPECT_EQ(built.exit_code, 0) << built.output;
    auto published = medai({"app", "publish", pkg}, tokens_["vendor-dev"]);
    EXPECT_EQ(published.exit_code, 0) << published.err << published.out;
    const json answer = json::parse(published.out, nullptr, false);
    return answer.is_object() ? answer.value("digest", "") : "";
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::map<std::string, std::string> tokens_;
};
TempDir* DiabetesAppInferTest::dir_ = nullptr;
ServerProcess* DiabetesAppInferTest::server_ = nullptr;
std::map<std::string, std::string> DiabetesAppInferTest::tokens_;

TEST_F(DiabetesAppInferTest, PublishApproveAndAdviseThroughTheMarketplace) {
  const std::string digest = publish("1.0.0");
  ASSERT_FALSE(digest.empty());
  int status = 0;
  api("vendor-dev").json("PUT", "/api/v1/apps/diabetes-advice/visibility", {{"public", false}, {"institutions", {"hosp-a"}}}, &status);
  ASSERT_EQ(status, 200);

  // Not approved yet: refused even at hospital A.
  api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  EXPECT_EQ(status, 403);
  ASSERT_EQ(medai({"app", "approve", "diabetes-advice", "1.0.0"}, tokens_["admin-a"]).exit_code, 0);

  // JSON in, JSON out.
  json advice = api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  ASSERT_EQ(status, 200) << advice.dump();
  EXPECT_EQ(advice["format"], "medai.diabetes-advice/1");
  EXPECT_EQ(advice["app"]["name"], "diabetes-advice");
  EXPECT_EQ(advice["app"]["version"], "1.0.0");
  EXPECT_EQ(advice["app"]["digest"], digest);
  EXPECT_EQ(advice["research_use_only"], true);
  EXPECT_EQ(advice["rule_set"]["version"], "2025.1.0");
  ASSERT_GE(advice["recommendations"].size(), 1u);
  EXPECT_EQ(advice["recommendations"][0]["action"], "add_sglt2i");  // heart failure branch
  EXPECT_EQ(advice["recommendations"][0]["rules"][0]["source"]["guideline"], "ADA Standards of Care in Diabetes—2025");
  EXPECT_EQ(advice["patient"]["hba1c"]["value"], 8.0);  // 64 mmol/mol
  EXPECT_TRUE(advice["risk"].is_null());               // diagnosed: no screening model

  // Undiagnosed: the risk model runs and explains itself.
  json screening = {{"age", 50}, {"sex", "female"}, {"diagnosed_t2d", false}, {"bmi", 36},
                    {"ogtt_2h_glucose", {{"value", 170}, {"unit", "mg/dL"}}}, {"dbp", 80}, {"pregnancies", 3}};
  json risk = api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer?version=1.0.0", screening, &status);
  ASSERT_EQ(status, 200) << risk.dump();
  ASSERT_TRUE(risk["risk"].is_object());
  EXPECT_EQ(risk["risk"]["contributions"].size(), 7u);
  EXPECT_FALSE(risk["risk"]["what_drove_this_score"].empty());

  // FHIR in, FHIR out.
  auto r = post("doc-a", "/api/v1/apps/diabetes-advice/infer", fhir_bundle().dump(),
                "Content-Type: application/fhir+json\r\nAccept: application/fhir+json\r\n");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->header("Content-Type").find("application/fhir+json"), std::string::npos);
  const json bundle = json::parse(r->body);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(diabetes::check_fhir_output(bundle), std::vector<std::string>{});
  const json& group = bundle["entry"][0]["resource"];
  ASSERT_EQ(group["resourceType"], "RequestGroup");
  EXPECT_EQ(group["subject"]["reference"], "Patient/p7");
  EXPECT_EQ(group["action"][0]["code"][0]["coding"][0]["code"], "add_sglt2i");  // CKD, eGFR 38

  // FHIR in, JSON out.
  r = post("doc-a", "/api/v1/apps/diabetes-advice/infer", fhir_bundle().dump(), "Content-Type: application/fhir+json\r\n");
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  EXPECT_EQ(json::parse(r->body)["patient"]["age"]["value"], 67);

  // Hospital B: not shared with it → not found; researchers may not run apps.
  api("doc-b").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  EXPECT_EQ(status, 404);
  api("res-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  EXPECT_EQ(status, 403);

  // Usage: every answered call is one metered job.
  json usage = api("vendor-dev").json("GET", "/api/v1/apps/diabetes-advice/usage", nullptr, &status);
  ASSERT_EQ(status, 200) << usage.dump();
  std::int64_t jobs = 0;
  for (const auto& row : usage["items"]) jobs += row.value("jobs", 0);
  EXPECT_EQ(jobs, 4);
}

TEST_F(DiabetesAppInferTest, BadInputGetsPerFieldProblemsAndTheServerKeepsRunning) {
  // Runs after the first test (same suite, same server); publishes its own version when alone.
  int status = 0;
  json probe = api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  if (status != 200) {
    ASSERT_FALSE(publish("1.0.1").empty());
    api("vendor-dev").json("PUT", "/api/v1/apps/diabetes-advice/visibility", {{"public", false}, {"institutions", {"hosp-a"}}}, &status);
    ASSERT_EQ(medai({"app", "approve", "diabetes-advice", "1.0.1"}, tokens_["admin-a"]).exit_code, 0);
  }
  json bad = diagnosed_patient();
  bad["hba1c"] = 40;
  bad["egfr"] = -3;
  bad["ldl"] = {{"value", 3}, {"unit", "g/L"}};
  json answer = api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", bad, &status);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(answer["error"], "invalid_patient_input");
  std::set<std::string> fields;
  for (const auto& p : answer["detail"]["problems"]) fields.insert(p["field"].get<std::string>() + " " + p["code"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"/hba1c implausible", "/egfr implausible", "/ldl/unit unsupported_unit"}));
  EXPECT_EQ(answer.dump().find("female"), std::string::npos);  // no patient data echoed in errors

  // Garbage of every kind: clear errors, never a crash.
  for (const std::string& body : {std::string("{"), std::string("[]"), std::string("\"x\""), std::string(5000, '['),
                                  std::string("{\"age\": 1e400}")}) {
    auto r = post("doc-a", "/api/v1/apps/diabetes-advice/infer", body, "Content-Type: application/json\r\n");
    ASSERT_TRUE(r.has_value()) << "no answer for " << body.substr(0, 20);
    EXPECT_TRUE(r->status == 400 || r->status == 422) << r->status << " " << r->body;
  }
  auto r = post("doc-a", "/api/v1/apps/diabetes-advice/infer", "{\"resourceType\": \"Bundle\"}", "Content-Type: application/fhir+json\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 422) << r->body;
  r = post("doc-a", "/api/v1/apps/diabetes-advice/infer", "age=5", "Content-Type: application/x-www-form-urlencoded\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 415);

  // Still serving.
  api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  EXPECT_EQ(status, 200);
}

TEST_F(DiabetesAppInferTest, RunsAsAnAppRunJobWithJsonOrFhirInput) {
  int status = 0;
  api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  if (status != 200) {  // alone: publish and approve a version of its own
    ASSERT_FALSE(publish("1.0.2").empty());
    api("vendor-dev").json("PUT", "/api/v1/apps/diabetes-advice/visibility", {{"public", false}, {"institutions", {"hosp-a"}}}, &status);
    ASSERT_EQ(medai({"app", "approve", "diabetes-advice", "1.0.2"}, tokens_["admin-a"]).exit_code, 0);
  }
  auto run_job = [&](const json& input) {
    int s = 0;
    json job = api("doc-a").json("POST", "/api/v1/jobs", {{"type", "app.run"}, {"input", input}}, &s);
    EXPECT_EQ(s, 201) << job.dump();
    const std::string id = job.value("id", "");
    for (int i = 0; i < 300 && !id.empty(); ++i) {
      job = api("doc-a").json("GET", "/api/v1/jobs/" + id, nullptr, &s);
      if (job["state"] == "succeeded" || job["state"] == "failed") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return job;
  };
  // Our JSON: the same advice as the synchronous call.
  const json sync = api("doc-a").json("POST", "/api/v1/apps/diabetes-advice/infer", diagnosed_patient(), &status);
  ASSERT_EQ(status, 200);
  json job = run_job({{"app", "diabetes-advice"}, {"patient", diagnosed_patient()}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  const json& advice = job["result"]["advice"];
  EXPECT_EQ(advice["format"], "medai.diabetes-advice/1");
  EXPECT_EQ(advice["recommendations"], sync["recommendations"]);
  EXPECT_EQ(advice["research_use_only"], true);
  EXPECT_EQ(diabetes::check_fhir_output(job["result"]["fhir"]), std::vector<std::string>{});
  // A FHIR Bundle in: the FHIR answer names its patient.
  job = run_job({{"app", "diabetes-advice"}, {"fhir", fhir_bundle()}});
  ASSERT_EQ(job["state"], "succeeded") << job.dump();
  EXPECT_EQ(job["result"]["fhir"]["entry"][0]["resource"]["subject"]["reference"], "Patient/p7");
  // Bad input fails the job at once (no retry) with the problems' fields and codes, not their values.
  json bad = diagnosed_patient();
  bad["hba1c"] = 40;
  job = run_job({{"app", "diabetes-advice"}, {"patient", bad}});
  ASSERT_EQ(job["state"], "failed") << job.dump();
  EXPECT_EQ(job["attempts"], 1);
  EXPECT_EQ(job["error"]["code"], "invalid_patient_input");
  EXPECT_NE(job["error"]["message"].get<std::string>().find("/hba1c implausible"), std::string::npos) << job.dump();
  EXPECT_EQ(job["error"]["message"].get<std::string>().find("40"), std::string::npos) << job.dump();
  // Hospital B may not run it.
  json b = api("doc-b").json("POST", "/api/v1/jobs",
                             {{"type", "app.run"}, {"input", {{"app", "diabetes-advice"}, {"patient", diagnosed_patient()}}}},
                             &status);
  if (status == 201) {
    const std::string id = b["id"];
    for (int i = 0; i < 300; ++i) {
      b = api("doc-b").json("GET", "/api/v1/jobs/" + id, nullptr, &status);
      if (b["state"] == "failed" || b["state"] == "succeeded") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(b["state"], "failed") << b.dump();
    EXPECT_EQ(b["error"]["code"], "not_found") << b.dump();
  }
}

}  // namespace
}  // namespace medai::testing
