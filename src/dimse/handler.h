#pragma once
// The narrow interface between the DIMSE adapter and the DICOM store.
//
// src/dimse speaks the network protocol (DCMTK); it never touches the catalog
// or blob store itself. Whoever owns the data (the store core, or a test
// double) implements DimseHandler. Every method may be called concurrently
// from several association threads and must be thread-safe. No method may
// throw; failures are returned as Status with a code from
// core/error_codes.def, which the adapter maps to a DIMSE status (see
// dimse_status.h). Messages must not carry patient data: they are sent to the
// peer as Error Comment and written to the log.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>
#include <string>
#include <vector>

#include "core/status.h"

class DcmDataset;

namespace medai::dimse {

// What the peer said about itself when it opened the association.
struct AssociationInfo {
  std::string calling_ae;    // the peer's AE title (trimmed)
  std::string called_ae;     // the AE title the peer asked for (already checked against ours)
  std::string peer_address;  // numeric IP address of the peer
};

// Who the peer is, as decided by authorize_caller(); passed back to every
// request on that association (tenancy: everything stored or found is scoped
// to `institution_id`).
struct CallerInfo {
  std::string calling_ae;
  std::string peer_address;
  std::string institution_id;
  std::string node_id;  // registered remote node id, empty for unregistered callers
};

// A DICOM node we connect to (C-MOVE destination, push target).
struct RemoteNode {
  std::string ae_title;
  std::string host;
  std::uint16_t port = 0;
};

enum class QueryModel { patient_root, study_root };
enum class QueryLevel { patient, study, series, image };

std::string_view query_level_name(QueryLevel level);  // "PATIENT", "STUDY", "SERIES", "IMAGE"

// One received C-STORE: the instance exactly as received (no transcoding),
// as a Part 10 file whose File Meta Information carries the negotiated
// Transfer Syntax. `part10` is valid only during the store() call. The UIDs
// are those of the C-STORE request; the handler should refuse
// (dicom_missing_attribute / invalid_dicom) a dataset that contradicts them.
struct StoreRequest {
  std::string_view part10;
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string transfer_syntax_uid;
};

// A C-FIND, C-GET or C-MOVE identifier. `level` is the validated Query/Retrieve
// Level of the identifier; `model` the information model of the request.
struct QueryRequest {
  QueryModel model = QueryModel::study_root;
  QueryLevel level = QueryLevel::study;
  const DcmDataset* identifier = nullptr;  // never null while the call runs
};

// Called for each match of a C-FIND. The dataset is sent to the peer as one
// pending response; it should contain the requested keys (the adapter adds the
// Query/Retrieve Level). Returns false when the peer cancelled or the
// association broke: the handler must stop and return ok.
using FindEmitter = std::function<bool(DcmDataset& match)>;

class DimseHandler {
 public:
  virtual ~DimseHandler() = default;

  // A-ASSOCIATE-RQ: may this peer connect? An error refuses the association
  // (A-ASSOCIATE-RJ, calling AE not recognized); ok gives the caller identity.
  virtual Result<CallerInfo> authorize_caller(const AssociationInfo& association) = 0;

  // C-STORE: ingest the file. The handler must copy or move the file before
  // returning; the adapter deletes whatever is left at the path afterwards.
  // ok → 0x0000; errors map as in dimse_status.h (e.g. unsupported_sop_class →
  // 0x0122, invalid_dicom → 0xC000, dicom_missing_attribute → 0xA900,
  // storage_error/io_error → 0xA700). Must be durable when it returns ok.
  virtual Status store(const CallerInfo& caller, const StoreRequest& request) = 0;

  // C-FIND: stream the matches through `emit` (stop as soon as it returns
  // false). ok → final 0x0000 (or 0xFE00 when cancelled); invalid_argument →
  // 0xA900; other errors → 0xA700 / 0xC000.
  virtual Status find(const CallerInfo& caller, const QueryRequest& request, const FindEmitter& emit) = 0;

  // C-GET / C-MOVE: the Part 10 files of the matching instances, each to be
  // sent as one C-STORE sub-operation. No match → ok with an empty list.
  virtual Result<std::vector<std::filesystem::path>> retrieve(const CallerInfo& caller,
                                                              const QueryRequest& request) = 0;

  // C-MOVE: where is `destination_ae` for this caller? not_found → 0xA801
  // (move destination unknown).
  virtual Result<RemoteNode> resolve_move_destination(const CallerInfo& caller,
                                                      const std::string& destination_ae) = 0;
};

}  // namespace medai::dimse
