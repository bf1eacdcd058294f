// Imaging evaluations through the API (POST /api/v1/evaluations → an
// evaluation.run job): the committed lung-nodule screening app scored on a
// stored, frozen imaging dataset gives exactly the figures `medai evaluate
// --package` gives on the same studies as folders — the ground truth derived
// from the stored SEGs equals the generator's — and an institution admin can
// keep that evaluation with the version's approval (local validation).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "server_process.h"

namespace medai::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in, nullptr, false);
}

TEST(ImagingEvaluation, LungAppOnAStoredDatasetMatchesTheOfflineEvaluationAndBacksAnApproval) {
  const fs::path source = fs::path(MEDAI_SOURCE_DIR) / "apps";
  const std::string app = "lung-nodule-screening", version = "1.1.0";
  const fs::path package = source / app / (app + "-" + version + ".medai");
  ASSERT_TRUE(fs::exists(package)) << "scripts/reference-apps/lung.sh builds it";
  TempDir dir;
  const fs::path apps = dir.path() / "apps";
  fs::create_directories(apps / app);
  fs::copy_file(source / "medai-reference.pub.json", apps / "medai-reference.pub.json");
  fs::copy_file(package, apps / app / package.filename());

  const fs::path data = dir.path() / "var";
  ServerProcess server(data, {{"MEDAI_DICOM_ENABLED", "false"}}, {"--demo", "--reference-apps", apps.string()});
  ASSERT_TRUE(server.running()) << server.log_text();
  ASSERT_TRUE(wait_for_output(server, "demo: app " + app + " " + version + " installed", 180)) << server.stdout_text();
  const std::string token = issue_token(data, "admin", dir.path());
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const Api admin{server.port(), token};

  // Three held-out scans (seed never used in training), stored over STOW-RS
  // and tagged as a dataset in one command; the same files stay as folders.
  const fs::path studies = dir.path() / "studies";
  auto made = run_medai({"synth", "chest-ct", "--seed", "9101", "--count", "3", "--matrix", "256", "--threads", "2",
                         "--out", studies.string(), "--to", url, "--token", token, "--dataset", "lung-heldout"},
                        dir.path());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto at = made.out.find("dataset lung-heldout: ");
  ASSERT_NE(at, std::string::npos) << made.out;
  std::string dataset = made.out.substr(at + 22);
  dataset = dataset.substr(0, dataset.find('\n'));
  const std::vector<std::string> client = {"--server", url, "--token", token};

  // A draft cannot be evaluated; the frozen version can.
  int status = 0;
  json refused = admin.json("POST", "/api/v1/evaluations",
                            {{"app_name", app}, {"app_version", version}, {"dataset_id", dataset}, {"split", "all"}},
                            &status);
  EXPECT_EQ(status, 409) << refused.dump();
  std::vector<std::string> freeze = {"data", "freeze", dataset, "1"};
  freeze.insert(freeze.end(), client.begin(), client.end());
  ASSERT_EQ(run_medai(freeze, dir.path()).exit_code, 0);

  // Through the CLI, which follows the job and prints the evaluation.
  std::vector<std::string> evaluate = {"evaluate", "--app", app, "--app-version", version, "--dataset", dataset,
                                       "--split", "all", "--json"};
  evaluate.insert(evaluate.end(), client.begin(), client.end());
  auto online = run_medai(evaluate, dir.path());
  ASSERT_EQ(online.exit_code, 0) << online.err << online.out;
  const json evaluation = json::parse(online.out, nullptr, false);
  ASSERT_TRUE(evaluation.is_object()) << online.out;
  EXPECT_EQ(evaluation["state"], "succeeded");
  ASSERT_TRUE(evaluation.contains("job_id"));
  const json& report = evaluation["report"];
  EXPECT_EQ(report["task"], "detection");
  EXPECT_EQ(report["subject"]["app"], app);
  EXPECT_EQ(report["subject"]["digest"].get<std::string>().rfind("sha256:", 0), 0u) << report["subject"].dump();
  EXPECT_EQ(report["dataset"]["id"], dataset);
  EXPECT_EQ(report["dataset"]["studies"], 3);
  EXPECT_TRUE(report["failures"].empty()) << report["failures"].dump();

  // The offline evaluation of the same package on the same studies.
  auto offline = run_medai({"evaluate", "--package", package.string(), "--studies", studies.string(), "--threads",
                            "2", "--out", (dir.path() / "offline.json").string()},
                           dir.path());
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  const json local = read_json(dir.path() / "offline.json");
  for (const char* who : {"detection", "baseline"}) {
    const json& a = who == std::string("detection") ? report["detection"] : report["baseline"];
    const json& b = who == std::string("detection") ? local["detection"] : local["baseline"];
    EXPECT_DOUBLE_EQ(a["cpm"].get<double>(), b["cpm"].get<double>()) << who;
    EXPECT_EQ(a["matched_nodules"], b["matched_nodules"]) << who;
    EXPECT_EQ(a["median_diameter_error_mm"], b["median_diameter_error_mm"]) << who;
    EXPECT_EQ(a["type_accuracy"], b["type_accuracy"]) << who;
    EXPECT_EQ(a["operating_point"]["reported_nodules"], b["operating_point"]["reported_nodules"]) << who;
  }
  EXPECT_EQ(report["splits"]["test"]["nodules"], local["splits"]["test"]["nodules"]);

  // Listed with its headline; the HTML report renders the FROC.
  const std::string id = evaluation["id"];
  const json listed = admin.json("GET", "/api/v1/evaluations");
  ASSERT_FALSE(listed["items"].empty());
  EXPECT_EQ(listed["items"][0]["id"], id);
  EXPECT_EQ(listed["items"][0]["state"], "succeeded");
  EXPECT_FALSE(listed["items"][0]["headline"].empty());
  auto html = admin.call("GET", "/api/v1/evaluations/" + id + "/report.html");
  ASSERT_TRUE(html.has_value());
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("FROC"), std::string::npos);

  // Local validation: the approval keeps the evaluation it rests on.
  json approved = admin.json("POST", "/api/v1/apps/" + app + "/versions/" + version + "/approve",
                             {{"evaluation_id", id}}, &status);
  ASSERT_EQ(status, 200) << approved.dump();
  const json shown = admin.json("GET", "/api/v1/apps/" + app + "/versions/" + version);
  EXPECT_EQ(shown["approval_evaluation_id"], id) << shown.dump();
  admin.json("POST", "/api/v1/apps/" + app + "/versions/" + version + "/approve", {{"evaluation_id", "eval_nope"}},
             &status);
  EXPECT_EQ(status, 404);
  admin.json("POST", "/api/v1/apps/" + app + "/versions/1.0.0/approve", {{"evaluation_id", id}}, &status);
  EXPECT_TRUE(status == 422 || status == 404) << status;  // another version's evaluation (or no such version)

  // The architectures a researcher can train, with defaults a job accepts.
  const json architectures = admin.json("GET", "/api/v1/training-architectures");
  std::set<std::string> names;
  for (const auto& a : architectures["items"]) names.insert(a["architecture"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"detector3d", "resnet2d", "unet3d", "xgboost"})) << architectures.dump();

  // A bad field is refused before queueing.
  admin.json("POST", "/api/v1/evaluations",
             {{"app_name", app}, {"app_version", version}, {"dataset_id", dataset}, {"baseline", "no"}}, &status);
  EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace medai::testing
