// TLS: a self-signed certificate made with the openssl CLI, one request from
// an Asio SSL client that does not verify the peer.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "http/server.h"

namespace medai::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

bool have_openssl_cli() { return std::system("openssl version >/dev/null 2>&1") == 0; }

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_openssl_cli()) GTEST_SKIP() << "openssl binary not found";
    dir_ = std::filesystem::temp_directory_path() /
           ("medai_tls_test_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
                            " -keyout '" + (dir_ / "key.pem").string() + "' -out '" +
                            (dir_ / "cert.pem").string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);

    auto router = std::make_shared<Router>();
    RouteSpec s;
    s.method = Method::get;
    s.pattern = "/hello";
    s.auth = Auth::none;
    router->add(s, [](Request& req) {
      return Response::json({{"tls", req.tls}, {"path", req.path}});
    });
    ServerOptions o;
    o.port = 0;
    o.io_threads = 1;
    o.handler_threads = 1;
    o.tls_cert = dir_ / "cert.pem";
    o.tls_key = dir_ / "key.pem";
    server_ = std::make_unique<Server>(o, router, nullptr);
    Status st = server_->start();
    ASSERT_TRUE(st.is_ok()) << st.to_string();
  }
  void TearDown() override {
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Sends `request` over TLS and returns everything until the server closes.
  std::string exchange(const std::string& request, int max_version = 0) {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_none);
    if (max_version) SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
    ssl::stream<tcp::socket> stream(ioc, ctx);
    stream.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) return "handshake failed: " + ec.message();
    net::write(stream, net::buffer(request));
    std::string out;
    char buf[4096];
    for (;;) {
      const std::size_t n = stream.read_some(net::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Server> server_;
};

TEST_F(TlsServerTest, ServesOneRequestOverTls) {
  const std::string response =
      exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(response.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << response;
  EXPECT_NE(response.find("Server: medai\r\n"), std::string::npos);
  EXPECT_NE(response.find(R"({"path":"/hello","tls":true})"), std::string::npos) << response;
}

TEST_F(TlsServerTest, RejectsTls11) {
  const std::string response =
      exchange("GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", TLS1_1_VERSION);
  EXPECT_EQ(response.rfind("handshake failed", 0), 0u) << response;
}

TEST_F(TlsServerTest, PlainHttpOnTlsPortIsClosed) {
  net::io_context ioc;
  tcp::socket sock(ioc);
  sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  net::write(sock, net::buffer(std::string("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")));
  boost::system::error_code ec;
  char buf[1024];
  std::size_t total = 0;
  for (;;) {
    const std::size_t n = sock.read_some(net::buffer(buf), ec);
    total += n;
    if (ec) break;
  }
  // Whatever TLS alert bytes were sent, no HTTP response comes back.
  EXPECT_LT(total, 100u);
}

}  // namespace
}  // namespace medai::http
