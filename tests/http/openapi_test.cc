#include <gtest/gtest.h>

#include "http/router.h"

namespace medai::http {
namespace {

Router make_router() {
  Router r;
  RouteSpec health;
  health.method = Method::get;
  health.pattern = "/healthz";
  health.operation_id = "getHealth";
  health.summary = "Liveness";
  health.tags = {"system"};
  health.auth = Auth::none;
  health.responses = {{200, "alive", {{"type", "object"}}}};
  r.add(health, [](Request&) { return Response::text("ok"); });

  RouteSpec get_user;
  get_user.method = Method::get;
  get_user.pattern = "/api/v1/users/{id}";
  get_user.operation_id = "getUser";
  get_user.summary = "One user";
  get_user.description = "Institution admins see their users.";
  get_user.tags = {"users"};
  get_user.parameters = {{{"name", "expand"}, {"in", "query"}, {"schema", {{"type", "string"}}}}};
  get_user.responses = {{200, "the user", {{"$ref", "#/components/schemas/User"}}}};
  r.add(get_user, [](Request&) { return Response::text("u"); });

  RouteSpec create_user;
  create_user.method = Method::post;
  create_user.pattern = "/api/v1/users";
  create_user.operation_id = "createUser";
  create_user.tags = {"users"};
  create_user.request_schema = {{"type", "object"}, {"required", {"username"}}};
  create_user.responses = {{201, "created", nullptr}};
  r.add(create_user, [](Request&) { return Response::text("c"); });

  RouteSpec files;
  files.method = Method::get;
  files.pattern = "/files/{path*}";
  files.operation_id = "getFile";
  r.add(files, [](Request&) { return Response::text("f"); });

  RouteSpec portal;
  portal.method = Method::get;
  portal.pattern = "/{rest*}";
  portal.documented = false;
  portal.auth = Auth::none;
  r.add(portal, [](Request&) { return Response::text("p"); });
  return r;
}

TEST(OpenApiTest, DocumentDescribesEveryDocumentedRoute) {
  const Router router = make_router();
  const nlohmann::json doc = build_openapi(router, "1.2.3");
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_EQ(doc["info"]["title"], "medai API");
  EXPECT_EQ(doc["info"]["version"], "1.2.3");

  const auto& paths = doc["paths"];
  EXPECT_EQ(paths.size(), 4u);  // the portal fallback is undocumented
  EXPECT_FALSE(paths.contains("/{rest}"));
  ASSERT_TRUE(paths.contains("/healthz"));
  ASSERT_TRUE(paths.contains("/api/v1/users/{id}"));
  ASSERT_TRUE(paths.contains("/api/v1/users"));
  ASSERT_TRUE(paths.contains("/files/{path}"));

  const auto& health = paths["/healthz"]["get"];
  EXPECT_EQ(health["operationId"], "getHealth");
  EXPECT_EQ(health["summary"], "Liveness");
  EXPECT_EQ(health["tags"], nlohmann::json::array({"system"}));
  EXPECT_EQ(health["security"], nlohmann::json::array());
  EXPECT_EQ(health["responses"]["200"]["content"]["application/json"]["schema"]["type"], "object");
  EXPECT_EQ(health["responses"]["default"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error");

  const auto& user = paths["/api/v1/users/{id}"]["get"];
  EXPECT_EQ(user["description"], "Institution admins see their users.");
  ASSERT_EQ(user["parameters"].size(), 2u);
  EXPECT_EQ(user["parameters"][0]["name"], "id");
  EXPECT_EQ(user["parameters"][0]["in"], "path");
  EXPECT_EQ(user["parameters"][0]["required"], true);
  EXPECT_EQ(user["parameters"][1]["name"], "expand");
  const auto security = user["security"];
  ASSERT_EQ(security.size(), 2u);
  EXPECT_TRUE(security[0].contains("bearerAuth"));
  EXPECT_TRUE(security[1].contains("cookieAuth"));

  const auto& create = paths["/api/v1/users"]["post"];
  EXPECT_EQ(create["requestBody"]["content"]["application/json"]["schema"]["type"], "object");
  EXPECT_EQ(create["responses"]["201"]["description"], "created");
  EXPECT_FALSE(create["responses"]["201"].contains("content"));

  EXPECT_EQ(paths["/files/{path}"]["get"]["parameters"][0]["name"], "path");

  const auto& schemes = doc["components"]["securitySchemes"];
  EXPECT_EQ(schemes["bearerAuth"]["type"], "http");
  EXPECT_EQ(schemes["bearerAuth"]["scheme"], "bearer");
  EXPECT_EQ(schemes["cookieAuth"]["type"], "apiKey");
  EXPECT_EQ(schemes["cookieAuth"]["in"], "cookie");
  EXPECT_EQ(schemes["cookieAuth"]["name"], "medai_session");
}

TEST(OpenApiTest, ErrorSchemaListsEveryErrorCode) {
  const nlohmann::json doc = build_openapi(make_router(), "0");
  const auto& error = doc["components"]["schemas"]["Error"];
  EXPECT_EQ(error["type"], "object");
  EXPECT_TRUE(error["properties"].contains("message"));
  EXPECT_TRUE(error["properties"].contains("detail"));
  const auto& codes = error["properties"]["error"]["enum"];
  for (ErrorCode code : all_error_codes()) {
    const bool listed =
        std::find(codes.begin(), codes.end(), std::string(error_code_name(code))) != codes.end();
    EXPECT_EQ(listed, code != ErrorCode::ok) << error_code_name(code);
  }
  EXPECT_EQ(codes.size(), all_error_codes().size() - 1);
}

}  // namespace
}  // namespace medai::http
