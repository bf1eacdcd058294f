#pragma once
// DimseServer: the DICOM SCP of medai (DCMTK). Listens on dicom.host /
// dicom.port (port 0 picks a free port, see port()), accepts associations
// called with our AE title from callers the handler authorizes, and serves
// C-ECHO, C-STORE, C-FIND, C-GET and C-MOVE (see session.h) with one thread
// per association, at most dicom.max_associations at once (more are rejected
// with "local limit exceeded"). TCP_NODELAY is set on every association.
// stop() (or the destructor) stops accepting, aborts idle associations
// within about a second, lets running operations finish and joins every
// thread.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/config.h"
#include "core/status.h"
#include "dimse/handler.h"

namespace medai::dimse {

struct DimseServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11112;
  std::string ae_title = "MEDAI";
  int max_associations = 16;
  std::uint32_t max_pdu_bytes = 131072;
  int acse_timeout_s = 30;
  int dimse_timeout_s = 60;   // idle time allowed between messages, and per message
  std::filesystem::path temp_dir;  // received instances land here before store(); created if missing
};

DimseServerOptions server_options_from(const DicomConfig& config, const std::filesystem::path& temp_dir);

class DimseServer {
 public:
  // Binds and starts listening; fails with config_error / io_error when the
  // address cannot be bound. `handler` must outlive the server.
  static Result<std::unique_ptr<DimseServer>> start(const DimseServerOptions& options, DimseHandler& handler);
  ~DimseServer();
  DimseServer(const DimseServer&) = delete;
  DimseServer& operator=(const DimseServer&) = delete;

  std::uint16_t port() const;
  // Associations being served right now.
  int active_associations() const;
  // Association requests received since start (served, or rejected for the
  // caller's AE title, address or the association limit).
  std::uint64_t associations_received() const;
  void stop();

  struct Impl;

 private:
  explicit DimseServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace medai::dimse
