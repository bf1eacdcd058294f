// The portal's static files through the real HTTP server: content types,
// caching, ETag/304, SPA fallback, CSP, and refusal of traversal, hidden
// files, symlinks out of the root and API paths.
#include "http/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "http/server.h"
#include "test_client.h"

namespace medai::http {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("medai-static-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    root_ = dir_ / "dist";
    write(root_ / "index.html", "<!doctype html><title>portal</title>");
    write(root_ / "assets" / "index-AbC123.js", "console.log(1)");
    write(root_ / "assets" / "index-AbC123.css", "body{}");
    write(root_ / "assets" / "decoder-x1.wasm", std::string("\0asm", 4));
    write(root_ / "favicon.svg", "<svg/>");
    write(root_ / ".env", "SECRET=1");
    write(dir_ / "secret.txt", "outside");
    fs::create_symlink(dir_ / "secret.txt", root_ / "leak.txt");

    auto site = StaticSite::open(root_);
    ASSERT_TRUE(site.is_ok()) << site.status().to_string();
    router_ = std::make_shared<Router>();
    router_->add({.method = Method::get, .pattern = "/api/v1/version", .operation_id = "v", .summary = "v",
                  .auth = Auth::none},
                 [](Request&) { return Response::json({{"version", "x"}}); });
    router_->add({.method = Method::get, .pattern = "/{path*}", .operation_id = "portal", .summary = "portal",
                  .auth = Auth::none, .documented = false},
                 [site = *site](Request& req) { return site->serve(req, req.param("path")); });
    ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.handler_threads = 1;
    server_ = std::make_unique<Server>(options, router_, &testing::fake_bearer_auth);
    ASSERT_TRUE(server_->start().is_ok());
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  std::optional<testing::RawResponse> get(std::string_view target, std::string_view headers = {}) {
    return testing::fetch(server_->port(), "GET", target, headers);
  }

  fs::path dir_, root_;
  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

TEST_F(StaticFilesTest, IndexIsServedWithNoCacheAndStrictPolicy) {
  auto r = get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>portal</title>");
  EXPECT_EQ(r->header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->header("Cache-Control"), "no-cache");
  EXPECT_EQ(r->header("X-Content-Type-Options"), "nosniff");
  const std::string csp = r->header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self' 'wasm-unsafe-eval';"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_FALSE(r->header("ETag").empty());
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableWithTheirContentType) {
  auto js = get("/assets/index-AbC123.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->header("Cache-Control"), "public, max-age=31536000, immutable");
  auto css = get("/assets/index-AbC123.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->header("Content-Type"), "text/css; charset=utf-8");
  auto wasm = get("/assets/decoder-x1.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(wasm->header("Content-Type"), "application/wasm");
  EXPECT_EQ(wasm->body.size(), 4u);
  // Unhashed files beside index.html are revalidated.
  auto svg = get("/favicon.svg");
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->header("Content-Type"), "image/svg+xml");
  EXPECT_EQ(svg->header("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, MatchingEtagGives304WithoutBody) {
  auto first = get("/assets/index-AbC123.js");
  ASSERT_TRUE(first);
  const std::string etag = first->header("ETag");
  ASSERT_FALSE(etag.empty());
  auto again = get("/assets/index-AbC123.js", "If-None-Match: " + etag + "\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
  EXPECT_EQ(again->header("ETag"), etag);
  auto other = get("/assets/index-AbC123.js", "If-None-Match: \"nope\"\r\n");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST_F(StaticFilesTest, PagesOfTheAppFallBackToIndex) {
  for (const char* page : {"/worklist", "/studies/1.2.840.113619.2.55.3", "/admin/users?tab=2"}) {
    auto r = get(page);
    ASSERT_TRUE(r) << page;
    EXPECT_EQ(r->status, 200) << page;
    EXPECT_EQ(r->body, "<!doctype html><title>portal</title>") << page;
    EXPECT_EQ(r->header("Cache-Control"), "no-cache") << page;
  }
}

TEST_F(StaticFilesTest, MissingFilesWithAnExtensionAre404NotHtml) {
  for (const char* target : {"/assets/index-gone.js", "/gone.css", "/assets/chunk-x1"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 404) << target;
    EXPECT_EQ(r->header("Content-Type"), "application/json") << target;
  }
}

TEST_F(StaticFilesTest, ApiPathsNeverFallBackToThePortal) {
  auto known = get("/api/v1/version");
  ASSERT_TRUE(known);
  EXPECT_EQ(known->status, 200);
  for (const char* target : {"/api/v1/nope", "/dicom-web/unknown/x", "/v2/whatever", "/api"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 404) << target;
    EXPECT_NE(r->body.find("\"not_found\""), std::string::npos) << target;
  }
  // Other methods on unknown paths stay 404 (the GET-only fallback does not
  // make them 405).
  auto post = testing::fetch(server_->port(), "POST", "/api/v1/typo", "Content-Length: 0\r\n");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST_F(StaticFilesTest, TraversalHiddenFilesAndSymlinksOutOfTheRootAreRefused) {
  // ".." (plain or percent-encoded) is refused by the server before routing.
  for (const char* target : {"/../secret.txt", "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
    EXPECT_EQ(r->body.find("outside"), std::string::npos) << target;
  }
  for (const char* target : {"/.env", "/leak.txt", "/assets%5c..%5c..%5csecret.txt"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 404) << target;
    EXPECT_EQ(r->body.find("outside"), std::string::npos) << target;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << target;
  }
}

TEST(StaticSiteOpen, RefusesAFolderWithoutIndex) {
  const fs::path empty = fs::temp_directory_path() / ("medai-static-empty-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  auto site = StaticSite::open(empty);
  EXPECT_FALSE(site.is_ok());
  EXPECT_EQ(site.status().code(), ErrorCode::invalid_argument);
  std::string reason;
  EXPECT_FALSE(resolve_web_root(empty.string(), "/nonexistent/bin/medai", reason));
  EXPECT_NE(reason.find("index.html"), std::string::npos);
  EXPECT_FALSE(resolve_web_root("off", "/nonexistent/bin/medai", reason));
  fs::remove_all(empty);
}

TEST(StaticSiteOpen, FindsWebDistAboveTheBuildTree) {
  const fs::path repo = fs::temp_directory_path() / ("medai-static-repo-" + std::to_string(::getpid()));
  write(repo / "web" / "dist" / "index.html", "x");
  std::string reason;
  auto found = resolve_web_root("", repo / "build" / "release" / "src" / "cli" / "medai", reason);
  ASSERT_TRUE(found) << reason;
  EXPECT_EQ(fs::canonical(*found), fs::canonical(repo / "web" / "dist"));
  fs::remove_all(repo);
}

TEST(ContentTypes, KnownExtensionsIgnoreCase) {
  EXPECT_EQ(content_type_for("a.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("x.json"), "application/json");
  EXPECT_EQ(content_type_for("dir.v1/file"), "application/octet-stream");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
}

}  // namespace
}  // namespace medai::http
