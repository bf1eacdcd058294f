#pragma once
// "Test" of a remote DICOM node, as an administrator means it: can we reach
// it and does it answer C-ECHO? Unlike echo() (which returns a Status for
// programs), the outcome is a report with a stable code for every way it can
// go wrong, so a person sees *where* it failed: the name does not resolve,
// nothing listens, the network drops the packets, the peer refuses our AE
// titles, the peer does not do Verification, or it answers with a failure.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "dimse/handler.h"
#include "dimse/scu.h"

namespace medai::dimse {

struct EchoReport {
  bool success = false;
  // success | host_not_found | connection_refused | timeout | network_error |
  // association_rejected | association_failed | verification_not_supported |
  // dimse_error | dimse_failure
  std::string code;
  std::string message;                    // for people; no PHI (echo carries none)
  std::optional<std::uint16_t> dimse_status;  // the peer's C-ECHO status when it answered
  nlohmann::json detail = nlohmann::json::object();  // e.g. reject result/source/reason
  std::int64_t elapsed_ms = 0;
};
nlohmann::json to_json(const EchoReport& r);

struct EchoCheckOptions {
  std::string calling_ae = "MEDAI";
  int connect_timeout_s = 5;  // TCP connect (the only step DCMTK would wait on without limit)
  int timeout_s = 10;         // association negotiation and the C-ECHO response
};

// Resolves and connects first (bounded by connect_timeout_s; that socket is
// closed at once), then opens an association proposing Verification and
// sends C-ECHO. Never throws; every failure is a report.
EchoReport check_echo(const RemoteNode& node, const EchoCheckOptions& options = {});

}  // namespace medai::dimse
