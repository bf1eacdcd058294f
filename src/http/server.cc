// The only translation unit that includes Boost.Beast (slow to compile).
//
// One Session per connection, templated on the stream (plain TCP or TLS) so
// both share the code. A session handles one request at a time: it reads the
// header, matches the route (to learn the body limit and auth), reads the
// body, runs the handler (inline on the I/O strand or on the handler pool),
// writes the response, and only then parses the next request. Pipelined
// requests wait in the read buffer, so responses always leave in order.
#include "http/server.h"

#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>

#include "core/crypto.h"
#include "core/log.h"

namespace medai::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunkBytes = 8192;
constexpr std::size_t kFileBlockBytes = 64 * 1024;
// Spooled request bodies are read into this buffer and written to the file
// block by block, so memory stays bounded whatever the upload size.
constexpr std::size_t kSpoolBlockBytes = 1024 * 1024;
// After a response with Connection: close we half-close and discard what the
// client still sends for a moment: closing with unread input makes the
// kernel send RST, which can destroy the response (e.g. a 413) in flight.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerMaxBytes = 1 << 20;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);
constexpr auto kDrainTimeout = std::chrono::seconds(2);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// --- request target -------------------------------------------------------

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes (and '+' as space in queries); false on a bad escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_digit(in[i + 1]);
      const int lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

bool has_dot_dot_segment(std::string_view path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end - start == 2 && path[start] == '.' && path[start + 1] == '.') return true;
    start = end + 1;
  }
  return false;
}

// Fills req.path and req.query from the raw target; false → 400. Paths are
// decoded before routing and checked for ".." and NUL after decoding, so
// "%2e%2e" cannot smuggle a parent segment into a file-serving route.
bool parse_target(std::string_view target, Request& req) {
  if (target.empty() || target.front() != '/') return false;  // origin-form only
  const std::size_t q = target.find('?');
  if (!percent_decode(target.substr(0, q), req.path, false)) return false;
  if (req.path.find('\0') != std::string::npos || has_dot_dot_segment(req.path)) return false;
  if (q == std::string_view::npos) return true;
  std::string_view query = target.substr(q + 1);
  std::string key;
  std::string value;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    if (!percent_decode(piece.substr(0, eq), key, true)) return false;
    if (!percent_decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1),
                        value, true))
      return false;
    req.query.emplace(std::move(key), std::move(value));
  }
  return true;
}

// --- small helpers ----------------------------------------------------------

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// 15 hex characters (fits the small-string buffer: no allocation): 7 random
// per thread + 8 from a per-thread counter. Unique enough to correlate logs;
// not a secret.
void generate_request_id(std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local const std::uint32_t prefix = [] {
    std::random_device rd;
    return static_cast<std::uint32_t>(rd());
  }();
  thread_local std::uint32_t counter = 0;
  const std::uint32_t n = ++counter;
  char buf[15];
  for (int i = 0; i < 7; ++i) buf[i] = kHex[(prefix >> (4 * (6 - i))) & 0xF];
  for (int i = 0; i < 8; ++i) buf[7 + i] = kHex[(n >> (4 * (7 - i))) & 0xF];
  out.assign(buf, sizeof buf);
}

std::optional<Method> method_from_verb(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return Method::get;
    case bhttp::verb::head: return Method::head;
    case bhttp::verb::post: return Method::post;
    case bhttp::verb::put: return Method::put;
    case bhttp::verb::patch: return Method::patch;
    case bhttp::verb::delete_: return Method::del;
    case bhttp::verb::options: return Method::options;
    default: return std::nullopt;
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Framing and connection management belong to the server, not to handlers.
bool is_hop_by_hop(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Keep-Alive");
}

bool status_forbids_body(int status) {
  return (status >= 100 && status < 200) || status == 204 || status == 304;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- spooled request bodies ---------------------------------------------------

// A temporary file holding one request body. Owns the file: the destructor
// closes and deletes it, so every way an exchange ends (response written,
// error, disconnect, timeout, server stop, session destroyed) removes it.
class SpoolFile {
 public:
  SpoolFile() = default;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile() { discard(); }

  // An anonymous in-memory file (memfd) for a body of `bytes`, reserved
  // against `budget` (released by discard()); false (nothing created) when
  // the budget is spent or memfd is unavailable: spool to a file then.
  bool create_in_memory(std::uint64_t bytes, std::atomic<std::uint64_t>& budget) {
    std::uint64_t left = budget.load();
    do {
      if (left < bytes) return false;
    } while (!budget.compare_exchange_weak(left, left - bytes));
    const int fd = ::memfd_create("medai-body", MFD_CLOEXEC);
    if (fd < 0) {
      budget.fetch_add(bytes);
      return false;
    }
    fd_ = fd;
    budget_ = &budget;
    reserved_ = bytes;
    path_ = std::filesystem::path("/proc/self/fd") / std::to_string(fd);
    size_ = 0;
    return true;
  }

  // Creates a new file with a random name in `dir` (O_EXCL, mode 0600).
  bool create(const std::filesystem::path& dir, std::string& error) {
    for (int attempt = 0; attempt < 16; ++attempt) {
      std::filesystem::path candidate =
          dir / ("medai-body-" + crypto::to_hex(crypto::random_bytes(16)) + ".part");
      const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            S_IRUSR | S_IWUSR);
      if (fd >= 0) {
        fd_ = fd;
        path_ = std::move(candidate);
        size_ = 0;
        return true;
      }
      if (errno != EEXIST) {
        error = std::strerror(errno);
        return false;
      }
    }
    error = "no unique name found";
    return false;
  }

  bool write(const char* data, std::size_t n, std::string& error) {
    if (in_memory() && size_ + n > reserved_) {  // more than declared: the parser refuses it anyway
      error = "body longer than its Content-Length";
      return false;
    }
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        error = std::strerror(errno);
        return false;
      }
      data += w;
      n -= static_cast<std::size_t>(w);
      size_ += static_cast<std::uint64_t>(w);
    }
    return true;
  }

  // Closes the descriptor (the body is complete); the file stays until
  // discard(). An in-memory body keeps its descriptor: it is the file.
  bool finish(std::string& error) {
    if (fd_ < 0 || in_memory()) return true;
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0 && errno != EINTR) {
      error = std::strerror(errno);
      return false;
    }
    return true;
  }

  void discard() noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!path_.empty() && !in_memory()) ::unlink(path_.c_str());
    path_.clear();
    if (in_memory()) budget_->fetch_add(reserved_);
    budget_ = nullptr;
    reserved_ = 0;
    size_ = 0;
  }

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  bool in_memory() const { return budget_ != nullptr; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
  std::uint64_t size_ = 0;
  std::atomic<std::uint64_t>* budget_ = nullptr;  // set while the body is held in memory
  std::uint64_t reserved_ = 0;
};

// --- shared server state ----------------------------------------------------

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Called by stop() from any thread: closes the socket on the session's strand.
  virtual void close_for_stop() = 0;
};

struct ServerCore {
  ServerCore(ServerOptions o, std::shared_ptr<const Router> r, Authenticator a)
      : options(std::move(o)),
        router(std::move(r)),
        authenticator(std::move(a)),
        ioc(std::max(1, options.io_threads)) {
    if (options.spool_dir.empty()) options.spool_dir = ServerOptions::default_spool_dir();
    memory_spool_left = options.memory_spool_budget_bytes;
  }

  // Declaration order is destruction order in reverse: everything a session
  // touches in its destructor (metrics, registry, TLS context) is declared
  // before the io_context, whose destruction destroys leftover sessions.
  ServerOptions options;
  std::shared_ptr<const Router> router;
  Authenticator authenticator;
  Metrics metrics;
  std::vector<std::size_t> route_slots;  // by Route::index
  std::size_t unmatched_slot = 0;
  std::size_t undocumented_slot = 0;

  std::mutex sessions_mu;  // per connection, never per request
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> memory_spool_left{0};  // set from options in the constructor

  std::optional<ssl::context> tls;
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::mutex threads_mu;
  std::condition_variable threads_cv;
  int running_io_threads = 0;
  std::vector<std::thread> io_threads;
  std::unique_ptr<net::thread_pool> pool;

  std::mutex lifecycle_mu;
  bool started = false;
  bool stopped = false;
  std::uint16_t bound_port = 0;

  std::size_t slot_for(const Route& route) const {
    return route.index < route_slots.size() ? route_slots[route.index] : undocumented_slot;
  }

  void register_metrics() {
    unmatched_slot = metrics.unmatched_slot();
    undocumented_slot = metrics.register_route("ANY", "undocumented");
    const auto& routes = router->routes();
    for (std::size_t i = route_slots.size(); i < routes.size(); ++i) {
      const RouteSpec& spec = routes[i]->spec;
      route_slots.push_back(spec.documented ? metrics.register_route(
                                                  std::string(method_name(spec.method)), spec.pattern)
                                            : undocumented_slot);
    }
  }

  void add_session(SessionBase* s, std::weak_ptr<SessionBase> w) {
    std::lock_guard lock(sessions_mu);
    sessions.emplace(s, std::move(w));
  }
  void remove_session(SessionBase* s) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(s);
  }
};

// --- one connection ---------------------------------------------------------

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <class... Args>
  explicit Session(ServerCore& core, Args&&... args)
      : core_(core), stream_(std::forward<Args>(args)...) {
    core_.metrics.open_connections().fetch_add(1, std::memory_order_relaxed);
  }

  ~Session() override {
    core_.remove_session(this);
    core_.metrics.open_connections().fetch_sub(1, std::memory_order_relaxed);
  }

  // Entry point, called once right after accept.
  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->start(); });
  }

  void close_for_stop() override {
    net::post(stream_.get_executor(),
              [self = this->shared_from_this()] { self->lowest().close(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& opts() const { return core_.options; }

  void start() {
    if (core_.stopping.load()) return;
    core_.add_session(this, this->weak_from_this());
    beast::error_code ec;
    auto ep = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_address_ = ep.address().to_string();
    if constexpr (kTls) {
      lowest().expires_after(opts().header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code e) {
                                if (e) return self->lowest().close();
                                self->read_request();
                              });
    } else {
      read_request();
    }
  }

  // Waits for the next request. With nothing buffered, the connection is idle
  // (idle_timeout, or header_timeout before the first request); once a byte
  // is in, the whole header must follow within header_timeout.
  void read_request() {
    if (core_.stopping.load()) return lowest().close();
    if (buffer_.size() > 0) return read_header();
    lowest().expires_after(first_request_ ? opts().header_timeout : opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->lowest().close();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    first_request_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(opts().max_header_bytes, UINT32_MAX)));
    // The limit depends on the route, known only after the header: checked
    // by hand for Content-Length, set on the parser before the body is read.
    // (Not boost::none: Beast 1.74 compares Content-Length > none as true.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    // Fast path: the whole header is usually in the buffer already; parsing
    // it here saves an asynchronous round trip per request.
    if (buffer_.size() > 0) {
      beast::error_code ec;
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec != bhttp::error::need_more) return on_header(ec);
    }
    lowest().expires_after(opts().header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->on_header(ec);
                             });
  }

  void reset_exchange() {
    req_.target.clear();
    req_.path.clear();
    req_.query.clear();
    req_.headers.clear();
    req_.body.clear();
    if (spool_) discard_spool();
    req_.path_params.clear();
    req_.principal.reset();
    req_.request_id.clear();
    res_ = Response();
    route_ = nullptr;
    authenticated_ = false;
    slot_ = core_.unmatched_slot;
    head_ = false;
  }

  void on_header(beast::error_code ec) {
    started_ = Clock::now();
    reset_exchange();
    if (ec) {
      keep_alive_ = false;
      if (ec == bhttp::error::header_limit)
        return send_error(make_error(ErrorCode::headers_too_large,
                                     "the request header exceeds " +
                                         std::to_string(opts().max_header_bytes) + " bytes"));
      // Timeout (socket already closed by the stream), EOF, reset, abort.
      if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
          ec == net::error::eof || ec == net::error::operation_aborted ||
          ec == net::error::connection_reset || ec == net::error::bad_descriptor ||
          ec == net::error::broken_pipe)
        return lowest().close();
      return send_error(make_error(ErrorCode::malformed_request, "the HTTP request is malformed"));
    }

    const auto& h = parser_->get();
    keep_alive_ = h.keep_alive();
    version_ = h.version();
    head_ = h.method() == bhttp::verb::head;
    req_.remote_address = remote_address_;
    req_.tls = kTls;
    for (const auto& f : h) req_.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    const auto rid = h["X-Request-Id"];
    if (sane_request_id(std::string_view(rid.data(), rid.size()))) {
      req_.request_id.assign(rid.data(), rid.size());
    } else {
      generate_request_id(req_.request_id);
    }
    req_.target.assign(h.target().data(), h.target().size());
    const bool body_pending = !parser_->is_done();
    if (!parse_target(req_.target, req_)) {
      keep_alive_ = false;
      return send_error(make_error(ErrorCode::malformed_request, "the request target is invalid"));
    }

    const Router& router = *core_.router;
    const std::optional<Method> method = method_from_verb(h.method());
    Match m;
    if (method) {
      req_.method = *method;
      m = router.match(*method, req_.path, req_.path_params);
      if (!m.route && *method == Method::head) {
        // HEAD is served by the GET route; the body is dropped when sending.
        Match get = router.match(Method::get, req_.path, req_.path_params);
        if (get.route) m = get;
      }
    }
    if (!m.route) {
      if (body_pending) keep_alive_ = false;  // do not read a body we will not use
      std::string allow = allowed_methods(router);
      if (allow.empty())
        return send_error(make_error(ErrorCode::not_found, "no such resource"));
      res_ = Response::error(make_error(
          ErrorCode::method_not_allowed,
          "method " + std::string(h.method_string()) + " is not allowed on this resource"));
      res_.header("Allow", std::move(allow));
      return send_response();
    }
    route_ = m.route;
    slot_ = core_.slot_for(*route_);

    body_limit_ = route_->spec.max_body_bytes ? route_->spec.max_body_bytes : opts().max_body_bytes;
    if (body_pending) {
      const auto length = parser_->content_length();
      if (length && *length > body_limit_) {
        keep_alive_ = false;
        return send_error(payload_too_large());
      }
      if (route_->spec.auth == Auth::required) {
        // Authenticate before accepting an upload, so anonymous clients
        // cannot make us buffer bodies.
        return authenticate_then_read_body();
      }
      return read_body();
    }
    dispatch();
  }

  Status payload_too_large() const {
    return make_error(ErrorCode::payload_too_large,
                      "the request body exceeds " + std::to_string(body_limit_) + " bytes",
                      {{"limit", body_limit_}});
  }

  // "GET, HEAD, POST" for the path, or "" when no route has it (→ 404).
  std::string allowed_methods(const Router& router) const {
    static constexpr Method kAll[] = {Method::get,   Method::head, Method::post,   Method::put,
                                      Method::patch, Method::del,  Method::options};
    std::unordered_map<std::string, std::string> scratch;
    bool has_get = false;
    bool has_head = false;
    std::string allow;
    for (Method m : kAll) {
      const Route* route = router.match(m, req_.path, scratch).route;
      // The portal's undocumented GET fallback does not make every path 405.
      if (!route || !route->spec.documented) continue;
      if (m == Method::get) has_get = true;
      if (m == Method::head) has_head = true;
      if (!allow.empty()) allow += ", ";
      allow += method_name(m);
    }
    if (has_get && !has_head) allow += ", HEAD";
    return allow;
  }

  void authenticate_then_read_body() {
    if (route_->spec.run_inline) {
      if (authenticate()) return read_body();
      return send_response();
    }
    net::post(*core_.pool, [self = this->shared_from_this()] {
      const bool ok = self->authenticate();
      net::post(self->stream_.get_executor(), [self, ok] {
        if (self->core_.stopping.load()) return self->lowest().close();
        if (ok) {
          self->read_body();
        } else {
          self->send_response();
        }
      });
    });
  }

  // Runs the Authenticator (any thread). On failure fills res_ with the
  // error and returns false. Never throws.
  bool authenticate() {
    authenticated_ = true;
    Status failure;
    try {
      if (!core_.authenticator) {
        failure = make_error(ErrorCode::unauthenticated, "authentication is not configured");
      } else {
        Result<access::Principal> who = core_.authenticator(req_);
        if (who) {
          req_.principal = std::move(who).value();
          return true;
        }
        failure = who.status();
      }
    } catch (const std::exception& e) {
      log::error("http.authenticator_exception", {{"route", route_->spec.pattern}, {"what", e.what()}});
      failure = make_error(ErrorCode::internal, "internal error");
    } catch (...) {
      failure = make_error(ErrorCode::internal, "internal error");
    }
    res_ = Response::error(failure);
    if (failure.http_status() == 401) res_.header("WWW-Authenticate", "Bearer");
    keep_alive_ = keep_alive_ && parser_->is_done();  // unread body: close
    return false;
  }

  void read_body() {
    parser_->body_limit(body_limit_);
    const auto expect = parser_->get()[bhttp::field::expect];
    const bool expect_continue =
        iequals(std::string_view(expect.data(), expect.size()), "100-continue");
    if (route_->spec.spool_body && !start_spool()) return;
    if (expect_continue) {
      // Clients such as curl wait (about a second) for this before
      // sending large bodies.
      lowest().expires_after(opts().body_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->lowest().close();
                         self->read_body_now();
                       });
      return;
    }
    read_body_now();
  }

  void read_body_now() {
    lowest().expires_after(opts().body_timeout);
    if (spool_) return spool_read();
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->on_body(ec);
                      });
  }

  void on_body(beast::error_code ec) {
    if (ec) {
      keep_alive_ = false;
      if (ec == bhttp::error::body_limit) return send_error(payload_too_large());
      if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
          ec == net::error::eof || ec == net::error::operation_aborted ||
          ec == net::error::connection_reset)
        return lowest().close();
      return send_error(make_error(ErrorCode::malformed_request, "the request body is malformed"));
    }
    req_.body = std::move(parser_->get().body());
    dispatch();
  }

  // --- spooled bodies -----------------------------------------------------------
  //
  // Routes with spool_body: after the header (and authentication), the
  // header parser is converted into a buffer_body parser that hands the body
  // over in kSpoolBlockBytes pieces, each written to a temporary file on the
  // I/O thread (like file responses are read there). The body limit, the
  // body timeout (for the whole body) and 100-continue work as for memory
  // bodies; the file is deleted when the exchange ends, however it ends.

  // Creates the file and switches parsers; on failure sends the error.
  bool start_spool() {
    spool_.emplace();
    std::string error;
    const std::filesystem::path& dir = opts().spool_dir;
    const auto declared = parser_->content_length();
    const bool in_memory = declared && *declared <= opts().memory_spool_max_bytes &&
                           spool_->create_in_memory(*declared, core_.memory_spool_left);
    if (!in_memory && !spool_->create(dir, error)) {
      spool_.reset();
      log::error("http.spool_create_failed", {{"route", route_->spec.pattern},
                                             {"dir", dir.string()}, {"error", error}});
      keep_alive_ = false;  // the body is not read
      send_error(make_error(ErrorCode::io_error, "cannot store the request body"));
      return false;
    }
    spool_parser_.emplace(std::move(*parser_));
    spool_parser_->body_limit(body_limit_);
    // Parse as much of what has arrived as fits the block (not one piece
    // per read, which would be one round trip per chunk header).
    spool_parser_->eager(true);
    if (!spool_buf_) spool_buf_ = std::make_unique<char[]>(kSpoolBlockBytes);
    return true;
  }

  void spool_read() {
    auto& body = spool_parser_->get().body();
    body.data = spool_buf_.get();
    body.size = kSpoolBlockBytes;
    body.more = true;
    bhttp::async_read_some(stream_, buffer_, *spool_parser_,
                           [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_spool_read(ec);
                           });
  }

  void on_spool_read(beast::error_code ec) {
    if (ec == bhttp::error::need_buffer) ec = {};
    const std::size_t got = kSpoolBlockBytes - spool_parser_->get().body().size;
    if (ec) {
      discard_spool();
      return on_body(ec);
    }
    std::string error;
    if (got > 0 && !spool_->write(spool_buf_.get(), got, error)) {
      log::error("http.spool_write_failed", {{"route", route_->spec.pattern}, {"error", error}});
      discard_spool();
      keep_alive_ = false;
      return send_error(make_error(ErrorCode::io_error, "cannot store the request body"));
    }
    if (core_.stopping.load()) {
      discard_spool();
      return lowest().close();
    }
    if (!spool_parser_->is_done()) return spool_read();
    if (!spool_->finish(error)) {
      log::error("http.spool_write_failed", {{"route", route_->spec.pattern}, {"error", error}});
      discard_spool();
      keep_alive_ = false;
      return send_error(make_error(ErrorCode::io_error, "cannot store the request body"));
    }
    spool_parser_.reset();
    req_.body_size = spool_->size();
    if (req_.body_size > 0) req_.body_file = spool_->path();
    dispatch();
  }

  // Deletes the spooled body (if any) and forgets it.
  void discard_spool() {
    spool_parser_.reset();
    spool_.reset();
    req_.body_file.clear();
    req_.body_size = 0;
  }

  void dispatch() {
    if (route_->spec.run_inline) {
      run_handler();
      return send_response();
    }
    net::post(*core_.pool, [self = this->shared_from_this()] {
      self->run_handler();
      net::post(self->stream_.get_executor(), [self] {
        if (self->core_.stopping.load()) return self->lowest().close();
        self->send_response();
      });
    });
  }

  // Runs on the I/O strand (inline routes) or a pool thread; fills res_.
  void run_handler() {
    if (route_->spec.auth == Auth::required && !authenticated_ && !authenticate()) return;
    try {
      res_ = route_->handler(req_);
    } catch (const std::exception& e) {
      log::error("http.handler_exception", {{"route", route_->spec.pattern}, {"what", e.what()}});
      res_ = Response::error(make_error(ErrorCode::internal, "internal error"));
    } catch (...) {
      log::error("http.handler_exception", {{"route", route_->spec.pattern}, {"what", "unknown"}});
      res_ = Response::error(make_error(ErrorCode::internal, "internal error"));
    }
  }

  void send_error(const Status& status) {
    res_ = Response::error(status);
    send_response();
  }

  // --- writing ----------------------------------------------------------------
  //
  // The response header is serialised by hand into a reused string (no
  // Beast message, no per-field allocations), then wire_head_ + body_ + tail_
  // are written with a gather write. The write timeout is per step, so a
  // large download to a slow but live client is not cut off, a stalled one is.

  enum class AfterWrite { response_done, next_chunk, next_file_block };

  // Appends "Name: value\r\n" (callers check safe_header for handler values).
  static void append_header(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }

  static bool safe_header(std::string_view name, std::string_view value) {
    if (name.empty()) return false;
    for (char c : name)
      if (c <= ' ' || c == ':' || c == 0x7f) return false;
    for (char c : value)
      if (c == '\r' || c == '\n' || c == '\0') return false;
    return true;
  }

  // Fills wire_head_ with the status line and headers. `length`: Content-Length
  // to announce (none for chunked or body-less statuses).
  void serialize_head(std::optional<std::uint64_t> length, bool chunked, bool has_body) {
    std::string& h = wire_head_;
    h.clear();
    h += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    char num[24];
    auto [end, ec] = std::to_chars(num, num + sizeof num, res_.status);
    h.append(num, end);
    h += ' ';
    const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(res_.status)));
    if (!reason.empty() && reason.front() != '<') h.append(reason.data(), reason.size());
    h += "\r\n";

    bool has_cache_control = false;
    bool has_content_type = false;
    for (const auto& [name, value] : res_.headers) {
      if (is_hop_by_hop(name) || iequals(name, "Server") || iequals(name, "X-Request-Id") ||
          iequals(name, "Date"))
        continue;
      if (!safe_header(name, value)) {
        // A CR/LF here would let response content forge headers.
        log::warn("http.unsafe_response_header", {{"route", route_ ? route_->spec.pattern : ""}});
        continue;
      }
      if (iequals(name, "Cache-Control")) has_cache_control = true;
      if (iequals(name, "Content-Type")) has_content_type = true;
      append_header(h, name, value);
    }
    append_header(h, "Server", "medai");
    append_header(h, "Date", http_date());
    append_header(h, "X-Request-Id", req_.request_id);
    if (res_.headers.find(std::string_view("X-Content-Type-Options")) == res_.headers.end())
      append_header(h, "X-Content-Type-Options", "nosniff");
    if (res_.headers.find(std::string_view("Referrer-Policy")) == res_.headers.end())
      append_header(h, "Referrer-Policy", "no-referrer");
    // API answers may carry patient data: no caching unless the handler
    // opts in (e.g. hashed static assets).
    if (!has_cache_control) append_header(h, "Cache-Control", "no-store");
    if (has_body && !has_content_type) append_header(h, "Content-Type", "application/octet-stream");
    if (length) {
      end = std::to_chars(num, num + sizeof num, *length).ptr;
      append_header(h, "Content-Length", std::string_view(num, static_cast<std::size_t>(end - num)));
    }
    if (chunked) append_header(h, "Transfer-Encoding", "chunked");
    if (version_ >= 11) {
      if (!keep_alive_) append_header(h, "Connection", "close");
    } else if (keep_alive_) {
      append_header(h, "Connection", "keep-alive");
    }
    h += "\r\n";
  }

  // IMF-fixdate, formatted once per second per thread.
  static std::string_view http_date() {
    thread_local std::time_t cached_second = 0;
    thread_local char cached[40] = {0};
    thread_local std::size_t cached_len = 0;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
      std::tm tm{};
      gmtime_r(&now, &tm);
      cached_len = std::strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      cached_second = now;
    }
    return std::string_view(cached, cached_len);
  }

  void send_response() {
    if (res_.status < 100 || res_.status > 599) {
      log::error("http.bad_status", {{"status", res_.status}});
      res_ = Response::error(make_error(ErrorCode::internal, "internal error"));
    }
    if (core_.stopping.load()) keep_alive_ = false;
    const bool forbids_body = status_forbids_body(res_.status);
    const bool no_body = head_ || forbids_body;

    if (res_.chunks && !no_body) return start_chunks();

    if (res_.file && !forbids_body) {
      beast::error_code ec;
      file_.open(res_.file->c_str(), beast::file_mode::scan, ec);
      std::uint64_t size = 0;
      if (!ec) size = file_.size(ec);
      if (ec) {
        file_.close(ec);
        res_.file.reset();
        res_ = Response::error(make_error(ErrorCode::not_found, "no such resource"));
        return send_response();
      }
      serialize_head(size, false, true);
      if (head_) {
        file_.close(ec);
        return write_out({}, {}, AfterWrite::response_done);
      }
      file_left_ = size;
      return next_file_block();
    }

    std::optional<std::uint64_t> length;
    if (!forbids_body && !(head_ && res_.chunks)) length = res_.body.size();
    serialize_head(length, false, !res_.body.empty() || (head_ && res_.chunks));
    if (no_body) return write_out({}, {}, AfterWrite::response_done);
    write_out(res_.body, {}, AfterWrite::response_done);
  }

  // Writes wire_head_, then `body`, then `tail` (views must stay valid until
  // the write completes), then continues with `after`.
  void write_out(std::string_view body, std::string_view tail, AfterWrite after) {
    body_ = body;
    tail_ = tail;
    written_ = 0;
    after_ = after;
    write_step();
  }

  void write_step() {
    std::array<net::const_buffer, 3> parts;
    std::size_t count = 0;
    std::size_t skip = written_;
    for (std::string_view piece : {std::string_view(wire_head_), body_, tail_}) {
      if (skip >= piece.size()) {
        skip -= piece.size();
        continue;
      }
      parts[count++] = net::buffer(piece.data() + skip, piece.size() - skip);
      skip = 0;
    }
    if (count == 0) return after_write();
    lowest().expires_after(opts().idle_timeout);
    stream_.async_write_some(
        parts, [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          if (ec) return self->lowest().close();
          self->written_ += n;
          self->write_step();
        });
  }

  void after_write() {
    wire_head_.clear();
    switch (after_) {
      case AfterWrite::response_done: return on_response_sent();
      case AfterWrite::next_chunk: return next_chunk();
      case AfterWrite::next_file_block: return next_file_block();
    }
  }

  // --- file bodies --------------------------------------------------------------

  // Reads the next block on the I/O thread (like Beast's file_body).
  void next_file_block() {
    if (file_left_ == 0) {
      beast::error_code ec;
      file_.close(ec);
      return on_response_sent();
    }
    if (!file_buf_) file_buf_ = std::make_unique<char[]>(kFileBlockBytes);
    beast::error_code ec;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(file_left_, kFileBlockBytes));
    const std::size_t got = file_.read(file_buf_.get(), want, ec);
    if (ec || got == 0) {
      // Truncated under us: the announced length can no longer be met.
      log::warn("http.file_read_failed", {{"error", ec ? ec.message() : "unexpected end of file"}});
      file_.close(ec);
      return lowest().close();
    }
    file_left_ -= got;
    write_out(std::string_view(file_buf_.get(), got), {}, AfterWrite::next_file_block);
  }

  // --- chunked responses ------------------------------------------------------

  void start_chunks() {
    chunks_ = std::move(res_.chunks);
    res_.chunks = nullptr;
    chunk_failed_ = false;
    chunk_framing_ = version_ >= 11;
    // HTTP/1.0 has no chunking: the end of the body is the end of the connection.
    if (!chunk_framing_) keep_alive_ = false;
    serialize_head(std::nullopt, chunk_framing_, true);
    write_out({}, {}, AfterWrite::next_chunk);
  }

  // Calls the source where the handler ran: inline sources must not block;
  // pool sources may (e.g. Server-Sent Events waiting for the next event).
  void next_chunk() {
    if (core_.stopping.load()) return lowest().close();
    if (route_ && !route_->spec.run_inline) {
      net::post(*core_.pool, [self = this->shared_from_this()] {
        self->produce_chunk();
        net::post(self->stream_.get_executor(), [self] { self->write_chunk(); });
      });
      return;
    }
    produce_chunk();
    write_chunk();
  }

  void produce_chunk() {
    chunk_buf_.clear();
    try {
      chunk_more_ = chunks_(chunk_buf_);
    } catch (const std::exception& e) {
      log::error("http.chunk_source_exception",
                 {{"route", route_ ? route_->spec.pattern : std::string()}, {"what", e.what()}});
      chunk_failed_ = true;
    } catch (...) {
      chunk_failed_ = true;
    }
  }

  void write_chunk() {
    // A failed stream ends without the terminating chunk, so the client can
    // tell it is truncated.
    if (chunk_failed_ || core_.stopping.load()) return lowest().close();
    if (!chunk_more_) chunks_ = nullptr;
    const AfterWrite after = chunk_more_ ? AfterWrite::next_chunk : AfterWrite::response_done;
    if (chunk_buf_.empty() && chunk_more_) {
      // Nothing produced yet: ask again, via the queue so that a source
      // that keeps returning nothing cannot grow the stack.
      return net::post(stream_.get_executor(),
                       [self = this->shared_from_this()] { self->next_chunk(); });
    }
    if (!chunk_framing_) {
      if (chunk_buf_.empty()) return on_response_sent();
      return write_out(chunk_buf_, {}, after);
    }
    if (chunk_buf_.empty()) {
      // Finished with nothing left: only the terminating chunk.
      wire_head_.clear();
      return write_out({}, "0\r\n\r\n", AfterWrite::response_done);
    }
    char num[20];
    auto end = std::to_chars(num, num + sizeof num, chunk_buf_.size(), 16).ptr;
    wire_head_.assign(num, end);
    wire_head_ += "\r\n";
    // The last piece carries the terminating chunk in the same write.
    write_out(chunk_buf_, chunk_more_ ? std::string_view("\r\n") : std::string_view("\r\n0\r\n\r\n"),
              after);
  }

  // --- after the response -----------------------------------------------------

  void on_response_sent() {
    if (spool_) discard_spool();  // the handler is done with the file
    core_.metrics.observe(slot_, res_.status, seconds_since(started_));
    if (keep_alive_ && !core_.stopping.load()) return read_request();
    graceful_close();
  }

  void graceful_close() {
    if constexpr (kTls) {
      lowest().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      if (ec) return lowest().close();
      lingered_ = 0;
      lowest().expires_after(kLingerTimeout);
      linger();
    }
  }

  void linger() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerMaxBytes)
                                return self->lowest().close();
                              self->linger();
                            });
  }

  ServerCore& core_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  bool first_request_ = true;

  // The exchange in progress (one at a time per connection).
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // Spooled bodies (spool_body routes only): parser converted from parser_
  // after the header, the file, and the read buffer (allocated once).
  std::optional<bhttp::request_parser<bhttp::buffer_body>> spool_parser_;
  std::optional<SpoolFile> spool_;
  std::unique_ptr<char[]> spool_buf_;
  Request req_;
  Response res_;
  const Route* route_ = nullptr;
  std::size_t slot_ = 0;
  std::size_t body_limit_ = 0;
  bool authenticated_ = false;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
  Clock::time_point started_;

  // Write side.
  std::string wire_head_;  // serialised status line + headers (capacity reused)
  std::string_view body_;
  std::string_view tail_;
  std::size_t written_ = 0;
  AfterWrite after_ = AfterWrite::response_done;
  beast::file file_;
  std::uint64_t file_left_ = 0;
  std::unique_ptr<char[]> file_buf_;  // allocated on the first file response

  ChunkSource chunks_;
  std::string chunk_buf_;
  bool chunk_more_ = false;
  bool chunk_failed_ = false;
  bool chunk_framing_ = true;
  std::size_t lingered_ = 0;
};

void do_accept(ServerCore& core);

void on_accept(ServerCore& core, beast::error_code ec, tcp::socket socket) {
  if (core.stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // E.g. EMFILE: back off briefly instead of spinning on the error.
    log::warn("http.accept_failed", {{"error", ec.message()}});
    core.accept_retry->expires_after(std::chrono::milliseconds(50));
    core.accept_retry->async_wait([&core](beast::error_code e) {
      if (!e && !core.stopping.load()) do_accept(core);
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (core.tls) {
    std::make_shared<Session<TlsStream>>(core, std::move(socket), *core.tls)->run();
  } else {
    std::make_shared<Session<PlainStream>>(core, std::move(socket))->run();
  }
  do_accept(core);
}

void do_accept(ServerCore& core) {
  core.acceptor->async_accept(net::make_strand(core.ioc),
                              [&core](beast::error_code ec, tcp::socket socket) {
                                on_accept(core, ec, std::move(socket));
                              });
}

Status make_tls_context(const ServerOptions& o, std::optional<ssl::context>& out) {
  if (o.tls_cert.empty() && o.tls_key.empty()) return Status::ok();
  if (o.tls_cert.empty() || o.tls_key.empty())
    return make_error(ErrorCode::config_error, "TLS needs both a certificate and a key");
  out.emplace(ssl::context::tls_server);
  out->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(out->native_handle(), TLS1_2_VERSION);
  beast::error_code ec;
  out->use_certificate_chain_file(o.tls_cert.string(), ec);
  if (ec) {
    out.reset();
    return make_error(ErrorCode::config_error, "cannot load the TLS certificate: " + ec.message(),
                      {{"path", o.tls_cert.string()}});
  }
  out->use_private_key_file(o.tls_key.string(), ssl::context::pem, ec);
  if (ec) {
    out.reset();
    return make_error(ErrorCode::config_error, "cannot load the TLS private key: " + ec.message(),
                      {{"path", o.tls_key.string()}});
  }
  return Status::ok();
}

}  // namespace

std::filesystem::path ServerOptions::default_spool_dir() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec || dir.empty()) return "/tmp";
  return dir;
}

struct Server::Impl : ServerCore {
  using ServerCore::ServerCore;
};

Server::Server(ServerOptions options, std::shared_ptr<const Router> router,
               Authenticator authenticator)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router),
                                   std::move(authenticator))) {
  if (!impl_->router) impl_->router = std::make_shared<const Router>();
  impl_->register_metrics();
}

Server::~Server() { stop(); }

Status Server::start() {
  Impl& core = *impl_;
  std::lock_guard lock(core.lifecycle_mu);
  if (core.started || core.stopped)
    return make_error(ErrorCode::internal, "the server can only be started once");
  const ServerOptions& o = core.options;

  // Routes added to the router after construction still get their series.
  core.register_metrics();
  MEDAI_RETURN_IF_ERROR(make_tls_context(o, core.tls));

  beast::error_code ec;
  tcp::resolver resolver(core.ioc);
  auto endpoints = resolver.resolve(o.host, std::to_string(o.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    return make_error(ErrorCode::config_error, "cannot resolve the listen address",
                      {{"host", o.host}, {"error", ec.message()}});
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();

  core.acceptor.emplace(net::make_strand(core.ioc));
  auto fail = [&](const char* what) {
    Status s = make_error(ErrorCode::unavailable,
                          std::string("cannot listen on ") + o.host + ":" + std::to_string(o.port),
                          {{"step", what}, {"error", ec.message()}});
    core.acceptor.reset();
    return s;
  };
  core.acceptor->open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  core.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("reuse_address");
  core.acceptor->bind(endpoint, ec);
  if (ec) return fail("bind");
  core.acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  core.bound_port = core.acceptor->local_endpoint(ec).port();
  core.accept_retry.emplace(core.acceptor->get_executor());

  core.pool = std::make_unique<net::thread_pool>(std::max(1, o.handler_threads));
  core.work.emplace(core.ioc.get_executor());
  const int n = std::max(1, o.io_threads);
  core.running_io_threads = n;
  for (int i = 0; i < n; ++i) {
    core.io_threads.emplace_back([&core] {
      for (;;) {
        try {
          core.ioc.run();
          break;
        } catch (const std::exception& e) {
          // Handlers catch their own exceptions; this is a last resort.
          log::error("http.io_thread_exception", {{"what", e.what()}});
        }
      }
      std::lock_guard l(core.threads_mu);
      --core.running_io_threads;
      core.threads_cv.notify_all();
    });
  }
  net::post(core.acceptor->get_executor(), [&core] { do_accept(core); });
  core.started = true;
  return Status::ok();
}

std::uint16_t Server::port() const { return impl_->bound_port; }

Metrics& Server::metrics() { return impl_->metrics; }

void Server::stop() {
  Impl& core = *impl_;
  std::lock_guard lock(core.lifecycle_mu);
  if (core.stopped) return;
  core.stopped = true;
  if (!core.started) return;
  core.stopping.store(true);

  // 1. Stop accepting (on the acceptor's strand: it is not thread-safe).
  net::post(core.acceptor->get_executor(), [&core] {
    beast::error_code ec;
    core.acceptor->close(ec);
    core.accept_retry->cancel();
  });

  // 2. Close every open connection on its own strand.
  std::vector<std::shared_ptr<SessionBase>> open;
  {
    std::lock_guard l(core.sessions_mu);
    for (auto& [ptr, weak] : core.sessions)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->close_for_stop();
  open.clear();

  // 3. Handlers already running finish; queued ones are dropped (their
  // connection is gone, and running them would cause side effects nobody
  // can observe).
  core.pool->stop();
  core.pool->join();

  // 4. Let the I/O threads drain the aborted operations; force them after a
  // grace period (e.g. a TLS peer that never answers close_notify).
  core.work.reset();
  {
    std::unique_lock l(core.threads_mu);
    if (!core.threads_cv.wait_for(l, kDrainTimeout, [&] { return core.running_io_threads == 0; }))
      core.ioc.stop();
  }
  for (auto& t : core.io_threads) t.join();
  core.io_threads.clear();
}

}  // namespace medai::http
