// Training jobs over the real server: XGBoost on the reference Pima data
// (r-cran-mass), parameter refusal, tenancy, reports, and a job that survives
// a kill -9 of the server mid-training.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "server_process.h"
#include "support/dicom_tools.h"

namespace medai::testing {
namespace {

using nlohmann::json;

// Polls GET /api/v1/training-jobs/{id} until `done(job)` or the timeout.
json wait_for(const Api& api, const std::string& id, const std::function<bool(const json&)>& done,
              std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json job;
  while (std::chrono::steady_clock::now() < deadline) {
    job = api.json("GET", "/api/v1/training-jobs/" + id);
    if (job.is_object() && done(job)) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return job;
}

bool finished(const json& j) {
  const std::string s = j.value("state", "");
  return s == "succeeded" || s == "failed" || s == "cancelled";
}

std::string import_pima(const Api& admin) {
  int status = 0;
  json imports = admin.json("POST", "/api/v1/datasets/reference-imports", nullptr, &status);
  EXPECT_EQ(status, 200) << imports.dump();
  for (const auto& r : imports.value("items", json::array()))
    if (r["name"] == "pima-diabetes-mass" && r["outcome"] != "unavailable") return r["dataset_id"];
  return {};
}

class TrainingApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var");
    ASSERT_TRUE(server_->running()) << server_->log_text();
    const auto data = *dir_ / "var";
    create_institutions_and_users(data, {"hosp-a", "hosp-b"},
                                  {{"res-a", "hosp-a", "researcher"},
                                   {"doc-a", "hosp-a", "doctor"},
                                   {"res-b", "hosp-b", "researcher"}},
                                  dir_->path());
    admin_ = issue_token(data, "admin", dir_->path());
    res_a_ = issue_token(data, "res-a", dir_->path());
    doc_a_ = issue_token(data, "doc-a", dir_->path());
    res_b_ = issue_token(data, "res-b", dir_->path());
    pima_ = import_pima(Api{server_->port(), admin_});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  // A vendor institution with a researcher+partner user (registered signing
  // key at `key` + ".key.json"/".pub.json") and an institution administrator.
  struct Vendor {
    std::string user_token, admin_token, key;
    CommandResult as(const std::string& token, std::vector<std::string> args) const {
      args.insert(args.end(), {"--server", "http://127.0.0.1:" + std::to_string(server_->port()), "--token", token});
      return run_medai(args, dir_->path());
    }
  };
  static Vendor make_vendor(const std::string& institution, const std::string& user, const std::string& admin) {
    const auto data = *dir_ / "var";
    EXPECT_EQ(run_medai({"admin", "create-institution", "--data-dir", data.string(), "--name", institution},
                        dir_->path())
                  .exit_code, 0);
    EXPECT_EQ(run_medai({"admin", "create-user", "--data-dir", data.string(), "--username", user, "--institution",
                         institution, "--role", "researcher", "--role", "partner"},
                        dir_->path())
                  .exit_code, 0);
    create_institutions_and_users(data, {}, {{admin, institution, "institution_admin"}}, dir_->path());
    Vendor v{issue_token(data, user, dir_->path()), issue_token(data, admin, dir_->path()),
             (dir_->path() / (user + "-key")).string()};
    EXPECT_EQ(run_medai({"app", "keygen", "--out", v.key}, dir_->path()).exit_code, 0);
    auto reg = v.as(v.user_token, {"app", "register-key", "--public-key", v.key + ".pub.json", "--name", "release"});
    EXPECT_EQ(reg.exit_code, 0) << reg.err;
    return v;
  }
  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string admin_, res_a_, doc_a_, res_b_, pima_;
};
TempDir* TrainingApiTest::dir_ = nullptr;
ServerProcess* TrainingApiTest::server_ = nullptr;
std::string TrainingApiTest::admin_, TrainingApiTest::res_a_, TrainingApiTest::doc_a_, TrainingApiTest::res_b_,
    TrainingApiTest::pima_;

TEST_F(TrainingApiTest, RefusesBadRequestsBeforeQueueing) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  Api res{server_->port(), res_a_};
  int status = 0;
  json bad = res.json("POST", "/api/v1/training-jobs",
                      {{"dataset_id", pima_},
                       {"architecture", "xgboost"},
                       {"hyper", {{"rounds", -1}, {"eta", "fast"}, {"max_depht", 3}}}},
                      &status);
  EXPECT_EQ(status, 422) << bad.dump();
  EXPECT_EQ(bad["error"], "unprocessable");
  ASSERT_EQ(bad["detail"]["problems"].size(), 3u) << bad.dump();
  std::set<std::string> fields;
  for (const auto& p : bad["detail"]["problems"]) fields.insert(p["field"]);
  EXPECT_EQ(fields, (std::set<std::string>{"rounds", "eta", "max_depht"}));

  json unknown = res.json("POST", "/api/v1/training-jobs", {{"dataset_id", pima_}, {"architecture", "svm"}}, &status);
  EXPECT_EQ(status, 422);
  EXPECT_EQ(unknown["detail"]["field"], "architecture");
  res.json("POST", "/api/v1/training-jobs", {{"dataset_id", "nope"}, {"architecture", "xgboost"}}, &status);
  EXPECT_EQ(status, 404);
  res.json("POST", "/api/v1/training-jobs", {{"dataset_id", pima_}, {"architecture", "xgboost"}, {"colour", 1}},
           &status);
  EXPECT_EQ(status, 400);
  Api doc{server_->port(), doc_a_};
  doc.json("POST", "/api/v1/training-jobs", {{"dataset_id", pima_}, {"architecture", "xgboost"}}, &status);
  EXPECT_EQ(status, 403);
  // A draft version is refused until frozen.
  json draft = res.json("POST", "/api/v1/datasets",
                        {{"name", "draft-table"}, {"data_use", "tests"}, {"licence", "CC0"},
                         {"csv", "a,y\n1,p\n2,n\n3,p\n4,n\n5,p\n6,n\n7,p\n8,n\n9,p\n10,n\n"},
                         {"label_column", "y"}},
                        &status);
  ASSERT_EQ(status, 201) << draft.dump();
  json refused = res.json("POST", "/api/v1/training-jobs",
                          {{"dataset_id", draft["id"]}, {"architecture", "xgboost"}}, &status);
  EXPECT_EQ(status, 409) << refused.dump();
  // Nothing was queued by any of these.
  EXPECT_EQ(res.json("GET", "/api/v1/training-jobs")["items"].size(), 0u);
}

TEST_F(TrainingApiTest, TrainsXGBoostOnPimaWithHistoryAndReports) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  Api res{server_->port(), res_a_};
  int status = 0;
  json created = res.json("POST", "/api/v1/training-jobs",
                          {{"dataset_id", pima_}, {"architecture", "xgboost"}, {"seed", 7},
                           {"hyper", {{"rounds", 300}, {"max_depth", 3}, {"eta", 0.05}}}},
                          &status);
  ASSERT_EQ(status, 201) << created.dump();
  const std::string id = created["id"];
  EXPECT_EQ(created["dataset_version"], 1);
  EXPECT_EQ(created["architecture"], "xgboost");
  json done = wait_for(res, id, finished, std::chrono::seconds(180));
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  ASSERT_GT(done["history"].size(), 5u);
  EXPECT_EQ(done["history"][0]["epoch"], 1);
  EXPECT_TRUE(done["history"][0]["validation"].contains("auc"));
  EXPECT_EQ(done["runtime"], "xgboost");
  EXPECT_EQ(done["model"]["sha256"].get<std::string>().size(), 64u);
  // The job is also a job: same id on /api/v1/jobs with the result.
  json job = res.json("GET", "/api/v1/jobs/" + id);
  EXPECT_EQ(job["type"], "train");
  EXPECT_GE(job["result"]["test_auc"].get<double>(), 0.82);

  json report = res.json("GET", "/api/v1/training-jobs/" + id + "/report", nullptr, &status);
  ASSERT_EQ(status, 200);
  EXPECT_EQ(report["schema"], "medai.evaluation-report/1");
  EXPECT_EQ(report["dataset"]["name"], "pima-diabetes-mass");
  const auto& test = report["splits"]["test"];
  EXPECT_EQ(test["cases"], 332);
  EXPECT_GE(test["auc"].get<double>(), 0.82);
  EXPECT_LT(test["auc_ci"]["lower"].get<double>(), test["auc"].get<double>());
  std::printf("server-trained Pima.te AUC %.4f (95%% CI %.4f-%.4f)\n", test["auc"].get<double>(),
              test["auc_ci"]["lower"].get<double>(), test["auc_ci"]["upper"].get<double>());
  auto html = res.call("GET", "/api/v1/training-jobs/" + id + "/report.html");
  ASSERT_TRUE(html && html->status == 200);
  EXPECT_NE(html->header("content-type").find("text/html"), std::string::npos);
  EXPECT_NE(html->body.find("<svg"), std::string::npos);
  EXPECT_NE(html->body.find("Research use only"), std::string::npos);

  // The same model evaluated on the same split gives the same AUC (one metric code).
  json evaluation = res.json("POST", "/api/v1/evaluations",
                             {{"training_job_id", id}, {"dataset_id", pima_}, {"split", "test"}, {"seed", 7}}, &status);
  ASSERT_EQ(status, 201) << evaluation.dump();
  EXPECT_NEAR(evaluation["report"]["splits"]["test"]["auc"].get<double>(), test["auc"].get<double>(), 1e-9);
  EXPECT_EQ(evaluation["report"]["subject"]["kind"], "training_job");
  // The report names the model by its digest (the job's model blob).
  const json job_now = res.json("GET", "/api/v1/training-jobs/" + id);
  EXPECT_EQ(evaluation["report"]["subject"]["digest"], "sha256:" + job_now["model"]["sha256"].get<std::string>())
      << evaluation["report"]["subject"].dump();
  const std::string eval_id = evaluation["id"];
  auto eval_html = res.call("GET", "/api/v1/evaluations/" + eval_id + "/report.html");
  ASSERT_TRUE(eval_html && eval_html->status == 200);
  EXPECT_NE(eval_html->body.find("<svg"), std::string::npos);
  EXPECT_EQ(res.json("GET", "/api/v1/evaluations")["items"][0]["id"], eval_id);
  Api doc{server_->port(), doc_a_};
  doc.json("POST", "/api/v1/evaluations", {{"training_job_id", id}, {"dataset_id", pima_}}, &status);
  EXPECT_EQ(status, 403);

  json list = res.json("GET", "/api/v1/training-jobs");
  bool listed = false;
  for (const auto& item : list["items"]) listed = listed || item["id"] == id;
  EXPECT_TRUE(listed) << list.dump();
  // Another institution does not see it.
  Api other{server_->port(), res_b_};
  other.json("GET", "/api/v1/training-jobs/" + id, nullptr, &status);
  EXPECT_EQ(status, 404);
  other.json("GET", "/api/v1/training-jobs/" + id + "/report", nullptr, &status);
  EXPECT_EQ(status, 404);
  other.json("GET", "/api/v1/evaluations/" + eval_id, nullptr, &status);
  EXPECT_EQ(status, 404);
  other.json("POST", "/api/v1/evaluations", {{"training_job_id", id}, {"dataset_id", pima_}}, &status);
  EXPECT_EQ(status, 404);
  EXPECT_EQ(other.json("GET", "/api/v1/training-jobs")["items"].size(), 0u);
}

TEST_F(TrainingApiTest, CancelStopsARunningJob) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  Api res{server_->port(), res_a_};
  int status = 0;
  json created = res.json("POST", "/api/v1/training-jobs",
                          {{"dataset_id", pima_}, {"architecture", "xgboost"},
                           {"hyper", {{"rounds", 10000}, {"early_stopping_rounds", 0}, {"eta", 0.001}}}},
                          &status);
  ASSERT_EQ(status, 201);
  const std::string id = created["id"];
  wait_for(res, id, [](const json& j) { return !j["history"].empty(); }, std::chrono::seconds(60));
  json cancelled = res.json("POST", "/api/v1/training-jobs/" + id + "/cancel", nullptr, &status);
  EXPECT_EQ(status, 200) << cancelled.dump();
  json done = wait_for(res, id, finished, std::chrono::seconds(60));
  EXPECT_EQ(done["state"], "cancelled");
  res.json("GET", "/api/v1/training-jobs/" + id + "/report", nullptr, &status);
  EXPECT_EQ(status, 409);
}

TEST_F(TrainingApiTest, CliTrainsFollowsListsAndWritesTheReport) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  const std::vector<std::string> server = {"--server", "http://127.0.0.1:" + std::to_string(server_->port()),
                                           "--token", res_a_};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), server.begin(), server.end());
    return run_medai(args, dir_->path());
  };
  // Every bad parameter is listed, nothing is queued.
  auto bad = with({"train", "--dataset", pima_, "--architecture", "xgboost", "--hyper", R"({"rounds":0,"eta":5})"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("rounds:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("eta:"), std::string::npos) << bad.err;
  // Create and follow: progress on stderr, the finished job on stdout.
  auto run = with({"train", "--dataset", pima_, "--architecture", "xgboost", "--seed", "5", "--hyper",
                   R"({"rounds":40,"early_stopping_rounds":0,"bootstrap_resamples":200})"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("100%"), std::string::npos) << run.err;
  json job = json::parse(run.out, nullptr, false);
  ASSERT_TRUE(job.is_object()) << run.out;
  EXPECT_EQ(job["state"], "succeeded");
  const std::string id = job["id"];
  auto list = with({"train", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos);
  auto status = with({"train", "status", id});
  EXPECT_EQ(json::parse(status.out, nullptr, false)["history"].size(), 40u);
  const auto html = dir_->path() / "report.html";
  auto report = with({"train", "report", id, "--html", "--out", html.string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const std::string page = read_file(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  auto json_report = with({"train", "report", id});
  EXPECT_EQ(json::parse(json_report.out, nullptr, false)["schema"], "medai.evaluation-report/1");
  // --no-follow returns at once with the queued job.
  auto queued = with({"train", "--dataset", pima_, "--architecture", "xgboost", "--no-follow", "--hyper",
                      R"({"rounds":5})"});
  ASSERT_EQ(queued.exit_code, 0) << queued.err;
  EXPECT_EQ(json::parse(queued.out, nullptr, false)["architecture"], "xgboost");
}

// A vendor (researcher + partner) trains on the public Pima data, publishes
// the model as an app with the CLI (signed on the client) and through the API
// (signed by the server), approves it at its own institution and runs it.
TEST_F(TrainingApiTest, PublishesTheTrainedModelAsAnAppThatRuns) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  const Vendor v = make_vendor("vendor-x", "vend", "vadmin");
  const std::string vend = v.user_token, vadmin = v.admin_token, prefix = v.key;
  auto as = [&](const std::string& token, std::vector<std::string> args) { return v.as(token, std::move(args)); };

  auto trained = as(vend, {"train", "--dataset", pima_, "--architecture", "xgboost", "--seed", "11", "--hyper",
                           R"({"rounds":200,"bootstrap_resamples":300})"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string id = json::parse(trained.out)["id"];

  auto published = as(vend, {"train", "publish", id, "--name", "pima-risk", "--version", "1.0.0", "--key",
                             prefix + ".key.json", "--display-name", "Pima diabetes risk"});
  ASSERT_EQ(published.exit_code, 0) << published.err << published.out;
  Api vendor{server_->port(), vend};
  int status = 0;
  json version = vendor.json("GET", "/api/v1/apps/pima-risk/versions/1.0.0", nullptr, &status);
  ASSERT_EQ(status, 200) << version.dump();
  const json manifest = version.contains("manifest") ? version["manifest"] : version;
  EXPECT_EQ(manifest["research_use_only"], true) << version.dump();
  EXPECT_EQ(manifest["model"]["runtime"], "xgboost");
  EXPECT_EQ(manifest["input"]["features"].size(), 7u);
  bool has_test_auc = false;
  for (const auto& m : manifest["validation"]["metrics"])
    if (m["name"] == "roc_auc" && m["split"] == "test") {
      has_test_auc = true;
      EXPECT_GE(m["value"].get<double>(), 0.82);
      EXPECT_EQ(m["ci95"].size(), 2u);
    }
  EXPECT_TRUE(has_test_auc) << manifest.dump();
  // The training report travels inside the signed package and is served from it.
  EXPECT_EQ(manifest["validation"]["report"], "report/evaluation-report.json");
  const json shipped = vendor.json("GET", "/api/v1/apps/pima-risk/versions/1.0.0/report", nullptr, &status);
  ASSERT_EQ(status, 200) << shipped.dump();
  EXPECT_EQ(shipped["schema"], "medai.evaluation-report/1");
  EXPECT_DOUBLE_EQ(shipped["splits"]["test"]["auc"].get<double>(),
                   vendor.json("GET", "/api/v1/training-jobs/" + id + "/report")["splits"]["test"]["auc"].get<double>());
  auto page = vendor.call("GET", "/api/v1/apps/pima-risk/versions/1.0.0/report.html");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<svg"), std::string::npos);
  Api stranger{server_->port(), res_a_};  // another institution: the app is not shared with it
  stranger.json("GET", "/api/v1/apps/pima-risk/versions/1.0.0/report", nullptr, &status);
  EXPECT_EQ(status, 404);

  // Before approving, the institution admin evaluates the version on the data.
  auto evaluated = as(vadmin, {"evaluate", "--app", "pima-risk", "--app-version", "1.0.0", "--dataset", pima_,
                               "--bootstrap-resamples", "300"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_NE(evaluated.out.find("ROC AUC 0.8"), std::string::npos) << evaluated.out;
  // The vendor's institution approves the version and runs it (KServe v2).
  auto approve = as(vadmin, {"app", "approve", "pima-risk", "1.0.0"});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  // npreg, glu, bp, skin, bmi, ped, age: a low-risk and a high-risk woman.
  json inferred = vendor.json("POST", "/v2/models/pima-risk/infer",
                              {{"inputs", {{{"name", "features"}, {"datatype", "FP32"}, {"shape", {2, 7}},
                                            {"data", {1, 85, 66, 29, 22.0, 0.2, 22, 8, 190, 80, 40, 42.0, 1.2, 55}}}}}},
                              &status);
  ASSERT_EQ(status, 200) << inferred.dump();
  const auto& risk = inferred["outputs"][0]["data"];
  ASSERT_EQ(risk.size(), 2u) << inferred.dump();
  EXPECT_GT(risk[1].get<double>(), risk[0].get<double>());
  EXPECT_GT(risk[0].get<double>(), 0.0);
  EXPECT_LT(risk[1].get<double>(), 1.0);

  // The server-side path signs with a key sent in the body (version 1.0.1).
  const json key = json::parse(read_file(prefix + ".key.json"));
  json v2 = vendor.json("POST", "/api/v1/training-jobs/" + id + "/publish",
                        {{"name", "pima-risk"}, {"version", "1.0.1"}, {"signing_key", key}}, &status);
  EXPECT_EQ(status, 201) << v2.dump();
  // A researcher without the partner role may train but not publish.
  Api res{server_->port(), res_a_};
  res.json("POST", "/api/v1/training-jobs/" + id + "/publish",
           {{"name", "pima-risk"}, {"version", "1.0.2"}, {"signing_key", key}}, &status);
  EXPECT_EQ(status, 404) << "another institution's job is not visible";
}

// Multiclass and regression XGBoost models through the same one-step path:
// a table uploaded by a vendor, trained, published, evaluated by the
// institution on its data, and called over KServe v2.
TEST_F(TrainingApiTest, MulticlassAndRegressionModelsTrainPublishEvaluateAndRun) {
  const Vendor v = make_vendor("vendor-y", "vendy", "vadminy");
  Api vendor{server_->port(), v.user_token};
  auto as = [&](const std::string& token, std::vector<std::string> args) { return v.as(token, std::move(args)); };
  // Tables from R: iris (3 species) and sklearn's diabetes progression (a number).
  const auto script = dir_->path() / "tables.R";
  auto table_from_r = [&](const std::string& code) {
    std::ofstream(script) << code;
    auto r = run_command("Rscript " + script.string());
    return r.exit_code == 0 ? r.output : std::string();
  };
  const std::string iris = table_from_r("write.csv(iris, stdout(), row.names = FALSE)\n");
  const std::string progression = table_from_r(
      "p <- '/usr/lib/python3/dist-packages/sklearn/datasets/data/'\n"
      "x <- read.table(gzfile(paste0(p, 'diabetes_data_raw.csv.gz')))\n"
      "names(x) <- c('age','sex','bmi','bp','s1','s2','s3','s4','s5','s6')\n"
      "x$progression <- scan(gzfile(paste0(p, 'diabetes_target.csv.gz')), quiet = TRUE)\n"
      "write.csv(x, stdout(), row.names = FALSE)\n");
  if (iris.empty() || progression.empty()) GTEST_SKIP() << "Rscript or python3-sklearn's data is not installed";
  auto frozen_table = [&](const std::string& name, const std::string& csv, const std::string& label) {
    int status = 0;
    json d = vendor.json("POST", "/api/v1/datasets",
                         {{"name", name}, {"data_use", "tests"}, {"licence", "public reference data"}, {"csv", csv},
                          {"label_column", label}},
                         &status);
    EXPECT_EQ(status, 201) << d.dump();
    const std::string id = d.value("id", "");
    vendor.json("POST", "/api/v1/datasets/" + id + "/versions/1/freeze", json::object(), &status);
    EXPECT_EQ(status, 200);
    return id;
  };
  const std::string iris_id = frozen_table("iris", iris, "Species");
  const std::string progression_id = frozen_table("diabetes-progression", progression, "progression");

  // Three classes: one probability per species.
  auto trained = as(v.user_token, {"train", "--dataset", iris_id, "--architecture", "xgboost", "--seed", "5",
                                   "--hyper", R"({"bootstrap_resamples":200})"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string iris_job = json::parse(trained.out)["id"];
  const json iris_report = vendor.json("GET", "/api/v1/training-jobs/" + iris_job + "/report");
  EXPECT_EQ(iris_report["task"], "classification");
  EXPECT_EQ(iris_report["splits"]["test"]["kind"], "multiclass") << iris_report.dump();
  EXPECT_GE(iris_report["splits"]["test"]["accuracy"].get<double>(), 0.8);
  auto published = as(v.user_token, {"train", "publish", iris_job, "--name", "iris-species", "--version", "1.0.0",
                                     "--key", v.key + ".key.json"});
  ASSERT_EQ(published.exit_code, 0) << published.err << published.out;
  const json manifest = vendor.json("GET", "/api/v1/apps/iris-species/versions/1.0.0")["manifest"];
  EXPECT_EQ(manifest["output"]["prediction"], "class-probabilities");
  EXPECT_EQ(manifest["output"]["labels"].size(), 3u);
  bool has_accuracy_ci = false;
  for (const auto& m : manifest["validation"]["metrics"])
    if (m["name"] == "accuracy" && m["split"] == "test") has_accuracy_ci = m.contains("ci95");
  EXPECT_TRUE(has_accuracy_ci) << manifest["validation"].dump();
  auto evaluated = as(v.admin_token, {"evaluate", "--app", "iris-species", "--app-version", "1.0.0", "--dataset",
                                      iris_id, "--split", "test", "--bootstrap-resamples", "200"});
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  EXPECT_NE(evaluated.out.find("3 classes: accuracy"), std::string::npos) << evaluated.out;
  ASSERT_EQ(as(v.admin_token, {"app", "approve", "iris-species", "1.0.0"}).exit_code, 0);
  int status = 0;
  // Sepal length, sepal width, petal length, petal width of a typical setosa.
  json inferred = vendor.json("POST", "/v2/models/iris-species/infer",
                              {{"inputs", {{{"name", "features"}, {"datatype", "FP32"}, {"shape", {1, 4}},
                                            {"data", {5.0, 3.4, 1.5, 0.2}}}}}},
                              &status);
  ASSERT_EQ(status, 200) << inferred.dump();
  const auto& probs = inferred["outputs"][0]["data"];
  ASSERT_EQ(probs.size(), 3u) << inferred.dump();
  EXPECT_NEAR(probs[0].get<double>() + probs[1].get<double>() + probs[2].get<double>(), 1.0, 1e-4);
  EXPECT_GT(probs[0].get<double>(), 0.8);  // setosa

  // Regression: a number per patient.
  auto regressed = as(v.user_token, {"train", "--dataset", progression_id, "--architecture", "xgboost", "--task",
                                     "regression", "--seed", "5", "--hyper", R"({"bootstrap_resamples":200})"});
  ASSERT_EQ(regressed.exit_code, 0) << regressed.err;
  const std::string reg_job = json::parse(regressed.out)["id"];
  const json reg_report = vendor.json("GET", "/api/v1/training-jobs/" + reg_job + "/report");
  EXPECT_EQ(reg_report["task"], "regression");
  EXPECT_EQ(reg_report["splits"]["test"]["kind"], "regression");
  EXPECT_GE(reg_report["splits"]["test"]["r2"].get<double>(), 0.2) << reg_report["splits"]["test"].dump();
  auto page = vendor.call("GET", "/api/v1/training-jobs/" + reg_job + "/report.html");
  ASSERT_TRUE(page.has_value());
  EXPECT_NE(page->body.find("Predicted vs observed"), std::string::npos);
  // Classification-only parameters are refused before anything is queued.
  json refused = vendor.json("POST", "/api/v1/training-jobs",
                             {{"dataset_id", progression_id}, {"architecture", "xgboost"}, {"task", "regression"},
                              {"hyper", {{"positive_label", "yes"}}}},
                             &status);
  EXPECT_EQ(status, 422) << refused.dump();
  auto reg_published = as(v.user_token, {"train", "publish", reg_job, "--name", "diabetes-progression",
                                         "--version", "1.0.0", "--key", v.key + ".key.json"});
  ASSERT_EQ(reg_published.exit_code, 0) << reg_published.err << reg_published.out;
  auto reg_evaluated = as(v.admin_token, {"evaluate", "--app", "diabetes-progression", "--app-version", "1.0.0",
                                          "--dataset", progression_id, "--split", "test", "--bootstrap-resamples",
                                          "200"});
  ASSERT_EQ(reg_evaluated.exit_code, 0) << reg_evaluated.err;
  EXPECT_NE(reg_evaluated.out.find("MAE"), std::string::npos) << reg_evaluated.out;
}

// A kill -9 mid-training: after the restart the engine re-queues the job
// (its owner process is gone) and it finishes with the full history.
TEST(TrainingResume, JobInterruptedByKillFinishesAfterRestart) {
  TempDir dir;
  const auto data = dir / "var";
  std::string pima, token, id;
  const int rounds = 800;  // long enough to be killed mid-way, short enough for CI
  {
    ServerProcess server(data);
    ASSERT_TRUE(server.running()) << server.log_text();
    create_institutions_and_users(data, {"hosp-r"}, {{"res", "hosp-r", "researcher"}}, dir.path());
    token = issue_token(data, "res", dir.path());
    pima = import_pima(Api{server.port(), issue_token(data, "admin", dir.path())});
    if (pima.empty()) GTEST_SKIP() << "r-cran-mass not installed";
    Api res{server.port(), token};
    int status = 0;
    json created = res.json("POST", "/api/v1/training-jobs",
                            {{"dataset_id", pima}, {"architecture", "xgboost"}, {"seed", 3},
                             {"hyper", {{"rounds", rounds}, {"early_stopping_rounds", 0}, {"eta", 0.01},
                                        {"bootstrap_resamples", 200}}}},
                            &status);
    ASSERT_EQ(status, 201) << created.dump();
    id = created["id"];
    json running = wait_for(res, id, [](const json& j) { return j["history"].size() >= 20 || finished(j); },
                            std::chrono::seconds(120));
    ASSERT_EQ(running["state"], "running") << "the job must still be running when the server is killed";
    server.kill_hard();
  }
  ServerProcess again(data);
  ASSERT_TRUE(again.running()) << again.log_text();
  Api res{again.port(), token};
  json done = wait_for(res, id, finished, std::chrono::seconds(300));
  ASSERT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_GE(done["attempts"].get<int>(), 2);
  EXPECT_EQ(done["history"].size(), static_cast<std::size_t>(rounds));
  int status = 0;
  json report = res.json("GET", "/api/v1/training-jobs/" + id + "/report", nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(report["rounds_trained"], rounds);
}

}  // namespace
}  // namespace medai::testing

namespace medai::testing {
namespace {

// Issue #8's risk model comes from the training service: XGBoost trained here
// on Pima.tr and reported on Pima.te; the job's package gives the model file,
// scripts/build_diabetes_app.sh packs it with the rules and the report's test
// AUC (with its CI) as validation; the signed app is published, approved and
// answers an undiagnosed adult with a risk and what drove it.
TEST_F(TrainingApiTest, DiabetesAdviceAppShipsTheRiskModelTrainedOnPima) {
  if (pima_.empty()) GTEST_SKIP() << "r-cran-mass not installed";
  const Vendor v = make_vendor("diab-vendor", "dv", "dvadmin");
  const std::string dv = v.user_token, dvadmin = v.admin_token, key = v.key;
  auto as = [&](const std::string& token, std::vector<std::string> args) { return v.as(token, std::move(args)); };

  auto trained = as(dv, {"train", "--dataset", pima_, "--architecture", "xgboost", "--seed", "5", "--hyper",
                         R"({"rounds":200,"bootstrap_resamples":300})"});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string id = json::parse(trained.out)["id"];
  const auto report = dir_->path() / "pima-report.json";
  ASSERT_EQ(as(dv, {"train", "report", id, "--out", report.string()}).exit_code, 0);
  Api vendor{server_->port(), dv};
  auto package = vendor.call("GET", "/api/v1/training-jobs/" + id + "/package?name=pima-risk&version=1.0.0");
  ASSERT_TRUE(package && package->status == 200);
  const auto zip = dir_->path() / "pima-risk.medai";
  std::ofstream(zip, std::ios::binary) << package->body;
  const auto model = dir_->path() / "pima-model.json";
  auto extracted = run_command("/usr/bin/python3 -c \"import sys, zipfile; open(sys.argv[2], 'wb').write("
                               "zipfile.ZipFile(sys.argv[1]).read('model/model.json'))\" " +
                               zip.string() + " " + model.string());
  ASSERT_EQ(extracted.exit_code, 0) << extracted.output;

  const auto app = dir_->path() / "diabetes-advice.medai";
  auto built = run_command(std::string(MEDAI_SOURCE_DIR) + "/scripts/build_diabetes_app.sh --model " + model.string() +
                           " --report " + report.string() + " -o " + app.string() +
                           " --version 1.0.0 --vendor diab-vendor --key " + key + ".key.json --medai " + MEDAI_BINARY);
  ASSERT_EQ(built.exit_code, 0) << built.output;
  auto published = as(dv, {"app", "publish", app.string()});
  ASSERT_EQ(published.exit_code, 0) << published.err << published.out;
  int status = 0;
  json version = vendor.json("GET", "/api/v1/apps/diabetes-advice/versions/1.0.0", nullptr, &status);
  ASSERT_EQ(status, 200) << version.dump();
  const json manifest = version.contains("manifest") ? version["manifest"] : version;
  bool test_auc = false;
  for (const auto& m : manifest["validation"]["metrics"])
    if (m["name"] == "roc_auc" && m["split"] == "test") {
      test_auc = true;
      EXPECT_GE(m["value"].get<double>(), 0.82) << "Pima.te AUC";
      ASSERT_EQ(m["ci95"].size(), 2u);
      EXPECT_LT(m["ci95"][0].get<double>(), m["value"].get<double>());
    }
  EXPECT_TRUE(test_auc) << manifest["validation"].dump();

  ASSERT_EQ(as(dvadmin, {"app", "approve", "diabetes-advice", "1.0.0"}).exit_code, 0);
  Api clinic{server_->port(), dvadmin};
  auto risk_of = [&](const json& patient) {
    json answer = clinic.json("POST", "/api/v1/apps/diabetes-advice/infer", patient, &status);
    EXPECT_EQ(status, 200) << answer.dump();
    return answer;
  };
  const json low = risk_of({{"age", 24}, {"sex", "female"}, {"diagnosed_t2d", false}, {"bmi", 22},
                            {"ogtt_2h_glucose", {{"value", 90}, {"unit", "mg/dL"}}}, {"dbp", 66}, {"pregnancies", 1}});
  const json high = risk_of({{"age", 52}, {"sex", "female"}, {"diagnosed_t2d", false}, {"bmi", 38},
                             {"ogtt_2h_glucose", {{"value", 185}, {"unit", "mg/dL"}}}, {"dbp", 82},
                             {"pregnancies", 6}});
  ASSERT_TRUE(low["risk"].is_object()) << low.dump();
  ASSERT_TRUE(high["risk"].is_object()) << high.dump();
  EXPECT_GT(high["risk"]["probability"].get<double>(), low["risk"]["probability"].get<double>());
  EXPECT_EQ(high["risk"]["contributions"].size(), 7u);
  EXPECT_FALSE(high["risk"]["what_drove_this_score"].empty());
  EXPECT_EQ(high["app"]["name"], "diabetes-advice");
  EXPECT_EQ(high["research_use_only"], true);
}

}  // namespace
}  // namespace medai::testing
