// Request bodies spooled to temporary files (RouteSpec::spool_body).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "http/server.h"
#include "support/temp_dir.h"
#include "test_client.h"

namespace medai::http {
namespace {

using testing::fetch;
using testing::RawResponse;
using testing::TestConnection;
using namespace std::chrono_literals;

std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 gen(seed);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::uint32_t r = gen();
    std::memcpy(&s[i], &r, 4);
  }
  for (; i < n; ++i) s[i] = static_cast<char>(gen());
  return s;
}

// What the handler saw, recorded for the test thread.
struct Seen {
  std::string body;
  std::filesystem::path body_file;
  std::uint64_t body_size = 0;
  bool file_existed = false;
  std::uint64_t file_size = 0;
  std::uint64_t hash = 0;
  std::string head;  // first 16 bytes
  std::string tail;  // last 16 bytes
  std::string middle;  // 16 bytes at size / 2
  unsigned mode = 0;
  int calls = 0;
};

class ServerSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spool_dir_ = spool_tmp_.path();

    auto router = std::make_shared<Router>();
    RouteSpec healthz;
    healthz.method = Method::get;
    healthz.pattern = "/healthz";
    healthz.auth = Auth::none;
    healthz.run_inline = true;
    router->add(healthz, [](Request&) { return Response::text("ok"); });

    auto handler = [this](Request& req) {
      Seen s;
      s.body = req.body;
      s.body_file = req.body_file;
      s.body_size = req.body_size;
      if (!req.body_file.empty()) {
        std::error_code ec;
        s.file_existed = std::filesystem::exists(req.body_file, ec);
        struct stat st{};
        if (::stat(req.body_file.c_str(), &st) == 0) s.mode = st.st_mode & 0777;
        std::ifstream in(req.body_file, std::ios::binary);
        std::string block(1 << 16, '\0');
        std::uint64_t h = 14695981039346656037ull;
        std::string all_head;
        while (in) {
          in.read(block.data(), static_cast<std::streamsize>(block.size()));
          const auto n = static_cast<std::size_t>(in.gcount());
          if (n == 0) break;
          h = fnv1a(std::string_view(block.data(), n), h);
          s.file_size += n;
        }
        s.hash = h;
        auto sample = [&](std::uint64_t at) {
          std::ifstream f(req.body_file, std::ios::binary);
          f.seekg(static_cast<std::streamoff>(at));
          std::string out(16, '\0');
          f.read(out.data(), 16);
          out.resize(static_cast<std::size_t>(f.gcount()));
          return out;
        };
        s.head = sample(0);
        s.middle = sample(s.file_size / 2);
        s.tail = sample(s.file_size >= 16 ? s.file_size - 16 : 0);
      }
      {
        std::lock_guard lock(mu_);
        s.calls = ++calls_;
        seen_ = s;
      }
      return Response::json({{"size", req.body_size}});
    };

    auto spooled = [](std::string pattern, std::size_t limit, Auth auth = Auth::none,
                      bool run_inline = false) {
      RouteSpec s;
      s.method = Method::post;
      s.pattern = std::move(pattern);
      s.auth = auth;
      s.max_body_bytes = limit;
      s.run_inline = run_inline;
      s.spool_body = true;
      return s;
    };
    router->add(spooled("/spool", 64 * 1024 * 1024), handler);
    router->add(spooled("/spool-inline", 1024 * 1024, Auth::none, true), handler);
    router->add(spooled("/spool-small", 1024), handler);
    router->add(spooled("/spool-auth", 1024 * 1024, Auth::required), handler);
    router_ = router;
  }

  void TearDown() override {
    server_.reset();
  }

  // The suite's tests are about file spooling unless they ask for memory.
  static ServerOptions file_spooling() {
    ServerOptions o;
    o.memory_spool_max_bytes = 0;
    o.memory_spool_budget_bytes = 0;
    return o;
  }

  void start(ServerOptions options = file_spooling()) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 1;
    options.handler_threads = 2;
    options.spool_dir = spool_dir_;
    server_ = std::make_unique<Server>(options, router_, &testing::fake_bearer_auth);
    Status s = server_->start();
    ASSERT_TRUE(s.is_ok()) << s.to_string();
    port_ = server_->port();
  }

  std::size_t spool_files() const {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(spool_dir_, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
      ++n;
    return n;
  }

  // The file is deleted once the response has been written, which may be a
  // moment after the client has read it: poll.
  bool spool_dir_becomes_empty(std::chrono::milliseconds wait = 2s) const {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (spool_files() == 0) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
  }

  bool spool_file_appears(std::chrono::milliseconds wait = 2s) const {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (spool_files() > 0) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
  }

  Seen seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

  // One request on a new connection, answered 200: what the handler saw.
  Seen send_ok(const std::string& wire) {
    TestConnection c(port_);
    EXPECT_TRUE(c.send(wire));
    auto r = c.read_response(false, 30s);
    EXPECT_TRUE(r);
    if (r) EXPECT_EQ(r->status, 200) << r->body;
    return seen();
  }

  void expect_seen(const Seen& s, std::string_view sent) {
    EXPECT_TRUE(s.body.empty());
    EXPECT_TRUE(s.file_existed);
    EXPECT_EQ(s.body_size, sent.size());
    EXPECT_EQ(s.file_size, sent.size());
    EXPECT_EQ(s.hash, fnv1a(sent));
    EXPECT_EQ(s.head, sent.substr(0, 16));
    EXPECT_EQ(s.middle, sent.substr(sent.size() / 2, 16));
    EXPECT_EQ(s.tail, sent.substr(sent.size() - 16));
    EXPECT_EQ(s.mode, 0600u);
    EXPECT_EQ(s.body_file.parent_path(), spool_dir_);
  }

  medai::testing::TempDir spool_tmp_;
  std::filesystem::path spool_dir_;
  std::shared_ptr<Router> router_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  Seen seen_;
  int calls_ = 0;
};

TEST_F(ServerSpoolTest, LargeContentLengthBodyIsSpooledToAFile) {
  start();
  const std::string body = random_bytes(50 * 1024 * 1024, 7);
  TestConnection c(port_);
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  ASSERT_TRUE(c.send(body));
  auto r = c.read_response(false, 60s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["size"], body.size());
  const Seen s = seen();
  expect_seen(s, body);
  EXPECT_TRUE(spool_dir_becomes_empty());
  EXPECT_FALSE(std::filesystem::exists(s.body_file));

  // Keep-alive survives a spooled request.
  ASSERT_TRUE(c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerSpoolTest, ChunkedBodyIsSpooledToAFile) {
  start();
  const std::string body = random_bytes(3 * 1024 * 1024 + 17, 11);
  std::string wire = "POST /spool HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::mt19937 gen(3);
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t n = std::min<std::size_t>(body.size() - at, 1 + gen() % 200000);
    char hex[20];
    std::snprintf(hex, sizeof hex, "%zx", n);
    wire += hex;
    wire += "\r\n";
    wire.append(body, at, n);
    wire += "\r\n";
    at += n;
  }
  wire += "0\r\n\r\n";
  TestConnection c(port_);
  ASSERT_TRUE(c.send(wire));
  auto r = c.read_response(false, 30s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  expect_seen(seen(), body);
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, SeveralSpooledRequestsOnOneConnection) {
  start();
  TestConnection c(port_);
  for (int i = 0; i < 3; ++i) {
    const std::string body = random_bytes(200000 + i, 100 + i);
    ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body));
    auto r = c.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    expect_seen(seen(), body);
  }
  // Also on an inline route.
  const std::string body = random_bytes(100000, 5);
  ASSERT_TRUE(c.send("POST /spool-inline HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_seen(seen(), body);
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, EmptyBodyHasNoFile) {
  start();
  auto r = fetch(port_, "POST", "/spool", "", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const Seen s = seen();
  EXPECT_EQ(s.calls, 1);
  EXPECT_TRUE(s.body_file.empty());
  EXPECT_EQ(s.body_size, 0u);
  EXPECT_EQ(spool_files(), 0u);
}

TEST_F(ServerSpoolTest, ContentLengthOverLimitIs413WithoutAFile) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /spool-small HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" +
                     std::string(100, 'x')));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(spool_files(), 0u);
  EXPECT_EQ(seen().calls, 0);
}

TEST_F(ServerSpoolTest, ChunkedOverLimitIs413AndTheFileIsRemoved) {
  start();
  TestConnection c(port_);
  std::string req = "POST /spool-small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.send(req));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_TRUE(spool_dir_becomes_empty());
  EXPECT_EQ(seen().calls, 0);
}

TEST_F(ServerSpoolTest, BodyAtTheLimitIsAccepted) {
  start();
  const std::string body = random_bytes(1024, 9);
  auto r = fetch(port_, "POST", "/spool-small", "", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_seen(seen(), body);
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, ExpectContinueGets100First) {
  start();
  const std::string body = random_bytes(300000, 13);
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.read_response();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.send(body));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_seen(seen(), body);
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, UnauthenticatedUploadIsRejectedBeforeAFileIsCreated) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /spool-auth HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"));
  auto r = c.read_response();  // arrives although no body byte was sent
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(spool_files(), 0u);

  const std::string body = random_bytes(5000, 1);
  r = fetch(port_, "POST", "/spool-auth", "Authorization: Bearer good-token\r\n", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  expect_seen(seen(), body);
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, ClientDisconnectMidBodyLeavesNoFile) {
  start();
  {
    TestConnection c(port_);
    ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" +
                       random_bytes(500000, 2)));
    ASSERT_TRUE(spool_file_appears());
  }  // closes the connection
  EXPECT_TRUE(spool_dir_becomes_empty());
  EXPECT_EQ(seen().calls, 0);

  // Chunked, cut in the middle of a chunk.
  {
    TestConnection c(port_);
    ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "100000\r\n" +
                       random_bytes(200000, 3)));
    ASSERT_TRUE(spool_file_appears());
  }
  EXPECT_TRUE(spool_dir_becomes_empty());
  EXPECT_EQ(seen().calls, 0);
}

TEST_F(ServerSpoolTest, SlowBodyTimesOutAndLeavesNoFile) {
  ServerOptions o = file_spooling();
  o.body_timeout = 300ms;
  start(o);
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" +
                     std::string(1000, 'a')));
  ASSERT_TRUE(spool_file_appears());
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, ServerStopMidBodyLeavesNoFile) {
  start();
  TestConnection c(port_);
  ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" +
                     std::string(1000, 'a')));
  ASSERT_TRUE(spool_file_appears());
  server_->stop();
  EXPECT_EQ(spool_files(), 0u);
}

TEST_F(ServerSpoolTest, MissingSpoolDirIs500AndCloses) {
  ServerOptions o = file_spooling();
  o.host = "127.0.0.1";
  o.port = 0;
  o.io_threads = 1;
  o.handler_threads = 1;
  o.spool_dir = spool_dir_ / "does-not-exist";
  server_ = std::make_unique<Server>(o, router_, &testing::fake_bearer_auth);
  ASSERT_TRUE(server_->start().is_ok());
  TestConnection c(server_->port());
  ASSERT_TRUE(c.send("POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_TRUE(c.closed_by_peer(3s));
  EXPECT_EQ(seen().calls, 0);
}

TEST(ServerOptionsTest, SpoolDirDefaultsToTheTempDirectory) {
  ServerOptions o;
  EXPECT_EQ(o.spool_dir, std::filesystem::temp_directory_path());
}

}  // namespace
}  // namespace medai::http

namespace medai::http {
namespace {

// In-memory bodies (ServerOptions::memory_spool_*): the server runs in this
// process, so its memfds are visible in /proc/self/fd.
std::size_t open_memory_bodies() {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::error_code lec;
    const auto target = std::filesystem::read_symlink(it->path(), lec);
    if (!lec && target.string().find("memfd:medai-body") != std::string::npos) ++n;
  }
  return n;
}

bool memory_bodies_become(std::size_t n, std::chrono::milliseconds wait = 2s) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (open_memory_bodies() == n) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

ServerOptions memory_spooling(std::size_t max, std::size_t budget) {
  ServerOptions o;
  o.memory_spool_max_bytes = max;
  o.memory_spool_budget_bytes = budget;
  return o;
}

std::string post(std::string_view path, std::size_t length) {
  return "POST " + std::string(path) + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

TEST_F(ServerSpoolTest, DeclaredBodyWithinTheLimitsIsHeldInMemoryAndReleased) {
  start(memory_spooling(8 << 20, 6 << 20));
  for (std::uint32_t round = 0; round < 2; ++round) {  // the second fits only if the first was released
    const std::string body = random_bytes(5 << 20, 20 + round);
    const Seen s = send_ok(post("/spool", body.size()) + body);
    EXPECT_EQ(s.body_file.parent_path(), "/proc/self/fd") << "round " << round;
    EXPECT_EQ(s.body_size, body.size());
    EXPECT_EQ(s.file_size, body.size());
    EXPECT_EQ(s.hash, fnv1a(body));
    EXPECT_EQ(spool_files(), 0u);  // nothing touched the file system
    EXPECT_TRUE(memory_bodies_become(0));
  }
}

TEST_F(ServerSpoolTest, ChunkedOrOverTheMemoryLimitGoesToAFile) {
  start(memory_spooling(1 << 20, 64 << 20));
  const std::string big = random_bytes(3 << 20, 31);
  expect_seen(send_ok(post("/spool", big.size()) + big), big);
  const std::string small = random_bytes(1000, 32);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%zx", small.size());
  expect_seen(send_ok("POST /spool HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(hex) +
                      "\r\n" + small + "\r\n0\r\n\r\n"),
              small);  // no declared length: a file
  EXPECT_TRUE(spool_dir_becomes_empty());
}

TEST_F(ServerSpoolTest, SpentMemoryBudgetFallsBackToAFileAndADisconnectReturnsIt) {
  start(memory_spooling(8 << 20, 6 << 20));
  auto held = std::make_unique<TestConnection>(port_);
  // 5 MB declared, 100 kB sent: its reservation stays while the body is awaited.
  ASSERT_TRUE(held->send(post("/spool", 5 << 20) + random_bytes(100000, 40)));
  ASSERT_TRUE(memory_bodies_become(1));
  const std::string body = random_bytes(2 << 20, 41);
  expect_seen(send_ok(post("/spool", body.size()) + body), body);  // 2 MB did not fit the 1 MB left: a file
  held.reset();  // disconnect mid-body: memory and budget come back
  EXPECT_TRUE(memory_bodies_become(0));
  EXPECT_EQ(seen().calls, 1);
  const Seen s = send_ok(post("/spool", body.size()) + body);
  EXPECT_EQ(s.body_file.parent_path(), "/proc/self/fd");
  EXPECT_EQ(s.hash, fnv1a(body));
  EXPECT_TRUE(spool_dir_becomes_empty());
}

}  // namespace
}  // namespace medai::http
