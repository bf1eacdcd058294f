#include "dimse/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dicom.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "dimse/dcmtk_support.h"
#include "dimse/session.h"

namespace medai::dimse {

DimseServerOptions server_options_from(const DicomConfig& config, const std::filesystem::path& temp_dir) {
  DimseServerOptions o;
  o.host = config.host;
  o.port = static_cast<std::uint16_t>(config.port);
  o.ae_title = config.ae_title;
  o.max_associations = static_cast<int>(config.max_associations);
  o.max_pdu_bytes = static_cast<std::uint32_t>(config.max_pdu_bytes);
  o.acse_timeout_s = static_cast<int>(config.acse_timeout_s);
  o.dimse_timeout_s = static_cast<int>(config.dimse_timeout_s);
  o.temp_dir = temp_dir;
  return o;
}

// Only one connection at a time may hand its socket to DCMTK: the hand-over
// goes through a process-wide DCMTK setting (dcmExternalSocketHandle).
std::mutex& handover_mutex() {
  static std::mutex m;
  return m;
}

namespace {
// Waits until the connection's whole first PDU is buffered (peeked, not
// read), so that DCMTK's blocking read of the A-ASSOCIATE-RQ cannot stall:
// a slow or silent peer only ever holds its own thread. False: closed,
// timed out, stopping, or not an A-ASSOCIATE-RQ at all.
bool wait_for_associate_rq(int fd, int timeout_s, const std::atomic<bool>& stopping) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::vector<unsigned char> buf(64 * 1024);
  while (!stopping.load() && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 200);
    if (ready < 0 && errno != EINTR) return false;
    if (ready <= 0) continue;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;  // closed
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    if (n >= 1 && buf[0] != 0x01) return false;  // not an A-ASSOCIATE-RQ
    if (n >= 6) {
      const std::uint64_t length = (std::uint64_t{buf[2]} << 24) | (buf[3] << 16) | (buf[4] << 8) | buf[5];
      if (length > dcmAssociatePDUSizeLimit.get()) return false;
      const std::uint64_t want = std::min<std::uint64_t>(6 + length, buf.size());
      if (static_cast<std::uint64_t>(n) >= want) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // partial PDU: wait for the rest
  }
  return false;
}
}  // namespace

struct DimseServer::Impl {
  DimseServerOptions options;
  DimseHandler* handler = nullptr;
  int listen_fd = -1;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};       // associations being served
  std::atomic<std::uint64_t> received{0};  // association requests read since start (served or rejected)
  std::atomic<int> connections{0};  // connection threads, incl. those still negotiating
  std::thread listener;
  std::mutex sessions_mutex;
  struct Session {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<Session> sessions;
  std::once_flag stopped;

  void reap_finished() {
    std::lock_guard lock(sessions_mutex);
    for (auto it = sessions.begin(); it != sessions.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = sessions.erase(it);
      } else {
        ++it;
      }
    }
  }

  void reject_busy(T_ASC_Association* assoc) {
    T_ASC_RejectParameters rej = {ASC_RESULT_REJECTEDTRANSIENT, ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                                  ASC_REASON_SP_PRES_LOCALLIMITEXCEEDED};
    ASC_rejectAssociation(assoc, &rej);
    log::warn("dimse.association_rejected", {{"reason", "max_associations"}, {"limit", options.max_associations}});
  }

  // One accepted TCP connection, on its own thread.
  void serve_connection(int fd) {
    if (!wait_for_associate_rq(fd, options.acse_timeout_s, stopping)) {
      ::close(fd);
      return;
    }
    T_ASC_Network* net = nullptr;
    T_ASC_Association* assoc = nullptr;
    OFCondition cond;
    {
      std::lock_guard lock(handover_mutex());
      dcmExternalSocketHandle.set(fd);
      cond = ASC_initializeNetwork(NET_ACCEPTOR, 0, options.acse_timeout_s, &net);
      if (cond.good())
        cond = ASC_receiveAssociation(net, &assoc, options.max_pdu_bytes, nullptr, nullptr, OFFalse, DUL_NOBLOCK,
                                      options.acse_timeout_s);
      dcmExternalSocketHandle.set(-1);
    }
    if (!net) {
      ::close(fd);
      return;
    }
    if (cond.bad()) {
      log::info("dimse.association_refused", {{"reason", condition_text(cond)}});
      if (assoc) {
        ASC_dropAssociation(assoc);
        ASC_destroyAssociation(&assoc);
      } else {
        ::close(fd);
      }
    } else {
      received.fetch_add(1, std::memory_order_relaxed);
      disable_nagle(assoc);
      if (active.fetch_add(1) >= options.max_associations) {
        active.fetch_sub(1);
        reject_busy(assoc);
        ASC_dropAssociation(assoc);
        ASC_destroyAssociation(&assoc);
      } else {
        serve_association(assoc, options, *handler, stopping);  // destroys assoc
        active.fetch_sub(1);
      }
    }
    ASC_dropNetwork(&net);
  }

  void listen_loop() {
    // Connections still negotiating count too, so silent peers cannot make
    // us start unbounded threads.
    const int max_connections = options.max_associations * 2 + 8;
    while (!stopping.load()) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 250) <= 0) {
        reap_finished();
        continue;
      }
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      reap_finished();
      if (fd < 0) continue;
      if (connections.load() >= max_connections) {
        log::warn("dimse.connection_dropped", {{"reason", "too_many_connections"}, {"limit", max_connections}});
        ::close(fd);
        continue;
      }
      connections.fetch_add(1);
      auto done = std::make_shared<std::atomic<bool>>(false);
      std::lock_guard lock(sessions_mutex);
      sessions.push_back({std::thread([this, fd, done] {
                            serve_connection(fd);
                            connections.fetch_sub(1);
                            done->store(true);
                          }),
                          done});
    }
  }

  void stop() {
    std::call_once(stopped, [this] {
      stopping.store(true);
      if (listener.joinable()) listener.join();
      std::list<Session> remaining;
      {
        std::lock_guard lock(sessions_mutex);
        remaining.swap(sessions);
      }
      for (auto& s : remaining) s.thread.join();
      if (listen_fd >= 0) ::close(listen_fd);
      listen_fd = -1;
    });
  }
};

namespace {
Result<int> bind_listener(const std::string& host, std::uint16_t port, std::uint16_t* bound_port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;  // DCMTK 3.6.7's accept path handles IPv4 peers
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0 || !found)
    return make_error(ErrorCode::config_error, "dicom.host is not an IPv4 address or resolvable name",
                      {{"host", host}});
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return make_error(ErrorCode::io_error, "cannot create a socket");
  }
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
    int err = errno;
    ::freeaddrinfo(found);
    ::close(fd);
    return make_error(ErrorCode::io_error, "cannot listen on the DICOM port: " + std::string(std::strerror(err)),
                      {{"host", host}, {"port", port}});
  }
  ::freeaddrinfo(found);
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.sin_port);
  return fd;
}
}  // namespace

Result<std::unique_ptr<DimseServer>> DimseServer::start(const DimseServerOptions& options, DimseHandler& handler) {
  MEDAI_RETURN_IF_ERROR(ensure_dcmtk_ready());
  std::error_code ec;
  std::filesystem::create_directories(options.temp_dir, ec);
  if (ec || options.temp_dir.empty())
    return make_error(ErrorCode::io_error, "cannot create the DIMSE temp folder", {{"path", options.temp_dir.string()}});

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = &handler;
  MEDAI_ASSIGN_OR_RETURN(int fd, bind_listener(options.host, options.port, &impl->port));

  // DCMTK 3.6.7 can only bind its own listening socket to INADDR_ANY and
  // cannot report the port it got, and it reads the A-ASSOCIATE-RQ on the
  // accepting thread. So we listen and accept ourselves (host binding, port
  // 0) and give each connection to DCMTK on its own thread.
  impl->listen_fd = fd;

  Impl* raw = impl.get();
  impl->listener = std::thread([raw] { raw->listen_loop(); });
  log::info("dimse.listening", {{"host", options.host}, {"port", impl->port}, {"ae_title", options.ae_title},
                                {"max_associations", options.max_associations}});
  return std::unique_ptr<DimseServer>(new DimseServer(std::move(impl)));
}

DimseServer::DimseServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DimseServer::~DimseServer() { stop(); }
std::uint16_t DimseServer::port() const { return impl_->port; }
int DimseServer::active_associations() const { return impl_->active.load(); }
std::uint64_t DimseServer::associations_received() const { return impl_->received.load(std::memory_order_relaxed); }
void DimseServer::stop() {
  if (impl_) impl_->stop();
}

}  // namespace medai::dimse
