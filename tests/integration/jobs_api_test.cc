// The job API over real HTTP against `medai serve` with the built-in test
// job types enabled: submit, idempotency, long-poll, Server-Sent Events,
// cancel, retry, tenancy, and the `medai jobs` CLI.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "server_process.h"
#include "support/dicom_fixture.h"

namespace medai::testing {
namespace {

using nlohmann::json;

class JobsApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_JOBS_ENABLE_TEST_HANDLERS", "true"},
                                                 {"MEDAI_JOBS_POLL_INTERVAL_MS", "50"},
                                                 {"MEDAI_JOBS_RETRY_BASE_MS", "50"},
                                                 {"MEDAI_JOBS_SERIES_STABLE_SECONDS", "1"}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    int status = 0;
    auto login = Api{server_->port(), ""}.json(
        "POST", "/api/v1/auth/login", {{"username", "admin"}, {"password", server_->first_admin_password()}}, &status);
    ASSERT_EQ(status, 200) << login.dump();
    admin_token_ = login["token"];
    Api admin{server_->port(), admin_token_};
    for (const std::string inst : {"jobs-a", "jobs-b"}) {
      auto i = admin.json("POST", "/api/v1/institutions", {{"name", inst}, {"display_name", inst}});
      for (const std::string role : {"doctor", "institution_admin"}) {
        auto u = admin.json("POST", "/api/v1/users",
                            {{"username", inst + "-" + role}, {"institution_id", i["id"]}, {"roles", {role}}});
        auto t = admin.json("POST", "/api/v1/tokens", {{"name", "t"}, {"user_id", u["id"]}});
        (*tokens_)[inst + "-" + role] = t["token"];
      }
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    tokens_->clear();
  }
  Api as(const std::string& who) const { return {server_->port(), (*tokens_)[who]}; }
  Api admin() const { return {server_->port(), admin_token_}; }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string admin_token_;
  static std::map<std::string, std::string>* tokens_;
};
TempDir* JobsApiTest::dir_ = nullptr;
ServerProcess* JobsApiTest::server_ = nullptr;
std::string JobsApiTest::admin_token_;
std::map<std::string, std::string>* JobsApiTest::tokens_ = new std::map<std::string, std::string>();

json wait_done(const Api& api, const std::string& id) {
  json j = json::object();
  for (int i = 0; i < 20; ++i) {
    j = api.json("GET", "/api/v1/jobs/" + id + "?wait=5&after_version=" + std::to_string(j.value("version", 0)));
    const std::string s = j.value("state", "");
    if (s == "succeeded" || s == "failed" || s == "cancelled") break;
  }
  return j;
}

TEST_F(JobsApiTest, SubmitRunAndReadResult) {
  int status = 0;
  auto j = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "test.noop"}, {"input", {{"x", 42}}}}, &status);
  ASSERT_EQ(status, 201) << j.dump();
  EXPECT_EQ(j["state"], "queued");
  auto done = wait_done(as("jobs-a-doctor"), j["id"]);
  EXPECT_EQ(done["state"], "succeeded") << done.dump();
  EXPECT_EQ(done["result"]["echo"]["x"], 42);
  EXPECT_EQ(done["progress"], 1.0);
  EXPECT_FALSE(done["started_at"].is_null());
  EXPECT_FALSE(done["finished_at"].is_null());
}

TEST_F(JobsApiTest, AppRunInputIsCheckedAtSubmission) {
  int status = 0;
  // A missing series: refused at once, naming the field; nothing queued.
  json r = as("jobs-a-doctor").json("POST", "/api/v1/jobs",
                                    {{"type", "app.run"}, {"input", {{"app", "x"}, {"study_uid", "1.2.3"}}}}, &status);
  EXPECT_EQ(status, 400) << r.dump();
  EXPECT_EQ(r["detail"]["field"], "input.series_uid") << r.dump();
  r = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "app.run"}, {"input", {{"app", "x"}, {"patient", 5}}}},
                               &status);
  EXPECT_EQ(status, 400) << r.dump();
  EXPECT_EQ(r["detail"]["field"], "input.patient") << r.dump();
  // An app nobody published: not found now, not from a failed job later.
  r = as("jobs-a-doctor").json("POST", "/api/v1/jobs",
                               {{"type", "app.run"},
                                {"input", {{"app", "no-such-app"}, {"study_uid", "1.2.3"}, {"series_uid", "1.2.3.4"}}}},
                               &status);
  EXPECT_EQ(status, 404) << r.dump();
  const json listed = as("jobs-a-doctor").json("GET", "/api/v1/jobs?type=app.run", nullptr, &status);
  ASSERT_EQ(status, 200);
  EXPECT_TRUE(listed["items"].empty()) << listed.dump();
}

TEST_F(JobsApiTest, IdempotencyKeyReturnsTheSameJob) {
  int s1 = 0, s2 = 0;
  json body = {{"type", "test.noop"}, {"idempotency_key", "order-17"}};
  auto a = as("jobs-a-doctor").json("POST", "/api/v1/jobs", body, &s1);
  auto b = as("jobs-a-doctor").json("POST", "/api/v1/jobs", body, &s2);
  EXPECT_EQ(s1, 201);
  EXPECT_EQ(s2, 200);
  EXPECT_EQ(a["id"], b["id"]);
}

TEST_F(JobsApiTest, InvalidSubmissionsAreRefusedWithStableCodes) {
  int status = 0;
  auto j = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "no.such.type"}}, &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(j["error"], "invalid_argument");
  j = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "test.noop"}, {"input", "text"}}, &status);
  EXPECT_EQ(status, 400);
  j = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "test.noop"}, {"typo", 1}}, &status);
  EXPECT_EQ(status, 400);
  auto r = as("jobs-a-doctor").call("POST", "/api/v1/jobs", "{not json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  as("jobs-a-doctor").json("GET", "/api/v1/jobs?state=sleeping", nullptr, &status);
  EXPECT_EQ(status, 400);
  Api{server_->port(), ""}.json("GET", "/api/v1/jobs", nullptr, &status);
  EXPECT_EQ(status, 401);
}

TEST_F(JobsApiTest, TenancyOverHttp) {
  int status = 0;
  auto j = as("jobs-a-doctor").json("POST", "/api/v1/jobs", {{"type", "test.noop"}}, &status);
  ASSERT_EQ(status, 201);
  const std::string id = j["id"];
  as("jobs-b-doctor").json("GET", "/api/v1/jobs/" + id, nullptr, &status);
  EXPECT_EQ(status, 404);
  as("jobs-b-institution_admin").json("POST", "/api/v1/jobs/" + id + "/cancel", nullptr, &status);
  EXPECT_EQ(status, 404);
  auto list_b = as("jobs-b-doctor").json("GET", "/api/v1/jobs?limit=1000");
  for (const auto& item : list_b["items"]) EXPECT_NE(item["id"], id);
  auto list_admin = admin().json("GET", "/api/v1/jobs?limit=1000");
  bool found = false;
  for (const auto& item : list_admin["items"]) found = found || item["id"] == id;
  EXPECT_TRUE(found);
}

// Every page of a list says how many items match in all: `total` in the body
// and X-Total-Count, the same on every page, per tenant and per filter.
TEST_F(JobsApiTest, PagedListsCarryTheTotal) {
  // A tenant of its own, so other tests' jobs do not move the numbers.
  Api admin_api = admin();
  auto inst = admin_api.json("POST", "/api/v1/institutions", {{"name", "jobs-total"}, {"display_name", "t"}});
  auto user = admin_api.json("POST", "/api/v1/users", {{"username", "jobs-total-doctor"},
                                                       {"institution_id", inst["id"]}, {"roles", {"doctor"}}});
  Api doctor{server_->port(), admin_api.json("POST", "/api/v1/tokens", {{"name", "t"}, {"user_id", user["id"]}})["token"]};
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    int status = 0;
    auto j = doctor.json("POST", "/api/v1/jobs", {{"type", "test.noop"}, {"input", {{"i", i}}}}, &status);
    ASSERT_EQ(status, 201) << j.dump();
    ids.push_back(j["id"]);
  }
  for (const auto& id : ids) ASSERT_EQ(wait_done(doctor, id)["state"], "succeeded");
  std::set<std::string> seen;
  for (int offset : {0, 3, 6, 9}) {
    auto r = doctor.call("GET", "/api/v1/jobs?limit=3&offset=" + std::to_string(offset));
    ASSERT_TRUE(r.has_value());
    auto page = json::parse(r->body);
    EXPECT_EQ(page["total"], 7) << "offset " << offset << ": " << r->body;
    EXPECT_EQ(r->header("X-Total-Count"), "7") << "offset " << offset;
    EXPECT_EQ(page["items"].size(), static_cast<std::size_t>(std::max(0, std::min(3, 7 - offset))));
    for (const auto& item : page["items"]) seen.insert(item["id"]);
  }
  EXPECT_EQ(seen.size(), 7u);
  // Filters count too: none of this tenant's jobs failed.
  auto failed = doctor.json("GET", "/api/v1/jobs?state=failed&limit=1");
  EXPECT_EQ(failed["total"], 0);
  EXPECT_EQ(doctor.json("GET", "/api/v1/jobs?state=succeeded&type=test.noop&limit=2")["total"], 7);
  EXPECT_EQ(doctor.json("GET", "/api/v1/jobs?type=no.such.type")["total"], 0);
  // Another tenant sees its own count, never this one's.
  auto other = as("jobs-b-doctor").json("GET", "/api/v1/jobs?limit=1");
  EXPECT_EQ(other["total"].get<int>(), static_cast<int>(as("jobs-b-doctor").json("GET", "/api/v1/jobs?limit=1000")["items"].size()));
}

TEST_F(JobsApiTest, CancelRunningJobAndRetryIt) {
  int status = 0;
  auto j = as("jobs-a-doctor").json("POST", "/api/v1/jobs",
                                    {{"type", "test.sleep"}, {"input", {{"ms", 30000}, {"steps", 300}}}}, &status);
  ASSERT_EQ(status, 201);
  const std::string id = j["id"];
  // Wait until it runs (long-poll).
  for (int i = 0; i < 20 && j["state"] != "running"; ++i)
    j = as("jobs-a-doctor").json("GET", "/api/v1/jobs/" + id + "?wait=5&after_version=" + std::to_string(j.value("version", 0)));
  ASSERT_EQ(j["state"], "running") << j.dump();
  // A colleague may look but not cancel; the submitter may.
  as("jobs-a-institution_admin").json("GET", "/api/v1/jobs/" + id, nullptr, &status);
  EXPECT_EQ(status, 200);
  auto c = as("jobs-a-doctor").json("POST", "/api/v1/jobs/" + id + "/cancel", nullptr, &status);
  EXPECT_EQ(status, 200) << c.dump();
  auto done = wait_done(as("jobs-a-doctor"), id);
  EXPECT_EQ(done["state"], "cancelled");
  as("jobs-a-doctor").json("POST", "/api/v1/jobs/" + id + "/cancel", nullptr, &status);
  EXPECT_EQ(status, 409);
  auto again = as("jobs-a-institution_admin").json("POST", "/api/v1/jobs/" + id + "/retry", nullptr, &status);
  EXPECT_EQ(status, 200) << again.dump();
  EXPECT_EQ(again["state"], "queued");
  as("jobs-a-doctor").json("POST", "/api/v1/jobs/" + id + "/cancel", nullptr, &status);
}

TEST_F(JobsApiTest, ServerSentEventsFollowProgressUntilDone) {
  int status = 0;
  auto j = as("jobs-a-doctor").json("POST", "/api/v1/jobs",
                                    {{"type", "test.sleep"}, {"input", {{"ms", 1500}, {"steps", 5}}}}, &status);
  ASSERT_EQ(status, 201);
  auto r = http::testing::fetch(server_->port(), "GET", "/api/v1/jobs/" + j["id"].get<std::string>() + "/events",
                                "Authorization: Bearer " + (*tokens_)["jobs-a-doctor"] + "\r\n", "",
                                std::chrono::seconds(30));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "text/event-stream");
  // Every event is a job snapshot; versions increase; the last one is final.
  std::vector<json> events;
  std::size_t pos = 0;
  while ((pos = r->body.find("data: ", pos)) != std::string::npos) {
    const auto end = r->body.find('\n', pos);
    events.push_back(json::parse(r->body.substr(pos + 6, end - pos - 6)));
    pos = end;
  }
  ASSERT_GE(events.size(), 3u) << r->body;
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i]["version"], events[i - 1]["version"]);
  EXPECT_EQ(events.back()["state"], "succeeded");
  bool saw_progress = false;
  for (const auto& e : events) saw_progress = saw_progress || (e["progress"] > 0.0 && e["progress"] < 1.0);
  EXPECT_TRUE(saw_progress) << r->body;
  // Another tenant gets 404, not a stream.
  auto other = http::testing::fetch(server_->port(), "GET", "/api/v1/jobs/" + j["id"].get<std::string>() + "/events",
                                    "Authorization: Bearer " + (*tokens_)["jobs-b-doctor"] + "\r\n");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

TEST_F(JobsApiTest, CliListShowWaitCancel) {
  const std::map<std::string, std::string> env = {
      {"MEDAI_SERVER", "http://127.0.0.1:" + std::to_string(server_->port())},
      {"MEDAI_TOKEN", (*tokens_)["jobs-a-doctor"]}};
  auto submitted = run_medai({"jobs", "submit", "test.fail", "--input", R"({"code":"invalid_argument"})"}, dir_->path(),
                             env);
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string id = json::parse(submitted.out)["id"];
  auto waited = run_medai({"jobs", "wait", id, "--timeout", "30"}, dir_->path(), env);
  EXPECT_EQ(waited.exit_code, 2) << waited.out << waited.err;  // failed
  EXPECT_EQ(json::parse(waited.out)["error"]["code"], "invalid_argument");
  auto shown = run_medai({"jobs", "show", id}, dir_->path(), env);
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_EQ(json::parse(shown.out)["id"], id);
  auto listed = run_medai({"jobs", "list", "--state", "failed"}, dir_->path(), env);
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.out.find(id), std::string::npos);
  auto retried = run_medai({"jobs", "retry", id}, dir_->path(), env);
  EXPECT_EQ(retried.exit_code, 0) << retried.err;
  auto ok = run_medai({"jobs", "submit", "test.noop"}, dir_->path(), env);
  const std::string ok_id = json::parse(ok.out)["id"];
  EXPECT_EQ(run_medai({"jobs", "wait", ok_id}, dir_->path(), env).exit_code, 0);
  auto missing = run_medai({"jobs", "show", "job_nope"}, dir_->path(), env);
  EXPECT_NE(missing.exit_code, 0);
}

TEST_F(JobsApiTest, RoutingRuleQueuesAJobOnceTheUploadedSeriesIsStable) {
  int status = 0;
  // Only institution administrators manage rules; invalid rules are refused.
  as("jobs-a-doctor").json("POST", "/api/v1/routing-rules",
                           {{"name", "x"}, {"match", json::object()}, {"action", {{"app", "a"}}}}, &status);
  EXPECT_EQ(status, 403);
  auto bad = as("jobs-a-institution_admin")
                 .json("POST", "/api/v1/routing-rules",
                       {{"name", "x"}, {"match", {{"series_description_regex", "("}}}, {"action", {{"app", "a"}}}},
                       &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(bad["detail"]["field"], "match.series_description_regex");
  auto rule = as("jobs-a-institution_admin")
                  .json("POST", "/api/v1/routing-rules",
                        {{"name", "all CT"}, {"match", {{"modality", {"CT"}}, {"min_instances", 2}}},
                         {"action", {{"app", "demo-app"}}}},
                        &status);
  ASSERT_EQ(status, 201) << rule.dump();
  EXPECT_EQ(as("jobs-a-institution_admin").json("GET", "/api/v1/routing-rules")["items"].size(), 1u);
  EXPECT_TRUE(as("jobs-b-institution_admin").json("GET", "/api/v1/routing-rules")["items"].empty());

  for (int n = 1; n <= 2; ++n) {
    TestInstance t;
    t.study_uid = "2.25.7700";
    t.series_uid = "2.25.7700.1";
    t.sop_uid = "2.25.7700.1." + std::to_string(n);
    t.instance_number = n;
    auto r = http::testing::fetch(server_->port(), "POST", "/api/v1/uploads",
                                  "Authorization: Bearer " + (*tokens_)["jobs-a-doctor"] +
                                      "\r\nContent-Type: application/dicom\r\n",
                                  make_dicom(t));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  json jobs;
  for (int i = 0; i < 100; ++i) {
    jobs = as("jobs-a-doctor").json("GET", "/api/v1/jobs?type=app.run");
    if (!jobs["items"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(jobs["items"].size(), 1u) << jobs.dump();
  json job = jobs["items"][0];
  // The app.run handler finds no app of that name for the institution: the
  // job fails with not_found (tests/integration/app_run_test.cc runs a real one).
  for (int i = 0; i < 100 && (job["state"] == "queued" || job["state"] == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    job = as("jobs-a-doctor").json("GET", "/api/v1/jobs/" + job["id"].get<std::string>());
  }
  EXPECT_EQ(job["state"], "failed");
  EXPECT_EQ(job["error"]["code"], "not_found") << job.dump();
  EXPECT_EQ(job["input"]["app"], "demo-app");
  EXPECT_EQ(job["input"]["series_uid"], "2.25.7700.1");
  EXPECT_EQ(job["input"]["rule_id"], rule["id"]);
  EXPECT_TRUE(as("jobs-b-doctor").json("GET", "/api/v1/jobs?type=app.run")["items"].empty());
  // Disabling and deleting work; the queued job stays.
  as("jobs-a-institution_admin").json("PUT", "/api/v1/routing-rules/" + rule["id"].get<std::string>(),
                                      {{"enabled", false}}, &status);
  EXPECT_EQ(status, 200);
  as("jobs-a-institution_admin").call("DELETE", "/api/v1/routing-rules/" + rule["id"].get<std::string>());
  as("jobs-a-institution_admin").json("GET", "/api/v1/routing-rules/" + rule["id"].get<std::string>(), nullptr,
                                      &status);
  EXPECT_EQ(status, 404);
}

TEST_F(JobsApiTest, WebhookSecretIsShownOnceAndDeliveryIsAdminOnly) {
  int status = 0;
  auto created = as("jobs-a-institution_admin")
                     .json("POST", "/api/v1/webhooks", {{"name", "ris"}, {"url", "https://ris.example/hook"}}, &status);
  ASSERT_EQ(status, 201) << created.dump();
  ASSERT_TRUE(created["secret"].is_string());
  auto listed = as("jobs-a-institution_admin").json("GET", "/api/v1/webhooks");
  ASSERT_EQ(listed["items"].size(), 1u);
  EXPECT_FALSE(listed["items"][0].contains("secret"));
  as("jobs-a-institution_admin").json("POST", "/api/v1/webhooks", {{"name", "x"}, {"url", "gopher://x"}}, &status);
  EXPECT_EQ(status, 400);
  as("jobs-a-doctor").json("POST", "/api/v1/jobs",
                           {{"type", "webhook.deliver"}, {"input", {{"webhook_id", created["id"]}}}}, &status);
  EXPECT_EQ(status, 403);
  as("jobs-b-institution_admin").call("DELETE", "/api/v1/webhooks/" + created["id"].get<std::string>());
  EXPECT_EQ(as("jobs-a-institution_admin").json("GET", "/api/v1/webhooks")["items"].size(), 1u);
}

}  // namespace
}  // namespace medai::testing
