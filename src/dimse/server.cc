#include "dimse/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dicom.h>
#include <dcmtk/dcmnet/dulstruc.h>

#include <atomic>
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

struct DimseServer::Impl {
  DimseServerOptions options;
  DimseHandler* handler = nullptr;
  T_ASC_Network* net = nullptr;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};
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
    ASC_dropAssociation(assoc);
    ASC_destroyAssociation(&assoc);
    log::warn("dimse.association_rejected", {{"reason", "max_associations"}, {"limit", options.max_associations}});
  }

  void listen_loop() {
    while (!stopping.load()) {
      T_ASC_Association* assoc = nullptr;
      // Waits at most 1 s for a connection so stop() is noticed; once a
      // connection is accepted DCMTK reads its A-ASSOCIATE-RQ (bounded by
      // the ACSE timeout; garbage is refused by the DUL state machine).
      OFCondition cond = ASC_receiveAssociation(net, &assoc, options.max_pdu_bytes, nullptr, nullptr, OFFalse,
                                                DUL_NOBLOCK, 1);
      reap_finished();
      if (cond == DUL_NOASSOCIATIONREQUEST) {
        if (assoc) ASC_destroyAssociation(&assoc);
        continue;
      }
      if (cond.bad()) {
        log::info("dimse.association_refused", {{"reason", condition_text(cond)}});
        if (assoc) {
          ASC_dropAssociation(assoc);
          ASC_destroyAssociation(&assoc);
        }
        continue;
      }
      disable_nagle(assoc);
      if (active.load() >= options.max_associations) {
        reject_busy(assoc);
        continue;
      }
      active.fetch_add(1);
      auto done = std::make_shared<std::atomic<bool>>(false);
      std::lock_guard lock(sessions_mutex);
      sessions.push_back({std::thread([this, assoc, done] {
                            serve_association(assoc, options, *handler, stopping);
                            active.fetch_sub(1);
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
      if (net) ASC_dropNetwork(&net);  // closes the listening socket
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
  // cannot report the port it got. We create the socket ourselves (host
  // binding, port 0) and hand it to DUL as the network's listen socket; DUL
  // then accepts on it and closes it in ASC_dropNetwork.
  OFCondition cond = ASC_initializeNetwork(NET_REQUESTOR, 0, options.acse_timeout_s, &impl->net);
  if (cond.bad()) {
    ::close(fd);
    return make_error(ErrorCode::internal, "cannot initialise the DICOM network: " + condition_text(cond));
  }
  auto* key = reinterpret_cast<PRIVATE_NETWORKKEY*>(impl->net->network);
  key->applicationFunction |= DICOM_APPLICATION_ACCEPTOR;
  key->networkSpecific.TCP.listenSocket = fd;
  key->networkSpecific.TCP.port = impl->port;

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
void DimseServer::stop() {
  if (impl_) impl_->stop();
}

}  // namespace medai::dimse
