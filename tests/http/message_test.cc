#include "http/message.h"

#include <gtest/gtest.h>

namespace medai::http {
namespace {

TEST(MessageTest, MethodNamesRoundTrip) {
  for (Method m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del,
                   Method::options}) {
    auto back = method_from_name(method_name(m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, m);
  }
  EXPECT_EQ(method_name(Method::del), "DELETE");
  EXPECT_FALSE(method_from_name("get").has_value());
  EXPECT_FALSE(method_from_name("TRACE").has_value());
}

TEST(MessageTest, HeadersAreCaseInsensitive) {
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("Content-Type", "content-type"));
  EXPECT_FALSE(less("content-type", "Content-Type"));
  EXPECT_TRUE(less("a", "B"));
  EXPECT_TRUE(less("abc", "ABCD"));
  Request req;
  req.headers.emplace("X-Request-Id", "abc");
  EXPECT_EQ(req.header("x-request-id"), "abc");
  EXPECT_EQ(req.header("missing"), "");
}

TEST(MessageTest, QueryParam) {
  Request req;
  req.query.emplace("limit", "10");
  req.query.emplace("tag", "a");
  req.query.emplace("tag", "b");
  EXPECT_EQ(req.query_param("limit"), "10");
  EXPECT_EQ(req.query_param("tag"), "a");
  EXPECT_FALSE(req.query_param("nope").has_value());
}

TEST(MessageTest, JsonBody) {
  Request req;
  req.body = R"({"a": 1})";
  auto ok = req.json_body();
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["a"], 1);

  req.body = R"({"a": )";
  auto bad = req.json_body();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), ErrorCode::malformed_json);
  EXPECT_TRUE(bad.status().detail().contains("position"));

  req.body.clear();
  EXPECT_EQ(req.json_body().status().code(), ErrorCode::malformed_json);
}

TEST(MessageTest, IntQuery) {
  Request req;
  EXPECT_EQ(*req.int_query("limit", 50, 1, 100), 50);
  req.query.emplace("limit", "7");
  EXPECT_EQ(*req.int_query("limit", 50, 1, 100), 7);

  for (const char* bad : {"0", "101", "abc", "7x", "", "99999999999999999999"}) {
    Request r;
    r.query.emplace("limit", bad);
    auto v = r.int_query("limit", 50, 1, 100);
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.status().code(), ErrorCode::invalid_argument);
    EXPECT_NE(v.status().message().find("limit"), std::string::npos);
    EXPECT_NE(v.status().message().find("100"), std::string::npos);
    EXPECT_EQ(v.status().detail()["parameter"], "limit");
  }
  Request neg;
  neg.query.emplace("offset", "-5");
  EXPECT_EQ(*neg.int_query("offset", 0, -10, 10), -5);
}

TEST(MessageTest, ResponseHelpers) {
  Response j = Response::json({{"x", 1}}, 201);
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.body, R"({"x":1})");
  EXPECT_EQ(j.headers.find("content-type")->second, "application/json");

  Response t = Response::text("hi");
  EXPECT_EQ(t.status, 200);
  EXPECT_EQ(t.headers.find("Content-Type")->second, "text/plain; charset=utf-8");

  Response e = Response::error(make_error(ErrorCode::not_found, "no user", {{"id", "u1"}}));
  EXPECT_EQ(e.status, 404);
  auto body = nlohmann::json::parse(e.body);
  EXPECT_EQ(body["error"], "not_found");
  EXPECT_EQ(body["message"], "no user");
  EXPECT_EQ(body["detail"]["id"], "u1");

  Response n = Response::no_content();
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
}

TEST(MessageTest, JsonResponseSurvivesInvalidUtf8) {
  Response j = Response::json({{"name", std::string("bad\xff")}});
  EXPECT_EQ(j.status, 200);
  EXPECT_FALSE(j.body.empty());
}

}  // namespace
}  // namespace medai::http
