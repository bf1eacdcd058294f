#pragma once
// Asynchronous HTTP/1.1 server (Boost.Beast/Asio): keep-alive, bounded
// header and body sizes, timeouts against slow clients, optional TLS.
// Requests are parsed on I/O threads; handlers run on a separate pool unless
// the route is marked run_inline. Only server.cc includes Beast.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "access/principal.h"
#include "core/status.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"

namespace medai::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8142;  // 0 = pick a free port (tests)
  int io_threads = 2;
  int handler_threads = 4;
  std::size_t max_header_bytes = 16 * 1024;        // → 431
  std::size_t max_body_bytes = 64 * 1024 * 1024;   // default per route → 413
  std::chrono::milliseconds header_timeout{10000};  // whole header must arrive
  std::chrono::milliseconds body_timeout{300000};   // whole body must arrive
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive idle
  std::filesystem::path tls_cert;  // PEM chain; TLS on when both are set
  std::filesystem::path tls_key;   // PEM private key
  // Where bodies of spool_body routes are written (created O_EXCL, mode
  // 0600, random names; deleted after each exchange). Must exist.
  std::filesystem::path spool_dir = default_spool_dir();
  // Bodies of spool_body routes with a declared Content-Length up to
  // `memory_spool_max_bytes` are held in anonymous memory (memfd) instead,
  // while all such bodies together stay within `memory_spool_budget_bytes`:
  // no file system writes that a durability barrier (the blob store's
  // syncfs) would then have to flush. 0 turns this off.
  std::size_t memory_spool_max_bytes = 256 * 1024 * 1024;
  std::size_t memory_spool_budget_bytes = 1024 * 1024 * 1024;

  // std::filesystem::temp_directory_path(), or /tmp if that fails.
  static std::filesystem::path default_spool_dir();
};

// Resolves credentials (bearer token or session cookie) to a Principal.
// Implemented above access by the application; the server calls it for
// routes with Auth::required and answers 401 with the returned Status.
using Authenticator = std::function<Result<access::Principal>(const Request&)>;

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router, Authenticator authenticator);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the I/O and handler threads; returns once listening.
  Status start();
  // Port actually bound (useful with port 0).
  std::uint16_t port() const;
  // Stops accepting, closes connections, joins threads. Idempotent.
  void stop();
  Metrics& metrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medai::http
