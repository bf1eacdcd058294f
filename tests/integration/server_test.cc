// The real server over real HTTP: first start, log-in, tenancy, errors,
// limits, metrics and the CLI working on the same data folder.
#include <gtest/gtest.h>

#include "server_process.h"

namespace medai::testing {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_HTTP_HEADER_TIMEOUT_MS", "500"}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    admin_password_ = server_->first_admin_password();
    ASSERT_FALSE(admin_password_.empty()) << server_->stdout_text();
    int status = 0;
    auto login = Api{server_->port(), ""}.json("POST", "/api/v1/auth/login",
                                               {{"username", "admin"}, {"password", admin_password_}}, &status);
    ASSERT_EQ(status, 200) << login.dump();
    admin_token_ = login["token"];
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  Api admin() const { return {server_->port(), admin_token_}; }
  Api anonymous() const { return {server_->port(), ""}; }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string admin_password_;
  static std::string admin_token_;
};
TempDir* ServerTest::dir_ = nullptr;
ServerProcess* ServerTest::server_ = nullptr;
std::string ServerTest::admin_password_;
std::string ServerTest::admin_token_;

TEST_F(ServerTest, HealthReadinessVersionArePublic) {
  auto h = anonymous().call("GET", "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(json::parse(h->body)["status"], "ok");
  auto r = anonymous().json("GET", "/readyz");
  EXPECT_EQ(r["status"], "ready");
  EXPECT_EQ(r["checks"]["catalog"], "ok");
  EXPECT_EQ(anonymous().json("GET", "/api/v1/version")["catalog"], "sqlite");
}

TEST_F(ServerTest, FirstStartBannerPrintedOnceAndPasswordNotLogged) {
  EXPECT_NE(server_->stdout_text().find("user:      admin"), std::string::npos);
  EXPECT_EQ(server_->log_text().find(admin_password_), std::string::npos) << "password must never be logged";
}

TEST_F(ServerTest, LoginSetsStrictHttpOnlyCookieAndCookieAuthWorks) {
  auto r = anonymous().call("POST", "/api/v1/auth/login",
                            json{{"username", "admin"}, {"password", admin_password_}}.dump());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const std::string cookie = r->header("Set-Cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  const std::string value = cookie.substr(0, cookie.find(';'));
  auto me = http::testing::fetch(server_->port(), "GET", "/api/v1/me", "Cookie: " + value + "\r\n");
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(json::parse(me->body)["via"], "session");
  // A cross-site form post riding on the cookie is refused.
  auto csrf = http::testing::fetch(server_->port(), "POST", "/api/v1/tokens",
                                   "Cookie: " + value + "\r\nOrigin: https://evil.example\r\n"
                                   "Content-Type: application/json\r\n",
                                   R"({"name":"x"})");
  ASSERT_TRUE(csrf);
  EXPECT_EQ(csrf->status, 403);
  // Logging out ends the session.
  auto out = http::testing::fetch(server_->port(), "POST", "/api/v1/auth/logout",
                                  "Cookie: " + value + "\r\nOrigin: http://localhost\r\n");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  auto again = http::testing::fetch(server_->port(), "GET", "/api/v1/me", "Cookie: " + value + "\r\n");
  EXPECT_EQ(again->status, 401);
}

TEST_F(ServerTest, WrongPasswordIs401WithStableErrorBody) {
  int status = 0;
  auto j = anonymous().json("POST", "/api/v1/auth/login", {{"username", "admin"}, {"password", "nope-nope-nope"}},
                            &status);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(j["error"], "invalid_credentials");
  EXPECT_TRUE(j.contains("message"));
  EXPECT_TRUE(j.contains("detail"));
}

TEST_F(ServerTest, ErrorsAreJsonWithStableCodes) {
  struct Case {
    std::string method, target, body;
    bool auth;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/nothing-here", "", true, 404, "not_found"},
      {"GET", "/api/v1/me", "", false, 401, "unauthenticated"},
      {"DELETE", "/api/v1/me", "", true, 405, "method_not_allowed"},
      {"POST", "/api/v1/institutions", "{broken", true, 400, "malformed_json"},
      {"POST", "/api/v1/institutions", R"({"name": 5})", true, 400, "invalid_argument"},
      {"POST", "/api/v1/institutions", R"({"name": "x-y", "colour": "red"})", true, 400, "invalid_argument"},
      {"GET", "/api/v1/users?limit=abc", "", true, 400, "invalid_argument"},
      {"GET", "/api/v1/users/usr_doesnotexist", "", true, 404, "not_found"},
  };
  for (const auto& c : cases) {
    Api api{server_->port(), c.auth ? admin_token_ : ""};
    auto r = api.call(c.method, c.target, c.body);
    ASSERT_TRUE(r) << c.method << " " << c.target;
    EXPECT_EQ(r->status, c.status) << c.method << " " << c.target << " " << r->body;
    auto j = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r->body;
    EXPECT_EQ(j["error"], c.code) << c.method << " " << c.target;
    EXPECT_EQ(r->header("Content-Type").rfind("application/json", 0), 0u);
  }
  auto bad_bearer = http::testing::fetch(server_->port(), "GET", "/api/v1/me", "Authorization: Basic Zm9vOmJhcg==\r\n");
  EXPECT_EQ(bad_bearer->status, 401);
  EXPECT_FALSE(bad_bearer->header("WWW-Authenticate").empty());
}

TEST_F(ServerTest, TenantsAreIsolatedOverHttp) {
  auto a = admin().json("POST", "/api/v1/institutions", {{"name", "iso-a"}, {"display_name", "A"}});
  auto b = admin().json("POST", "/api/v1/institutions", {{"name", "iso-b"}, {"display_name", "B"}});
  ASSERT_TRUE(a.contains("id")) << a.dump();
  int status = 0;
  auto doc_a = admin().json("POST", "/api/v1/users",
                            {{"username", "iso-doc-a"}, {"institution_id", a["id"]}, {"roles", {"doctor"}}}, &status);
  ASSERT_EQ(status, 201) << doc_a.dump();
  auto adm_a = admin().json("POST", "/api/v1/users",
                            {{"username", "iso-adm-a"}, {"institution_id", a["id"]}, {"roles", {"institution_admin"}}});
  auto doc_b = admin().json("POST", "/api/v1/users",
                            {{"username", "iso-doc-b"}, {"institution_id", b["id"]}, {"roles", {"doctor"}}});
  auto token_for = [&](const json& user) {
    auto t = admin().json("POST", "/api/v1/tokens", {{"name", "test"}, {"user_id", user["id"]}}, &status);
    EXPECT_EQ(status, 201) << t.dump();
    return t["token"].get<std::string>();
  };
  Api doctor_a{server_->port(), token_for(doc_a)};
  Api admin_a{server_->port(), token_for(adm_a)};

  EXPECT_EQ(doctor_a.json("GET", "/api/v1/me")["institution"]["name"], "iso-a");
  auto insts = doctor_a.json("GET", "/api/v1/institutions");
  ASSERT_EQ(insts["items"].size(), 1u);
  EXPECT_EQ(insts["items"][0]["name"], "iso-a");
  doctor_a.json("GET", "/api/v1/institutions/" + b["id"].get<std::string>(), nullptr, &status);
  EXPECT_EQ(status, 404);
  doctor_a.json("GET", "/api/v1/users", nullptr, &status);
  EXPECT_EQ(status, 403);
  admin_a.json("GET", "/api/v1/users/" + doc_b["id"].get<std::string>(), nullptr, &status);
  EXPECT_EQ(status, 404);
  admin_a.json("PATCH", "/api/v1/users/" + doc_b["id"].get<std::string>(), {{"disabled", true}}, &status);
  EXPECT_EQ(status, 404);
  auto listed = admin_a.json("GET", "/api/v1/users?institution_id=" + b["id"].get<std::string>());
  EXPECT_TRUE(listed["items"].empty()) << listed.dump();
  admin_a.json("POST", "/api/v1/users", {{"username", "iso-evil"}, {"roles", {"admin"}}}, &status);
  EXPECT_EQ(status, 403) << "institution admins cannot mint platform admins";
  admin_a.json("POST", "/api/v1/users", {{"username", "iso-doc-a2"}, {"roles", {"doctor"}}}, &status);
  EXPECT_EQ(status, 201) << "but can add doctors to their own institution";
  // The refused calls are in the institution's audit trail.
  auto audit = admin_a.json("GET", "/api/v1/audit-events?limit=100");
  bool denied = false;
  for (const auto& e : audit["items"]) denied = denied || e["outcome"] == "denied";
  EXPECT_TRUE(denied) << audit.dump();
  for (const auto& e : audit["items"]) EXPECT_EQ(e["institution_id"], a["id"]);
}

TEST_F(ServerTest, TokenLifecycleOverHttp) {
  int status = 0;
  auto issued = admin().json("POST", "/api/v1/tokens", {{"name", "ci"}, {"ttl_days", 3}}, &status);
  ASSERT_EQ(status, 201) << issued.dump();
  Api client{server_->port(), issued["token"]};
  EXPECT_EQ(client.json("GET", "/api/v1/me")["via"], "api");
  auto list = admin().json("GET", "/api/v1/tokens");
  bool listed = false;
  for (const auto& t : list["items"]) {
    EXPECT_FALSE(t.contains("token")) << "secrets are never listed";
    listed = listed || t["id"] == issued["info"]["id"];
  }
  EXPECT_TRUE(listed);
  // `current` marks the credential of the request: the admin's session here,
  // the new API token when the list is read with it.
  int current = 0;
  for (const auto& t : list["items"]) {
    EXPECT_TRUE(t.contains("current") && t["current"].is_boolean()) << t.dump();
    if (t.value("current", false)) {
      ++current;
      EXPECT_EQ(t["kind"], "session") << t.dump();
      EXPECT_EQ(admin_token_.rfind(t["prefix"].get<std::string>(), 0), 0u) << "the session's own prefix";
    }
  }
  EXPECT_EQ(current, 1);
  EXPECT_EQ(list["total"].get<std::size_t>(), list["items"].size());
  auto as_token = client.json("GET", "/api/v1/tokens");
  int current_as_token = 0;
  for (const auto& t : as_token["items"])
    if (t.value("current", false)) {
      ++current_as_token;
      EXPECT_EQ(t["id"], issued["info"]["id"]);
    }
  EXPECT_EQ(current_as_token, 1);
  admin().call("DELETE", "/api/v1/tokens/" + issued["info"]["id"].get<std::string>());
  auto after = client.json("GET", "/api/v1/me", nullptr, &status);
  EXPECT_EQ(status, 401);
  EXPECT_EQ(after["error"], "token_revoked");
  admin().json("POST", "/api/v1/tokens", {{"name", "forever"}, {"ttl_days", 100000}}, &status);
  EXPECT_EQ(status, 400);
}

TEST_F(ServerTest, UserInstitutionAndAuditListsCarryTheTotal) {
  int status = 0;
  auto inst = admin().json("POST", "/api/v1/institutions", {{"name", "totals"}, {"display_name", "Totals"}}, &status);
  ASSERT_EQ(status, 201) << inst.dump();
  for (int i = 0; i < 5; ++i)
    admin().json("POST", "/api/v1/users", {{"username", "total-" + std::to_string(i)}, {"institution_id", inst["id"]},
                                            {"roles", {"doctor"}}}, &status);
  for (const std::string q : {"limit=2&offset=0", "limit=2&offset=4", "limit=2&offset=10", "limit=100"}) {
    auto r = admin().call("GET", "/api/v1/users?institution_id=" + inst["id"].get<std::string>() + "&" + q);
    ASSERT_TRUE(r.has_value());
    auto page = json::parse(r->body);
    EXPECT_EQ(page["total"], 5) << q;
    EXPECT_EQ(r->header("X-Total-Count"), "5") << q;
  }
  // Platform admin: every institution; the count agrees with a full listing.
  auto insts = admin().json("GET", "/api/v1/institutions?limit=1");
  EXPECT_EQ(insts["items"].size(), 1u);
  EXPECT_EQ(insts["total"].get<std::size_t>(), admin().json("GET", "/api/v1/institutions?limit=1000")["items"].size());
  auto audit = admin().json("GET", "/api/v1/audit-events?limit=3");
  EXPECT_EQ(audit["items"].size(), 3u);
  EXPECT_GE(audit["total"].get<int>(), 6);  // at least the institution and the five users
  auto audit_all = admin().json("GET", "/api/v1/audit-events?limit=1000");
  EXPECT_EQ(audit["total"].get<std::size_t>() <= audit_all["total"].get<std::size_t>(), true);
  EXPECT_EQ(audit_all["total"].get<std::size_t>(), audit_all["items"].size());
  // Unpaged lists carry it too.
  auto apps = admin().call("GET", "/api/v1/apps");
  ASSERT_TRUE(apps.has_value());
  EXPECT_EQ(json::parse(apps->body)["total"].get<std::size_t>(), json::parse(apps->body)["items"].size());
  EXPECT_FALSE(apps->header("X-Total-Count").empty());
}

TEST_F(ServerTest, OversizedHeaderIs431AndConnectionClosed) {
  http::testing::TestConnection c(server_->port());
  std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(json::parse(r->body)["error"], "headers_too_large");
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(2)));
}

TEST_F(ServerTest, OversizedBodyIs413) {
  // The log-in route accepts at most 16 KiB.
  const std::string body(64 * 1024, 'x');
  auto r = anonymous().call("POST", "/api/v1/auth/login", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(json::parse(r->body)["error"], "payload_too_large");
}

TEST_F(ServerTest, SlowClientIsDisconnected) {
  http::testing::TestConnection c(server_->port());
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));  // never finishes the header
  EXPECT_TRUE(c.closed_by_peer(std::chrono::seconds(3))) << "header timeout is 500 ms in this test";
}

TEST_F(ServerTest, MetricsCountRequestsPerRoute) {
  for (int i = 0; i < 3; ++i) anonymous().call("GET", "/healthz");
  auto m = anonymous().call("GET", "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_NE(m->body.find("medai_http_requests_total{"), std::string::npos);
  EXPECT_NE(m->body.find("route=\"/healthz\""), std::string::npos);
  EXPECT_NE(m->body.find("medai_http_request_duration_seconds_bucket{"), std::string::npos);
  EXPECT_NE(m->body.find("route=\"/api/v1/users/{id}\""), std::string::npos) << "labelled by pattern, not path";
}

TEST_F(ServerTest, OpenApiIsServedAndDescribesEveryRoute) {
  auto doc = anonymous().json("GET", "/api/v1/openapi.json");
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* p : {"/api/v1/auth/login", "/api/v1/me", "/api/v1/institutions", "/api/v1/institutions/{id}",
                        "/api/v1/users", "/api/v1/users/{id}", "/api/v1/tokens", "/api/v1/tokens/{id}", "/healthz"})
    EXPECT_TRUE(doc["paths"].contains(p)) << p;
}

TEST_F(ServerTest, CliAdministersTheDataFolderWhileServing) {
  const std::string data = (*dir_ / "var").string();
  auto inst = run_medai({"admin", "create-institution", "--data-dir", data, "--name", "cli-hosp", "--display-name",
                         "CLI Hospital"},
                        dir_->path());
  ASSERT_EQ(inst.exit_code, 0) << inst.err;
  EXPECT_EQ(json::parse(inst.out)["name"], "cli-hosp");
  auto user = run_medai({"admin", "create-user", "--data-dir", data, "--username", "cli-doc", "--institution",
                         "cli-hosp", "--role", "doctor", "--generate-password"},
                        dir_->path());
  ASSERT_EQ(user.exit_code, 0) << user.err;
  const std::string password = json::parse(user.out)["password"];
  auto token = run_medai({"admin", "issue-token", "--data-dir", data, "--user", "cli-doc"}, dir_->path());
  ASSERT_EQ(token.exit_code, 0) << token.err;
  std::string secret = token.out;
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  EXPECT_EQ(secret.find('\n'), std::string::npos) << "stdout holds only the token";
  Api doc{server_->port(), secret};
  EXPECT_EQ(doc.json("GET", "/api/v1/me")["user"]["username"], "cli-doc");
  int status = 0;
  anonymous().json("POST", "/api/v1/auth/login", {{"username", "cli-doc"}, {"password", password}}, &status);
  EXPECT_EQ(status, 200);

  auto whoami = run_medai({"whoami", "--server", "http://127.0.0.1:" + std::to_string(server_->port())},
                          dir_->path(), {{"MEDAI_TOKEN", secret}});
  ASSERT_EQ(whoami.exit_code, 0) << whoami.err;
  EXPECT_EQ(json::parse(whoami.out)["institution"]["name"], "cli-hosp");
  auto denied = run_medai({"whoami", "--server", "http://127.0.0.1:" + std::to_string(server_->port()), "--token",
                           "medai_wrongwrongwrongwrongwrong"},
                          dir_->path());
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("[unauthenticated]"), std::string::npos) << denied.err;

  auto dup = run_medai({"admin", "create-institution", "--data-dir", data, "--name", "cli-hosp"}, dir_->path());
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.err.find("[already_exists]"), std::string::npos) << dup.err;
}

TEST(ServerLifecycle, SecondStartKeepsDataAndPrintsNoCredentials) {
  TempDir dir;
  std::string password;
  {
    ServerProcess first(dir / "var");
    ASSERT_TRUE(first.running()) << first.log_text();
    password = first.first_admin_password();
    ASSERT_FALSE(password.empty());
    EXPECT_EQ(first.stop(), 0) << "SIGTERM stops cleanly";
  }
  ServerProcess second(dir / "var");
  ASSERT_TRUE(second.running()) << second.log_text();
  EXPECT_TRUE(second.first_admin_password().empty()) << second.stdout_text();
  int status = 0;
  Api{second.port(), ""}.json("POST", "/api/v1/auth/login", {{"username", "admin"}, {"password", password}}, &status);
  EXPECT_EQ(status, 200) << "the first password still works after a restart";
}

TEST(ServerLifecycle, RefusesBadConfigurationWithAClearMessage) {
  TempDir dir;
  auto r = run_medai({"serve", "--data-dir", (dir / "var").string()}, dir.path(), {{"MEDAI_HTTP_PORT", "eighty"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("http.port"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[config_error]"), std::string::npos) << r.err;
}

TEST(Cli, VersionConfigPrintAndMigrate) {
  TempDir dir;
  auto v = run_medai({"version"}, dir.path());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("medai ", 0), 0u);
  auto c = run_medai({"config", "print", "--data-dir", "/srv/x"}, dir.path(), {{"MEDAI_HTTP_PORT", "9999"}});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto j = json::parse(c.out);
  EXPECT_EQ(j["http"]["port"], 9999);
  EXPECT_EQ(j["data_dir"], "/srv/x");
  auto m = run_medai({"migrate", "--data-dir", (dir / "var").string()}, dir.path());
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("1  access"), std::string::npos) << m.out;
  // Without --server the documented default URL is used: either nothing
  // listens there (unreachable, named in the error) or a server refuses the
  // bogus token; never an empty URL.
  ::unsetenv("MEDAI_SERVER");
  auto no_server = run_medai({"whoami", "--token", "medai_x"}, dir.path());
  EXPECT_EQ(no_server.exit_code, 1);
  EXPECT_TRUE(no_server.err.find("http://127.0.0.1:8142") != std::string::npos ||
              no_server.err.find("[unauthenticated]") != std::string::npos)
      << no_server.err;
  auto help = run_medai({"admin", "--help"}, dir.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("issue-token"), std::string::npos);
}

}  // namespace
}  // namespace medai::testing
