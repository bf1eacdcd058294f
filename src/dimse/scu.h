#pragma once
// DIMSE service class user: echo, store (push), find, move and get against a
// remote node. Each call opens one association, does its work and releases
// it. TCP_NODELAY is always on. Errors: unavailable (cannot connect),
// remote_failure (association rejected or aborted, DIMSE failure status),
// invalid_argument (bad node or keys).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "dimse/handler.h"

class DcmDataset;

namespace medai::dimse {

struct ScuOptions {
  std::string calling_ae = "MEDAI";
  int acse_timeout_s = 30;
  int dimse_timeout_s = 60;
  std::uint32_t max_pdu_bytes = 131072;
};

// "AE@host:port" → node; invalid_argument when malformed.
Result<RemoteNode> parse_node(const std::string& text);

// C-ECHO.
Status echo(const RemoteNode& node, const ScuOptions& options = {});

// Per-file outcome of a push.
struct StoreOutcome {
  std::filesystem::path file;
  std::string sop_instance_uid;       // empty when the file was unreadable
  std::uint16_t dimse_status = 0;     // the peer's status when it answered
  Status status;                      // ok, or why this file failed
};

// C-STORE of many files over as few associations as possible (one unless
// more than 128 presentation contexts are needed). Each file's SOP class is
// proposed with its own transfer syntax plus an uncompressed fallback.
// Returns one outcome per file, in order; the Result fails only when nothing
// could be attempted (e.g. the peer refused the association).
Result<std::vector<StoreOutcome>> store(const RemoteNode& node, const std::vector<std::filesystem::path>& files,
                                        const ScuOptions& options = {});

// C-FIND; `on_match` receives each pending response identifier (return false
// to send C-CANCEL). ok when the final status is success or cancel.
Status find(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
            const std::function<bool(DcmDataset&)>& on_match, const ScuOptions& options = {});

struct RetrieveSummary {
  std::uint16_t final_status = 0;
  int completed = 0;
  int failed = 0;
  int warning = 0;
  std::vector<std::filesystem::path> files;  // C-GET: files written
};

// C-MOVE to `destination_ae` (which the peer must know). Fails with
// remote_failure when the final status is a failure.
Result<RetrieveSummary> move(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
                             const std::string& destination_ae, const ScuOptions& options = {});

// C-GET into `folder` (created if missing); files are named
// <SOP Instance UID>.dcm and written exactly as received.
Result<RetrieveSummary> get(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
                            const std::filesystem::path& folder, const ScuOptions& options = {});

}  // namespace medai::dimse
