#include "dimse/echo_check.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace medai::dimse {
namespace {

struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

// One TCP connect with a deadline: "" when it connected, else the report code.
std::string try_connect(const RemoteNode& node, int timeout_s, std::string& message) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const std::string port = std::to_string(node.port);
  const int gai = ::getaddrinfo(node.host.c_str(), port.c_str(), &hints, &raw);
  if (gai != 0 || raw == nullptr) {
    message = "the host name does not resolve: " + std::string(gai_strerror(gai));
    return "host_not_found";
  }
  std::unique_ptr<addrinfo, AddrInfoDeleter> list(raw);
  std::string code = "network_error";
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (rc != 0 && err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      const int ready = ::poll(&p, 1, timeout_s * 1000);
      if (ready == 0) {
        err = ETIMEDOUT;
      } else {
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    ::close(fd);
    if (err == 0) return "";
    if (err == ECONNREFUSED) {
      code = "connection_refused";
      message = "nothing listens on " + node.host + ":" + port + " (connection refused)";
    } else if (err == ETIMEDOUT) {
      code = "timeout";
      message = "no answer from " + node.host + ":" + port + " within " + std::to_string(timeout_s) + " s";
    } else if (code != "connection_refused" && code != "timeout") {
      message = "cannot connect to " + node.host + ":" + port + ": " + std::strerror(err);
    }
  }
  return code;
}

}  // namespace

nlohmann::json to_json(const EchoReport& r) {
  nlohmann::json j = {{"success", r.success}, {"code", r.code}, {"message", r.message}, {"elapsed_ms", r.elapsed_ms}};
  j["dimse_status"] = r.dimse_status ? nlohmann::json(*r.dimse_status) : nlohmann::json(nullptr);
  if (!r.detail.empty()) j["detail"] = r.detail;
  return j;
}

EchoReport check_echo(const RemoteNode& node, const EchoCheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EchoReport report;
  auto finish = [&]() -> EchoReport {
    report.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
                            .count();
    return report;
  };
  std::string message;
  if (std::string code = try_connect(node, options.connect_timeout_s, message); !code.empty()) {
    report.code = code;
    report.message = message;
    return finish();
  }
  ScuOptions scu;
  scu.calling_ae = options.calling_ae;
  scu.acse_timeout_s = options.timeout_s;
  scu.dimse_timeout_s = options.timeout_s;
  Status s = echo(node, scu);
  if (s) {
    report.success = true;
    report.code = "success";
    report.dimse_status = 0;
    report.message = "C-ECHO answered success (0x0000)";
    return finish();
  }
  report.message = s.message();
  const nlohmann::json& detail = s.detail();
  if (detail.contains("dimse_status")) {
    report.code = "dimse_failure";
    report.dimse_status = detail["dimse_status"].get<std::uint16_t>();
  } else if (detail.contains("reject_result")) {
    report.code = "association_rejected";
    for (const char* k : {"reject_result", "reject_source", "reject_reason"})
      if (detail.contains(k)) report.detail[k] = detail[k];
  } else if (s.message().find("accepted none") != std::string::npos) {
    report.code = "verification_not_supported";
  } else if (s.code() == ErrorCode::unavailable) {
    report.code = "association_failed";  // TCP worked, the DICOM handshake did not (not a DICOM port?)
  } else {
    report.code = "dimse_error";  // association up, no valid C-ECHO response
  }
  return finish();
}

}  // namespace medai::dimse
