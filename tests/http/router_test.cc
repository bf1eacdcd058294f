#include "http/router.h"

#include <gtest/gtest.h>

namespace medai::http {
namespace {

Handler tagged(std::string tag) {
  return [tag](Request&) { return Response::text(tag); };
}

std::string run(const Match& m) {
  if (!m.route) return "<none>";
  Request req;
  return m.route->handler(req).body;
}

RouteSpec spec(Method method, std::string pattern) {
  RouteSpec s;
  s.method = method;
  s.pattern = std::move(pattern);
  return s;
}

TEST(RouterTest, MatchesLiteralAndParamSegments) {
  Router r;
  r.add(spec(Method::get, "/api/v1/users"), tagged("list"));
  r.add(spec(Method::get, "/api/v1/users/{id}"), tagged("get"));
  r.add(spec(Method::get, "/api/v1/users/{id}/tokens/{token}"), tagged("token"));
  std::unordered_map<std::string, std::string> params;

  EXPECT_EQ(run(r.match(Method::get, "/api/v1/users", params)), "list");
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(run(r.match(Method::get, "/api/v1/users/u1", params)), "get");
  EXPECT_EQ(params.at("id"), "u1");
  EXPECT_EQ(run(r.match(Method::get, "/api/v1/users/u1/tokens/t9", params)), "token");
  EXPECT_EQ(params.at("id"), "u1");
  EXPECT_EQ(params.at("token"), "t9");

  EXPECT_EQ(run(r.match(Method::get, "/api/v1/users/", params)), "<none>");  // empty segment
  EXPECT_EQ(run(r.match(Method::get, "/api/v1/users/u1/x", params)), "<none>");
  EXPECT_EQ(run(r.match(Method::get, "/api/v1", params)), "<none>");
  EXPECT_EQ(run(r.match(Method::get, "api/v1/users", params)), "<none>");
  EXPECT_TRUE(params.empty());
}

TEST(RouterTest, LiteralTakesPrecedenceOverParam) {
  Router r;
  r.add(spec(Method::get, "/users/{id}"), tagged("param"));
  r.add(spec(Method::get, "/users/me"), tagged("literal"));
  std::unordered_map<std::string, std::string> params;
  EXPECT_EQ(run(r.match(Method::get, "/users/me", params)), "literal");
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(run(r.match(Method::get, "/users/other", params)), "param");
  EXPECT_EQ(params.at("id"), "other");
}

TEST(RouterTest, BacktracksFromLiteralToParam) {
  Router r;
  r.add(spec(Method::get, "/a/{x}/c"), tagged("param-c"));
  r.add(spec(Method::get, "/a/b/d"), tagged("literal-d"));
  r.add(spec(Method::del, "/users/me"), tagged("delete-me"));
  r.add(spec(Method::get, "/users/{id}"), tagged("get-user"));
  std::unordered_map<std::string, std::string> params;
  EXPECT_EQ(run(r.match(Method::get, "/a/b/c", params)), "param-c");
  EXPECT_EQ(params.at("x"), "b");
  EXPECT_EQ(run(r.match(Method::get, "/a/b/d", params)), "literal-d");
  // The literal /users/me has no GET: fall back to /users/{id}.
  EXPECT_EQ(run(r.match(Method::get, "/users/me", params)), "get-user");
  EXPECT_EQ(params.at("id"), "me");
}

TEST(RouterTest, TrailingWildcardTakesTheRest) {
  Router r;
  r.add(spec(Method::get, "/static/{path*}"), tagged("static"));
  r.add(spec(Method::get, "/static/special"), tagged("special"));
  r.add(spec(Method::get, "/{rest*}"), tagged("fallback"));
  std::unordered_map<std::string, std::string> params;

  EXPECT_EQ(run(r.match(Method::get, "/static/js/app.js", params)), "static");
  EXPECT_EQ(params.at("path"), "js/app.js");
  EXPECT_EQ(run(r.match(Method::get, "/static/special", params)), "special");
  EXPECT_EQ(run(r.match(Method::get, "/static/special/x", params)), "static");
  EXPECT_EQ(params.at("path"), "special/x");
  EXPECT_EQ(run(r.match(Method::get, "/static", params)), "static");
  EXPECT_EQ(params.at("path"), "");
  EXPECT_EQ(run(r.match(Method::get, "/", params)), "fallback");
  EXPECT_EQ(params.at("rest"), "");
  EXPECT_EQ(run(r.match(Method::get, "/studies/1/series", params)), "fallback");
  EXPECT_EQ(params.at("rest"), "studies/1/series");
}

TEST(RouterTest, RootPattern) {
  Router r;
  r.add(spec(Method::get, "/"), tagged("root"));
  std::unordered_map<std::string, std::string> params;
  EXPECT_EQ(run(r.match(Method::get, "/", params)), "root");
  EXPECT_EQ(run(r.match(Method::get, "/x", params)), "<none>");
}

TEST(RouterTest, ReportsOtherMethodForSamePath) {
  Router r;
  r.add(spec(Method::get, "/items/{id}"), tagged("get"));
  r.add(spec(Method::post, "/items"), tagged("post"));
  r.add(spec(Method::get, "/files/{p*}"), tagged("files"));
  std::unordered_map<std::string, std::string> params;

  Match m = r.match(Method::del, "/items/3", params);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched_other_method);
  m = r.match(Method::get, "/items", params);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched_other_method);
  m = r.match(Method::put, "/files/a/b", params);
  EXPECT_TRUE(m.path_matched_other_method);
  m = r.match(Method::get, "/nothing", params);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_matched_other_method);
}

TEST(RouterTest, RouteIndexAndSegments) {
  Router r;
  r.add(spec(Method::get, "/a"), tagged("a"));
  r.add(spec(Method::get, "/b/{id}"), tagged("b"));
  ASSERT_EQ(r.routes().size(), 2u);
  EXPECT_EQ(r.routes()[1]->index, 1u);
  EXPECT_EQ(r.routes()[1]->segments, (std::vector<std::string>{"b", "{id}"}));
}

TEST(RouterDeathTest, DuplicateRegistrationAborts) {
  EXPECT_DEATH(
      {
        Router r;
        r.add(spec(Method::get, "/users/{id}"), tagged("1"));
        r.add(spec(Method::get, "/users/{other}"), tagged("2"));
      },
      "duplicate route");
}

TEST(RouterDeathTest, InvalidPatternsAbort) {
  EXPECT_DEATH(
      {
        Router r;
        r.add(spec(Method::get, "/a/{rest*}/b"), tagged("x"));
      },
      "last segment");
  EXPECT_DEATH(
      {
        Router r;
        r.add(spec(Method::get, "/a/x{id}"), tagged("x"));
      },
      "whole segment");
  EXPECT_DEATH(
      {
        Router r;
        r.add(spec(Method::get, "no-slash"), tagged("x"));
      },
      "must start");
}

TEST(RouterTest, SameShapeDifferentMethodsIsFine) {
  Router r;
  r.add(spec(Method::get, "/users/{id}"), tagged("get"));
  r.add(spec(Method::del, "/users/{id}"), tagged("del"));
  std::unordered_map<std::string, std::string> params;
  EXPECT_EQ(run(r.match(Method::del, "/users/7", params)), "del");
  EXPECT_EQ(params.at("id"), "7");
}

}  // namespace
}  // namespace medai::http
