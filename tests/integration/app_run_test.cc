// The AI-app path end to end over the real server: a vendor publishes a
// signed package with a tiny TorchScript model (made here with LibTorch),
// the hospital approves it and sets a routing rule, a CT series arrives by
// STOW-RS, the rule fires when the series is complete, the job runs the
// model, and the SEG, SR and RTSTRUCT come back through WADO-RS, pass dciodvfy and
// load in pydicom; a doctor's feedback and the usage are counted; another
// institution cannot run the app. The results also go back to the
// hospital on their own: pushed to its PACS (a real DCMTK storescp) and
// announced to its webhook.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "runtime/torchscript_builder.h"
#include "server_process.h"
#include "support/dicom_tools.h"
#include "support/http_receiver.h"

namespace medai::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Bright structures (bone, > ~400 HU) become findings: a real model call,
// real post-processing, real objects.
json manifest() {
  return json::parse(R"json({
    "schema_version": 1, "name": "bone-finder", "vendor": "acme", "version": "1.0.0",
    "display_name": "Bone finder (test)", "task": "detection", "modality": ["CT"], "body_part": ["CHEST"],
    "intended_use": "End-to-end test of the platform only.", "contraindications": ["any clinical use"],
    "research_use_only": true, "synthetic_training_data": true,
    "training_data": {"summary": "none: a fixed function"}, "validation": {"metrics": []},
    "licence": "Apache-2.0", "model": {"runtime": "torchscript", "artifact": "model/model.pt", "threads": 1},
    "input": {"kind": "volume", "channels": 1, "patch_size": [32, 32, 16], "window": {"center": 400, "width": 200}},
    "output": {"labels": [{"value": 1, "name": "Bright structure",
                           "code": {"scheme": "SCT", "value": "49755003", "meaning": "Morphologically abnormal structure"}}],
               "units": "probability", "thresholds": {"detection": 0.5}},
    "pipeline": {"pre": [{"op": "window", "center": 400, "width": 200}],
                 "post": [{"op": "threshold", "value": 0.5}, {"op": "connected_components", "min_voxels": 20},
                          {"op": "measure"}]},
    "writers": ["json", "seg", "sr-tid1500", "rtstruct"], "files": {}
  })json");
}

class AppRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_JOBS_SERIES_STABLE_SECONDS", "1"}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    create_institutions_and_users(*dir_ / "var", {"acme", "hosp-a", "hosp-b"},
                                  {{"acme-dev", "acme", "partner"},
                                   {"admin-a", "hosp-a", "institution_admin"},
                                   {"doc-a", "hosp-a", "doctor"},
                                   {"doc-b", "hosp-b", "doctor"}},
                                  dir_->path());
    partner_ = token_for("acme-dev");
    admin_a_ = token_for("admin-a");
    doc_a_ = token_for("doc-a");
    doc_b_ = token_for("doc-b");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string token_for(const std::string& user) { return issue_token(*dir_ / "var", user, dir_->path()); }
  static std::string url() { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  static CommandResult medai(std::vector<std::string> args, const std::string& token = "") {
    if (!token.empty()) args.insert(args.end(), {"--server", url(), "--token", token});
    return run_medai(args, dir_->path());
  }
  // Waits until a job of `type` at the caller's institution reaches a final state.
  static json wait_for_job(const Api& api, const std::string& type, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      json list = api.json("GET", "/api/v1/jobs?type=" + type);
      if (list.is_object())
        for (const auto& j : list["items"])
          if (j["state"] == "succeeded" || j["state"] == "failed" || j["state"] == "cancelled") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return nullptr;
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string partner_, admin_a_, doc_a_, doc_b_;
};
TempDir* AppRunTest::dir_ = nullptr;
ServerProcess* AppRunTest::server_ = nullptr;
std::string AppRunTest::partner_, AppRunTest::admin_a_, AppRunTest::doc_a_, AppRunTest::doc_b_;

TEST_F(AppRunTest, RoutedSeriesIsAnalysedAndResultsComeBackAsDicom) {
  // Vendor: a real TorchScript model, packed, signed, published, shared with hosp-a.
  const fs::path folder = dir_->path() / "bone-finder";
  fs::create_directories(folder / "model");
  ASSERT_TRUE(runtime::save_torchscript_module(folder / "model" / "model.pt",
                                               "def forward(self, x):\n    return torch.sigmoid((x - 0.5) * 20.0)\n",
                                               {})
                  .is_ok());
  std::ofstream(folder / "manifest.json") << manifest().dump(2);
  const std::string prefix = (dir_->path() / "acme").string();
  const std::string pkg = (dir_->path() / "bone-finder.medai").string();
  ASSERT_EQ(medai({"app", "keygen", "--out", prefix}).exit_code, 0);
  auto packed = medai({"app", "pack", folder.string(), "-o", pkg});
  ASSERT_EQ(packed.exit_code, 0) << packed.err;
  ASSERT_EQ(medai({"app", "sign", pkg, "--key", prefix + ".key.json"}).exit_code, 0);
  ASSERT_EQ(medai({"app", "register-key", "--public-key", prefix + ".pub.json", "--name", "release"}, partner_).exit_code, 0);
  auto published = medai({"app", "publish", pkg}, partner_);
  ASSERT_EQ(published.exit_code, 0) << published.err;  // includes the sandboxed check run of the model
  const std::string digest = json::parse(published.out)["digest"];
  Api vendor{server_->port(), partner_}, admin_a{server_->port(), admin_a_}, doc_a{server_->port(), doc_a_},
      doc_b{server_->port(), doc_b_};
  int status = 0;
  vendor.json("PUT", "/api/v1/apps/bone-finder/visibility", {{"public", false}, {"institutions", {"hosp-a"}}}, &status);
  ASSERT_EQ(status, 200);

  // Hospital A: its PACS (storescp) and RIS webhook, approval, and a rule
  // routing chest CTs to the app with the results pushed back to the PACS.
  StorescpProcess pacs("HOSPA_PACS", dir_->path() / "pacs");
  json node = admin_a.json("POST", "/api/v1/dicom-nodes",
                           {{"name", "pacs"}, {"ae_title", "HOSPA_PACS"}, {"host", "127.0.0.1"},
                            {"port", pacs.port()}, {"allow_push", true}},
                           &status);
  ASSERT_EQ(status, 201) << node.dump();
  HttpReceiver ris({200});
  json hook = admin_a.json("POST", "/api/v1/webhooks",
                           {{"name", "ris"}, {"url", ris.url()}, {"events", {"job.succeeded"}}}, &status);
  ASSERT_EQ(status, 201) << hook.dump();
  ASSERT_EQ(medai({"app", "approve", "bone-finder", "1.0.0"}, admin_a_).exit_code, 0);
  json rule = admin_a.json("POST", "/api/v1/routing-rules",
                           {{"name", "ct-to-bone-finder"},
                            {"match", {{"modality", {"CT"}}}},
                            {"action", {{"job_type", "app.run"}, {"app", "bone-finder"},
                                        {"deliver_to", {node["id"]}}}}},
                           &status);
  ASSERT_EQ(status, 201) << rule.dump();

  // A CT arrives over STOW-RS; the rule fires once the series is stable.
  auto sent = medai({"synth", "chest-ct", "--small", "--count", "1", "--seed", "4", "--out",
                     (dir_->path() / "synth").string(), "--to", url(), "--token", doc_a_});
  ASSERT_EQ(sent.exit_code, 0) << sent.err;
  json job = wait_for_job(doc_a, "app.run", std::chrono::seconds(180));
  ASSERT_TRUE(job.is_object()) << "no app.run job finished in time: " << server_->log_text();
  ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
  job = doc_a.json("GET", "/api/v1/jobs/" + job["id"].get<std::string>());
  const json& result = job["result"];
  EXPECT_EQ(result["schema"], "medai.result/1");
  EXPECT_EQ(result["app"]["name"], "bone-finder");
  EXPECT_EQ(result["app"]["package_digest"], digest);
  EXPECT_EQ(result["research_use_only"], true);
  ASSERT_GE(result["findings"].size(), 1u);
  ASSERT_EQ(result["objects"].size(), 3u) << result.dump(2);  // SEG, SR, RTSTRUCT

  // The SEG, SR and RTSTRUCT are in the study: WADO-RS, dciodvfy, pydicom.
  const std::string study = result["study_instance_uid"];
  for (const auto& object : result["objects"]) {
    const std::string target = "/dicom-web/studies/" + study + "/series/" + object["series_instance_uid"].get<std::string>() +
                               "/instances/" + object["sop_instance_uid"].get<std::string>();
    auto r = doc_a.call("GET", target, "", "Accept: multipart/related; type=\"application/dicom\"\r\n");
    ASSERT_TRUE(r && r->status == 200) << target;
    // The single part's body: from the first blank line after the boundary to the closing boundary.
    const std::string& body = r->body;
    const auto start = body.find("\r\n\r\n") + 4;
    const auto end = body.rfind("\r\n--");
    const fs::path file = dir_->path() / (object["kind"].get<std::string>() + ".dcm");
    std::ofstream(file, std::ios::binary) << body.substr(start, end - start);
    std::string all;
    EXPECT_TRUE(dciodvfy_errors(file, &all).empty()) << object["kind"] << ":\n" << all;
    EXPECT_FALSE(all.empty());
    EXPECT_EQ(all.find("not found"), std::string::npos) << all;
    const auto py = run_command("/usr/bin/python3 -c \"import pydicom,sys; d=pydicom.dcmread(sys.argv[1]); "
                                "print(d.Modality, d.StudyInstanceUID == sys.argv[2])\" '" +
                                file.string() + "' " + study);
    EXPECT_EQ(py.exit_code, 0) << py.output;
    EXPECT_NE(py.output.find("True"), std::string::npos) << py.output;
  }

  // Pushed back to the PACS: one dicom.push job, both objects received.
  ASSERT_EQ(result["deliveries"].size(), 1u) << result.dump(2);
  json push = wait_for_job(doc_a, "dicom.push", std::chrono::seconds(60));
  ASSERT_TRUE(push.is_object());
  EXPECT_EQ(push["state"], "succeeded") << push.dump(2);
  EXPECT_EQ(push["id"], result["deliveries"][0]["job_id"]);
  push = doc_a.json("GET", "/api/v1/jobs/" + push["id"].get<std::string>());
  EXPECT_EQ(push["result"]["sent"], 3) << push.dump(2);
  int received = 0;
  for (const auto& f : fs::recursive_directory_iterator(dir_->path() / "pacs")) received += f.is_regular_file() ? 1 : 0;
  EXPECT_EQ(received, 3);

  // Announced to the RIS webhook: HMAC-signed, naming the job and its objects, no patient data.
  std::vector<json> events;
  for (int i = 0; i < 100 && events.size() < 2; ++i) {
    events.clear();
    for (const auto& req : ris.requests()) events.push_back(json::parse(body_of(req)));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto app_event = std::find_if(events.begin(), events.end(),
                                      [&](const json& e) { return e["data"]["type"] == "app.run"; });
  ASSERT_NE(app_event, events.end()) << "no job.succeeded event for the app.run job";
  EXPECT_EQ((*app_event)["event"], "job.succeeded");
  EXPECT_EQ((*app_event)["job_id"].is_string(), true);
  EXPECT_EQ((*app_event)["data"]["job_id"], job["id"]);
  EXPECT_EQ((*app_event)["data"]["app"], "bone-finder");
  EXPECT_EQ((*app_event)["data"]["objects"].size(), 3u);
  EXPECT_EQ((*app_event)["data"]["findings"], result["findings"].size());
  EXPECT_EQ((*app_event)["data"].dump().find("PatientName"), std::string::npos);
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const json& e) { return e["data"]["type"] == "dicom.push"; }));

  // Feedback on one finding, then usage for the vendor.
  const std::string finding = result["findings"][0]["id"];
  doc_a.json("POST", "/api/v1/jobs/" + job["id"].get<std::string>() + "/findings/" + finding + "/feedback",
             {{"verdict", "accept"}}, &status);
  EXPECT_EQ(status, 204);
  doc_a.json("POST", "/api/v1/jobs/" + job["id"].get<std::string>() + "/findings/no-such/feedback",
             {{"verdict", "accept"}}, &status);
  EXPECT_EQ(status, 404);
  json usage = vendor.json("GET", "/api/v1/apps/bone-finder/usage", nullptr, &status);
  ASSERT_EQ(status, 200) << usage.dump();
  std::int64_t jobs = 0, accepted = 0;
  for (const auto& row : usage["items"]) {
    jobs += row.value("jobs", 0);
    accepted += row.value("accepted", 0);
  }
  EXPECT_EQ(jobs, 1);
  EXPECT_EQ(accepted, 1);

  // The approved version is also served on medai's KServe v2 endpoint, to hospital A only.
  json ready = doc_a.json("GET", "/v2/models/bone-finder/versions/1.0.0/ready", nullptr, &status);
  EXPECT_EQ(status, 200) << ready.dump();
  json inferred = doc_a.json("POST", "/v2/models/bone-finder/infer",
                             {{"inputs", {{{"name", "input"}, {"datatype", "FP32"}, {"shape", {1, 1, 1, 1, 2}},
                                           {"data", {0.5, 1.0}}}}}},
                             &status);
  ASSERT_EQ(status, 200) << inferred.dump();
  const auto& out = inferred["outputs"][0]["data"];
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NEAR(out[0].get<double>(), 0.5, 1e-6);  // sigmoid((0.5 - 0.5) * 20)
  EXPECT_NEAR(out[1].get<double>(), 1.0, 1e-4);
  doc_b.json("GET", "/v2/models/bone-finder/ready", nullptr, &status);
  EXPECT_EQ(status, 404);

  // Hospital B neither sees nor runs the app.
  json refused = doc_b.json("POST", "/api/v1/jobs",
                            {{"type", "app.run"},
                             {"input", {{"app", "bone-finder"}, {"study_uid", study},
                                        {"series_uid", result["source_series_instance_uid"]}}}},
                            &status);
  if (status == 201 || status == 200) {
    // Accepted into the queue: it must fail without touching hospital A's data.
    json done = wait_for_job(doc_b, "app.run", std::chrono::seconds(60));
    ASSERT_TRUE(done.is_object());
    EXPECT_EQ(done["state"], "failed");
    EXPECT_EQ(done["error"]["code"], "not_found") << done.dump();
  } else {
    EXPECT_TRUE(status == 403 || status == 404) << status << " " << refused.dump();
  }
}

}  // namespace
}  // namespace medai::testing
