// Every route of the real API describes itself: a route without a summary,
// description, tag or responses fails here, and the generated OpenAPI
// document contains every route.
#include <gtest/gtest.h>

#include <set>

#include "http/app.h"
#include "http/router.h"

namespace medai::http {
namespace {

TEST(ApiRoutes, EveryRouteIsDescribedAndInOpenApi) {
  Router router;
  AppContext ctx;  // handlers are not called here
  register_all_routes(router, ctx);
  ASSERT_GE(router.routes().size(), 15u);
  const auto doc = build_openapi(router, "test");
  std::set<std::string> operation_ids;
  for (const auto& route : router.routes()) {
    const RouteSpec& s = route->spec;
    const std::string where = std::string(method_name(s.method)) + " " + s.pattern;
    EXPECT_FALSE(s.summary.empty()) << where;
    EXPECT_GE(s.description.size(), 20u) << where << ": describe what it does and who may call it";
    EXPECT_FALSE(s.tags.empty()) << where;
    EXPECT_FALSE(s.responses.empty()) << where;
    EXPECT_TRUE(operation_ids.insert(s.operation_id).second) << "duplicate operationId " << s.operation_id;
    if (!s.documented) continue;
    std::string method(method_name(s.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    ASSERT_TRUE(doc["paths"].contains(s.pattern)) << where;
    ASSERT_TRUE(doc["paths"][s.pattern].contains(method)) << where;
    const auto& op = doc["paths"][s.pattern][method];
    EXPECT_EQ(op["operationId"], s.operation_id);
    EXPECT_EQ(op["description"], s.description);
    // Actions on a resource named by the URL take no body.
    const bool bodyless_action = s.pattern == "/api/v1/auth/logout" ||
                                 s.pattern == "/api/v1/datasets/reference-imports" ||
                                 s.pattern.ends_with("/freeze") || s.pattern.ends_with("/cancel") ||
                                 s.pattern.ends_with("/retry") || s.pattern.ends_with("/echo");
    if ((s.method == Method::post || s.method == Method::patch || s.method == Method::put) && !bodyless_action) {
      EXPECT_FALSE(s.request_schema.is_null()) << where << " takes a body: document its schema";
    }
    // Public routes are few and deliberate.
    if (s.auth == Auth::none) {
      EXPECT_TRUE(s.pattern == "/healthz" || s.pattern == "/readyz" || s.pattern == "/metrics" ||
                  s.pattern == "/api/v1/version" || s.pattern == "/api/v1/openapi.json" ||
                  s.pattern == "/api/v1/auth/login" || s.pattern == "/api/v1/apps/manifest-schema" ||
                  s.pattern == "/v2/health/live" || s.pattern == "/v2/health/ready" || s.pattern == "/v2" ||
                  s.pattern == "/{path*}")  // the portal's static files (its log-in page loads before a token exists)
          << where << " is public: add it here only if it must be";
    }
  }
}

}  // namespace
}  // namespace medai::http
