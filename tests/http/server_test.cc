#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "test_client.h"

namespace medai::http {
namespace {

using testing::fetch;
using testing::RawResponse;
using testing::TestConnection;
using namespace std::chrono_literals;

RouteSpec spec(Method method, std::string pattern, Auth auth = Auth::none, bool run_inline = false) {
  RouteSpec s;
  s.method = method;
  s.pattern = std::move(pattern);
  s.auth = auth;
  s.run_inline = run_inline;
  return s;
}

std::string thread_name() {
  std::ostringstream os;
  os << std::this_thread::get_id();
  return os.str();
}

nlohmann::json json_of(const RawResponse& r) { return nlohmann::json::parse(r.body); }

void expect_error_body(const RawResponse& r, const std::string& code) {
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.body;
  EXPECT_EQ(j["error"], code) << r.body;
  EXPECT_TRUE(j["message"].is_string());
  EXPECT_TRUE(j.contains("detail"));
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("medai_http_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);

    auto router = std::make_shared<Router>();
    router->add(spec(Method::get, "/healthz", Auth::none, true), [](Request&) {
      return Response::text("ok").header("X-Thread", thread_name());
    });
    router->add(spec(Method::get, "/pool"), [](Request&) {
      return Response::text("pool").header("X-Thread", thread_name());
    });
    router->add(spec(Method::get, "/slow"), [](Request&) {
      std::this_thread::sleep_for(100ms);
      return Response::text("slow");
    });
    router->add(spec(Method::get, "/api/v1/users/{id}"), [](Request& req) {
      return Response::json({{"id", req.param("id")}});
    });
    router->add(spec(Method::del, "/api/v1/users/{id}"), [](Request&) { return Response::no_content(); });
    router->add(spec(Method::get, "/echo-query"), [](Request& req) {
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, v] : req.query) j[k] = v;
      j["path"] = req.path;
      j["request_id"] = req.request_id;
      j["remote"] = req.remote_address;
      return Response::json(j);
    });
    router->add(spec(Method::get, "/files/{path*}"), [](Request& req) {
      return Response::json({{"path", req.param("path")}});
    });
    RouteSpec small = spec(Method::post, "/small");
    small.max_body_bytes = 1024;
    router->add(small, [](Request& req) { return Response::text(req.body); });
    router->add(spec(Method::post, "/json"), [](Request& req) {
      auto body = req.json_body();
      if (!body) return Response::error(body.status());
      return Response::json({{"got", *body}});
    });
    router->add(spec(Method::get, "/throw"), [](Request&) -> Response {
      throw std::runtime_error("secret-internal-detail");
    });
    router->add(spec(Method::get, "/throw-inline", Auth::none, true), [](Request&) -> Response {
      throw std::runtime_error("secret-internal-detail");
    });
    router->add(spec(Method::get, "/me", Auth::required), [](Request& req) {
      return Response::json({{"user", req.principal ? req.principal->username : "<none>"}});
    });
    RouteSpec upload = spec(Method::post, "/upload", Auth::required);
    router->add(upload, [](Request& req) { return Response::text(std::to_string(req.body.size())); });
    router->add(spec(Method::get, "/file"), [this](Request&) {
      Response r;
      r.file = dir_ / "data.bin";
      r.header("Content-Type", "application/octet-stream");
      return r;
    });
    router->add(spec(Method::get, "/missing-file"), [this](Request&) {
      Response r;
      r.file = dir_ / "does-not-exist.bin";
      return r;
    });
    router->add(spec(Method::get, "/chunks"), [](Request&) {
      Response r;
      r.header("Content-Type", "text/event-stream");
      auto n = std::make_shared<int>(0);
      r.chunks = [n](std::string& out) {
        ++*n;
        out += "data: " + std::to_string(*n) + "\n\n";
        return *n < 3;
      };
      return r;
    });
    router->add(spec(Method::get, "/sse"), [](Request&) {
      // Blocks between events and sometimes produces nothing (a poll with
      // no news): allowed on the handler pool.
      Response r;
      r.header("Content-Type", "text/event-stream");
      auto n = std::make_shared<int>(0);
      r.chunks = [n](std::string& out) {
        std::this_thread::sleep_for(10ms);
        ++*n;
        if (*n % 2 == 0) out += "event: " + std::to_string(*n) + "\n\n";
        return *n < 6;
      };
      return r;
    });
    router->add(spec(Method::get, "/evil-header"), [](Request&) {
      return Response::text("x").header("X-Evil", "a\r\nSet-Cookie: pwned=1").header("X-Fine", "yes");
    });
    router->add(spec(Method::get, "/cached"), [](Request&) {
      return Response::text("c").header("Cache-Control", "public, max-age=60");
    });
    RouteSpec hidden = spec(Method::get, "/hidden");
    hidden.documented = false;
    router->add(hidden, [](Request&) { return Response::text("hidden"); });
    router_ = router;

    std::ofstream(dir_ / "data.bin", std::ios::binary) << file_content();
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static const std::string& file_content() {
    static const std::string content = [] {
      std::string s(300 * 1024, '\0');
      std::mt19937 gen(42);
      for (char& c : s) c = static_cast<char>(gen());
      return s;
    }();
    return content;
  }

  void start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = options.io_threads ? options.io_threads : 1;
    options.handler_threads = 2;
    server_ = std::make_unique<Server>(options, router_, &testing::fake_bearer_auth);
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  std::filesystem::path dir_;
  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
};

TEST_F(ServerTest, InlineGetReturns200WithStandardHeaders) {
  start();
  auto r = fetch(port_, "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  EXPECT_EQ(r->header("Server"), "medai");
  EXPECT_EQ(r->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(r->header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r->header("Cache-Control"), "no-store");
  EXPECT_EQ(r->header("Content-Length"), "2");
  EXPECT_EQ(r->header("X-Request-Id").size(), 15u);
}

TEST_F(ServerTest, HandlerCacheControlIsKept) {
  start();
  auto r = fetch(port_, "GET", "/cached");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Cache-Control"), "public, max-age=60");
}

TEST_F(ServerTest, RequestIdIsEchoedWhenSaneAndReplacedOtherwise) {
  start();
  auto r = fetch(port_, "GET", "/echo-query", "X-Request-Id: abc.DEF_123-x\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("X-Request-Id"), "abc.DEF_123-x");
  EXPECT_EQ(json_of(*r)["request_id"], "abc.DEF_123-x");

  r = fetch(port_, "GET", "/healthz", "X-Request-Id: bad id with spaces\r\n");
  ASSERT_TRUE(r);
  EXPECT_NE(r->header("X-Request-Id"), "bad id with spaces");
  EXPECT_EQ(r->header("X-Request-Id").size(), 15u);

  r = fetch(port_, "GET", "/healthz", "X-Request-Id: " + std::string(65, 'a') + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("X-Request-Id").size(), 15u);
}

TEST_F(ServerTest, PoolRouteRunsOffTheIoThread) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /pool HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto io = c.read_response();
  auto pool = c.read_response();
  ASSERT_TRUE(io && pool);
  EXPECT_EQ(pool->status, 200);
  EXPECT_EQ(pool->body, "pool");
  EXPECT_NE(io->header("X-Thread"), pool->header("X-Thread"));
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(c.send("GET /api/v1/users/u42 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto second = c.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(json_of(*second)["id"], "u42");
}

TEST_F(ServerTest, PipelinedResponsesKeepRequestOrder) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send(
      "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/users/7 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto a = c.read_response();
  auto b = c.read_response();
  auto d = c.read_response();
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(a->body, "slow");
  EXPECT_EQ(b->body, "ok");
  EXPECT_EQ(json_of(*d)["id"], "7");
}

TEST_F(ServerTest, PathParamsArePercentDecoded) {
  start();
  auto r = fetch(port_, "GET", "/api/v1/users/a%20b%2Fc");
  ASSERT_TRUE(r);
  // %2F decodes to '/', which makes it two segments: no such route.
  EXPECT_EQ(r->status, 404);
  r = fetch(port_, "GET", "/api/v1/users/a%20b+c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["id"], "a b+c");  // '+' is literal in paths
}

TEST_F(ServerTest, QueryIsDecodedWithPlusAsSpace) {
  start();
  auto r = fetch(port_, "GET", "/echo-query?q=a+b&x=%41%42&flag&&empty=");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto j = json_of(*r);
  EXPECT_EQ(j["q"], "a b");
  EXPECT_EQ(j["x"], "AB");
  EXPECT_EQ(j["flag"], "");
  EXPECT_EQ(j["empty"], "");
  EXPECT_EQ(j["path"], "/echo-query");
  EXPECT_EQ(j["remote"], "127.0.0.1");
}

TEST_F(ServerTest, WildcardRoute) {
  start();
  auto r = fetch(port_, "GET", "/files/a/b/c.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["path"], "a/b/c.txt");
}

TEST_F(ServerTest, DotDotSegmentsAndNulAreRejected) {
  start();
  for (const char* target : {"/files/../etc/passwd", "/files/%2e%2e/etc/passwd", "/files/a/%2E%2E",
                             "/files/a%00b", "/files/%zz", "/files/%4"}) {
    auto r = fetch(port_, "GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    expect_error_body(*r, "malformed_request");
  }
  // Dots that are not a whole ".." segment are fine.
  auto r = fetch(port_, "GET", "/files/a..b/.../c");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, UnknownPathIs404Json) {
  start();
  auto r = fetch(port_, "GET", "/no/such/thing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  expect_error_body(*r, "not_found");
  EXPECT_EQ(r->header("Cache-Control"), "no-store");
  EXPECT_FALSE(r->header("X-Request-Id").empty());
}

TEST_F(ServerTest, OtherMethodIs405WithAllow) {
  start();
  auto r = fetch(port_, "PUT", "/api/v1/users/1", "", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  expect_error_body(*r, "method_not_allowed");
  EXPECT_EQ(r->header("Allow"), "GET, DELETE, HEAD");

  r = fetch(port_, "TRACE", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("Allow"), "GET, HEAD");
}

TEST_F(ServerTest, HeadIsServedByGetRouteWithoutBody) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("HEAD /api/v1/users/abc HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(std::string(R"({"id":"abc"})").size()));
  EXPECT_EQ(r->header("Content-Type"), "application/json");
  // No body bytes may follow: the next response must parse cleanly.
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "ok");

  ASSERT_TRUE(c.send("HEAD /file HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.read_response(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->header("Content-Length"), std::to_string(file_content().size()));
  ASSERT_TRUE(c.send("HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.read_response(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "ok");
}

TEST_F(ServerTest, NoContentHasNoBodyOrLength) {
  start();
  auto r = fetch(port_, "DELETE", "/api/v1/users/3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->has_header("Content-Length"));
  EXPECT_TRUE(r->body.empty());
}

TEST_F(ServerTest, OversizedHeaderIs431AndCloses) {
  ServerOptions o;
  o.max_header_bytes = 4096;
  start(o);
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') +
                     "\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  expect_error_body(*r, "headers_too_large");
  EXPECT_EQ(r->header("Connection"), "close");
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, ContentLengthOverRouteLimitIs413) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" +
                     std::string(100, 'x')));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  expect_error_body(*r, "payload_too_large");
  EXPECT_EQ(json_of(*r)["detail"]["limit"], 1024);
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, ServerDefaultBodyLimitApplies) {
  ServerOptions o;
  o.max_body_bytes = 10;
  start(o);
  auto r = fetch(port_, "POST", "/json", "", R"({"a":"0123456789"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  start();
  TestConnection c(port_);
  std::string req = "POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  expect_error_body(*r, "payload_too_large");
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, BodyWithinLimitIsDelivered) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello world");
  ASSERT_TRUE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" +
                     std::string(1024, 'z')));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), 1024u);
}

TEST_F(ServerTest, ExpectContinueGets100First) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send("abc"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abc");
}

TEST_F(ServerTest, JsonBodyErrors) {
  start();
  auto r = fetch(port_, "POST", "/json", "Content-Type: application/json\r\n", R"({"a": [1, 2})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  expect_error_body(*r, "malformed_json");
  EXPECT_TRUE(json_of(*r)["detail"]["position"].is_number());
  r = fetch(port_, "POST", "/json", "", R"({"a": [1, 2]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["got"]["a"][1], 2);
}

TEST_F(ServerTest, MalformedRequestIs400AndCloses) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nBad Header Without Colon\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  expect_error_body(*r, "malformed_request");
  EXPECT_TRUE(c.closed_by_peer(3s));

  TestConnection c2(port_);
  ASSERT_TRUE(c2.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
  r = c2.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(ServerTest, SlowHeaderIsClosedWithinHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 300ms;
  start(o);
  TestConnection c(port_);
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: loc"));
  EXPECT_TRUE(c.closed_by_peer(3s));
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 1500ms);
}

TEST_F(ServerTest, SilentNewConnectionIsClosedWithinHeaderTimeout) {
  ServerOptions o;
  o.header_timeout = 300ms;
  start(o);
  TestConnection c(port_);
  EXPECT_TRUE(c.closed_by_peer(2s));
}

TEST_F(ServerTest, IdleKeepAliveIsClosedAfterIdleTimeout) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  start(o);
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  const auto begin = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1500ms);
}

TEST_F(ServerTest, SlowBodyIsClosedWithinBodyTimeout) {
  ServerOptions o;
  o.body_timeout = 300ms;
  start(o);
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutDetails) {
  start();
  for (const char* target : {"/throw", "/throw-inline"}) {
    auto r = fetch(port_, "GET", target);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    expect_error_body(*r, "internal");
    EXPECT_EQ(r->body.find("secret-internal-detail"), std::string::npos);
  }
  // The server is still healthy.
  auto r = fetch(port_, "GET", "/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, AuthRequiredRoutes) {
  start();
  auto r = fetch(port_, "GET", "/me");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  expect_error_body(*r, "unauthenticated");
  EXPECT_EQ(r->header("WWW-Authenticate"), "Bearer");

  r = fetch(port_, "GET", "/me", "Authorization: Bearer wrong\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);

  r = fetch(port_, "GET", "/me", "Authorization: Bearer good-token\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json_of(*r)["user"], "alice");
}

TEST_F(ServerTest, UnauthenticatedUploadIsRejectedBeforeTheBody) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  auto r = c.read_response();  // arrives although no body byte was sent
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->header("WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(c.closed_by_peer(3s));

  auto ok = fetch(port_, "POST", "/upload", "Authorization: Bearer good-token\r\n", "12345");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "5");
}

TEST_F(ServerTest, FileBodyIsStreamed) {
  start();
  auto r = fetch(port_, "GET", "/file");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r->header("Content-Length"), std::to_string(file_content().size()));
  EXPECT_TRUE(r->body == file_content());

  r = fetch(port_, "GET", "/missing-file");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  expect_error_body(*r, "not_found");
}

TEST_F(ServerTest, ChunkedResponse) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /chunks HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->header("Content-Type"), "text/event-stream");
  EXPECT_EQ(r->body, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
  // Keep-alive survives a chunked response.
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = c.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "ok");
}

TEST_F(ServerTest, BlockingChunkSourceOnPool) {
  start();
  auto r = fetch(port_, "GET", "/sse");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->chunked);
  EXPECT_EQ(r->body, "event: 2\n\nevent: 4\n\nevent: 6\n\n");
}

TEST_F(ServerTest, HeaderValuesWithLineBreaksAreDropped) {
  start();
  auto r = fetch(port_, "GET", "/evil-header");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_FALSE(r->has_header("X-Evil"));
  EXPECT_FALSE(r->has_header("Set-Cookie"));
  EXPECT_EQ(r->header("X-Fine"), "yes");
  EXPECT_EQ(r->body, "x");
  EXPECT_FALSE(r->header("Date").empty());
}

TEST_F(ServerTest, ChunkedResponseToHttp10EndsWithTheConnection) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /chunks HTTP/1.0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->chunked);
  EXPECT_EQ(r->body, "data: 1\n\ndata: 2\n\ndata: 3\n\n");
}

TEST_F(ServerTest, MetricsCountRoutesAndUnmatched) {
  start();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fetch(port_, "GET", "/healthz"));
  ASSERT_TRUE(fetch(port_, "GET", "/api/v1/users/1"));
  ASSERT_TRUE(fetch(port_, "GET", "/nope"));
  ASSERT_TRUE(fetch(port_, "GET", "/hidden"));
  TestConnection held(port_);  // one connection stays open
  ASSERT_TRUE(held.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(held.read_response());

  // Requests are counted once their response is fully written, which may be
  // a moment after the client has read it: poll briefly.
  std::string text;
  auto has = [&](const std::string& s) { return text.find(s) != std::string::npos; };
  const std::string healthz_count =
      "medai_http_requests_total{method=\"GET\",route=\"/healthz\",code_class=\"2xx\"} 4\n";
  for (int i = 0; i < 100; ++i) {
    text = server_->metrics().render_prometheus();
    if (has(healthz_count) && has("route=\"undocumented\",code_class=\"2xx\"} 1\n")) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(has(healthz_count)) << text;
  EXPECT_TRUE(has(
      "medai_http_requests_total{method=\"GET\",route=\"/api/v1/users/{id}\",code_class=\"2xx\"} 1\n"));
  EXPECT_TRUE(has("route=\"unmatched\",code_class=\"4xx\"} 1\n"));
  EXPECT_TRUE(has("route=\"undocumented\",code_class=\"2xx\"} 1\n"));
  EXPECT_FALSE(has("/hidden"));
  EXPECT_TRUE(has(
      "medai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(has("medai_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 4\n"));
  EXPECT_TRUE(has("medai_http_request_duration_seconds_sum{method=\"GET\",route=\"/healthz\"} "));
  const auto gauge = text.find("\nmedai_http_open_connections ");
  ASSERT_NE(gauge, std::string::npos);
  // `held` is open; connections of finished fetches may still be closing.
  EXPECT_GE(std::stoi(text.substr(gauge + std::string("\nmedai_http_open_connections ").size())), 1);
}

TEST_F(ServerTest, StopClosesConnectionsAndIsIdempotent) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read_response());
  const auto begin = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 1500ms);
  EXPECT_TRUE(c.closed_by_peer(1s));
  server_->stop();
  TestConnection after(port_);
  EXPECT_FALSE(after.connected());
  EXPECT_FALSE(server_->start().is_ok());
}

TEST_F(ServerTest, StopLetsRunningHandlersFinish) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(20ms);  // the handler is now sleeping on the pool
  const auto begin = std::chrono::steady_clock::now();
  server_->stop();
  const auto elapsed = std::chrono::steady_clock::now() - begin;
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_TRUE(c.closed_by_peer(1s));
}

TEST_F(ServerTest, ManyConcurrentClients) {
  ServerOptions o;
  o.io_threads = 2;
  start(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      TestConnection c(port_);
      for (int i = 0; i < 50; ++i) {
        if (!c.send(i % 2 ? "GET /pool HTTP/1.1\r\nHost: x\r\n\r\n" : "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
          return;
        auto r = c.read_response();
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 400);
}

TEST(ServerStartTest, BadTlsFilesAreAConfigError) {
  ServerOptions o;
  o.port = 0;
  o.tls_cert = "/nonexistent/cert.pem";
  o.tls_key = "/nonexistent/key.pem";
  Server s(o, std::make_shared<Router>(), nullptr);
  Status st = s.start();
  EXPECT_EQ(st.code(), ErrorCode::config_error);
  ServerOptions half;
  half.port = 0;
  half.tls_cert = "/x.pem";
  Server s2(half, std::make_shared<Router>(), nullptr);
  EXPECT_EQ(s2.start().code(), ErrorCode::config_error);
}

TEST(ServerStartTest, PortInUseIsAnError) {
  ServerOptions o;
  o.port = 0;
  Server a(o, std::make_shared<Router>(), nullptr);
  ASSERT_TRUE(a.start().is_ok());
  ServerOptions same;
  same.port = a.port();
  Server b(same, std::make_shared<Router>(), nullptr);
  EXPECT_FALSE(b.start().is_ok());
}

TEST(ServerStartTest, NoAuthenticatorMeans401) {
  auto router = std::make_shared<Router>();
  router->add(spec(Method::get, "/private", Auth::required), [](Request&) { return Response::text("x"); });
  ServerOptions o;
  o.port = 0;
  Server s(o, router, nullptr);
  ASSERT_TRUE(s.start().is_ok());
  auto r = fetch(s.port(), "GET", "/private");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST(ServerStartTest, DestructorWithoutStartIsFine) {
  Server s(ServerOptions{}, std::make_shared<Router>(), nullptr);
}

}  // namespace
}  // namespace medai::http
