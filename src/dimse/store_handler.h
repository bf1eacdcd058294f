#pragma once
// The DIMSE adapter's handler backed by the DICOM store: callers are the
// registered remote nodes (or, when configured, unknown callers filed under
// a default institution); C-STORE ingests through InstanceStore exactly like
// STOW-RS; C-FIND runs the QIDO search; C-GET/C-MOVE retrieve the stored
// Part 10 files; C-MOVE destinations are the caller institution's nodes.
#include <map>
#include <mutex>

#include "core/config.h"
#include "dicom/instance_store.h"
#include "dicom/remote_nodes.h"
#include "dimse/handler.h"

namespace medai::dimse {

class StoreHandler : public DimseHandler {
 public:
  // default_institution_id: institution for unknown callers when
  // dicom.accept_unknown_callers is set ("" otherwise).
  StoreHandler(dicom::InstanceStore& store, dicom::RemoteNodes& nodes, std::string default_institution_id);

  Result<CallerInfo> authorize_caller(const AssociationInfo& association) override;
  Status store(const CallerInfo& caller, const StoreRequest& request) override;
  Status find(const CallerInfo& caller, const QueryRequest& request, const FindEmitter& emit) override;
  Result<std::vector<std::filesystem::path>> retrieve(const CallerInfo& caller, const QueryRequest& request) override;
  Result<RemoteNode> resolve_move_destination(const CallerInfo& caller, const std::string& destination_ae) override;

 private:
  struct Permissions {
    bool store = true, query = true;
  };
  Permissions permissions_of(const CallerInfo& caller);
  dicom::InstanceStore& store_;
  dicom::RemoteNodes& nodes_;
  std::string default_institution_id_;
  std::mutex mutex_;
  std::map<std::string, Permissions> permissions_;  // node id → what it may do
};

}  // namespace medai::dimse
