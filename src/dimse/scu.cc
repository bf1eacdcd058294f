#include "dimse/scu.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmdata/dcostrmf.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "core/log.h"
#include "dimse/dcmtk_support.h"
#include "dimse/dimse_status.h"
#include "dimse/query_keys.h"
#include "dimse/scu_association.h"
#include "dimse/sop_classes.h"

namespace medai::dimse {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> uncompressed() {
  return {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax};
}

const char* model_uid(QueryModel model, T_DIMSE_Command command) {
  const bool patient = model == QueryModel::patient_root;
  switch (command) {
    case DIMSE_C_FIND_RQ:
      return patient ? UID_FINDPatientRootQueryRetrieveInformationModel : UID_FINDStudyRootQueryRetrieveInformationModel;
    case DIMSE_C_MOVE_RQ:
      return patient ? UID_MOVEPatientRootQueryRetrieveInformationModel : UID_MOVEStudyRootQueryRetrieveInformationModel;
    default:
      return patient ? UID_GETPatientRootQueryRetrieveInformationModel : UID_GETStudyRootQueryRetrieveInformationModel;
  }
}

Result<std::unique_ptr<DcmDataset>> identifier_for(QueryModel model, QueryLevel level, const DcmDataset& keys) {
  if (model == QueryModel::study_root && level == QueryLevel::patient)
    return make_error(ErrorCode::invalid_argument, "the study root model has no PATIENT level");
  auto ids = std::make_unique<DcmDataset>(keys);
  ids->putAndInsertString(DCM_QueryRetrieveLevel, std::string(query_level_name(level)).c_str());
  return ids;
}

// Safe file name for a received instance: the UID if it is a plain UID.
std::string instance_file_name(const char* uid, int fallback_index) {
  std::string s = uid ? uid : "";
  bool ok = !s.empty() && s.size() <= 64 && s.find_first_not_of("0123456789.") == std::string::npos;
  return (ok ? s : "instance-" + std::to_string(fallback_index)) + ".dcm";
}

}  // namespace

Result<RemoteNode> parse_node(const std::string& text) {
  auto at = text.find('@');
  auto colon = text.rfind(':');
  if (at == std::string::npos || colon == std::string::npos || colon < at)
    return make_error(ErrorCode::invalid_argument, "a DICOM node is written AE@host:port", {{"node", text}});
  RemoteNode node;
  node.ae_title = text.substr(0, at);
  node.host = text.substr(at + 1, colon - at - 1);
  std::string port = text.substr(colon + 1);
  if (node.ae_title.empty() || node.ae_title.size() > 16 || node.ae_title.find('\\') != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "the AE title must be 1..16 characters without backslash",
                      {{"node", text}});
  if (node.host.empty()) return make_error(ErrorCode::invalid_argument, "the node has no host", {{"node", text}});
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) < 1 || std::stoi(port) > 65535)
    return make_error(ErrorCode::invalid_argument, "the port must be 1..65535", {{"node", text}});
  node.port = static_cast<std::uint16_t>(std::stoi(port));
  return node;
}

Status echo(const RemoteNode& node, const ScuOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(auto assoc,
                         ScuAssociation::open(node, options, {{UID_VerificationSOPClass, uncompressed()}}));
  DIC_US status = 0;
  DcmDataset* detail = nullptr;
  OFCondition cond = DIMSE_echoUser(assoc->get(), assoc->next_message_id(), DIMSE_BLOCKING, options.dimse_timeout_s,
                                    &status, &detail);
  delete detail;
  if (cond.bad()) {
    assoc->mark_broken();
    return make_error(ErrorCode::remote_failure, "C-ECHO failed: " + condition_text(cond));
  }
  if (status != status::success)
    return make_error(ErrorCode::remote_failure, "C-ECHO answered " + status_hex(status), {{"dimse_status", status}});
  return Status::ok();
}

Result<std::vector<StoreOutcome>> store(const RemoteNode& node, const std::vector<fs::path>& files,
                                        const ScuOptions& options) {
  std::vector<StoreOutcome> outcomes(files.size());
  std::vector<InstanceMeta> metas(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    outcomes[i].file = files[i];
    auto meta = read_instance_meta(files[i]);
    if (!meta) {
      outcomes[i].status = meta.status();
      continue;
    }
    metas[i] = *meta;
    outcomes[i].sop_instance_uid = meta->sop_instance_uid;
  }

  bool attempted = false;
  Status last_association_error;
  for (const auto& batch : plan_store_batches(metas)) {
    attempted = true;
    auto assoc = ScuAssociation::open(node, options, batch.contexts);
    if (!assoc) {
      last_association_error = assoc.status();
      for (auto i : batch.items) outcomes[i].status = assoc.status();
      continue;
    }
    for (std::size_t k = 0; k < batch.items.size(); ++k) {
      const std::size_t i = batch.items[k];
      SendOptions send;
      send.dimse_timeout_s = options.dimse_timeout_s;
      send.message_id = (*assoc)->next_message_id();
      auto sent = send_instance((*assoc)->get(), files[i], metas[i], send);
      if (!sent) {
        outcomes[i].status = sent.status();
        if (sent.status().code() == ErrorCode::remote_failure) {
          // The association is gone: the rest of the batch fails the same way.
          (*assoc)->mark_broken();
          for (std::size_t r = k + 1; r < batch.items.size(); ++r) outcomes[batch.items[r]].status = sent.status();
          break;
        }
        continue;
      }
      outcomes[i].dimse_status = *sent;
      if (is_failure_status(*sent))
        outcomes[i].status = make_error(ErrorCode::remote_failure,
                                        "the peer refused the instance with status " + status_hex(*sent),
                                        {{"dimse_status", *sent}});
    }
  }
  if (attempted && !last_association_error.is_ok()) {
    bool any_sent = false;
    for (const auto& o : outcomes) any_sent = any_sent || o.dimse_status != 0 || o.status.is_ok();
    if (!any_sent) return last_association_error;
  }
  return outcomes;
}

namespace {
struct FindContext {
  const std::function<bool(DcmDataset&)>* on_match;
  T_ASC_Association* assoc;
  T_ASC_PresentationContextID pres_id;
  bool cancelled = false;
};

void find_callback(void* data, T_DIMSE_C_FindRQ* request, int, T_DIMSE_C_FindRSP*, DcmDataset* identifiers) {
  auto* ctx = static_cast<FindContext*>(data);
  if (ctx->cancelled || identifiers == nullptr) return;
  if (!(*ctx->on_match)(*identifiers)) {
    ctx->cancelled = true;
    DIMSE_sendCancelRequest(ctx->assoc, ctx->pres_id, request->MessageID);
  }
}
}  // namespace

Status find(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
            const std::function<bool(DcmDataset&)>& on_match, const ScuOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(auto ids, identifier_for(model, level, keys));
  const char* sop = model_uid(model, DIMSE_C_FIND_RQ);
  MEDAI_ASSIGN_OR_RETURN(auto assoc, ScuAssociation::open(node, options, {{sop, uncompressed()}}));
  T_DIMSE_C_FindRQ req;
  std::memset(&req, 0, sizeof req);
  req.MessageID = assoc->next_message_id();
  OFStandard::strlcpy(req.AffectedSOPClassUID, sop, sizeof req.AffectedSOPClassUID);
  req.DataSetType = DIMSE_DATASET_PRESENT;
  req.Priority = DIMSE_PRIORITY_MEDIUM;
  T_DIMSE_C_FindRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  FindContext ctx{&on_match, assoc->get(), assoc->context_for(sop)};
  int count = 0;
  DcmDataset* detail = nullptr;
  OFCondition cond = DIMSE_findUser(assoc->get(), ctx.pres_id, &req, ids.get(), count, find_callback, &ctx,
                                    DIMSE_BLOCKING, options.dimse_timeout_s, &rsp, &detail);
  delete detail;
  if (cond.bad()) {
    assoc->mark_broken();
    return make_error(ErrorCode::remote_failure, "C-FIND failed: " + condition_text(cond));
  }
  if (rsp.DimseStatus != status::success && rsp.DimseStatus != status::cancel)
    return make_error(ErrorCode::remote_failure, "C-FIND answered " + status_hex(rsp.DimseStatus),
                      {{"dimse_status", rsp.DimseStatus}});
  return Status::ok();
}

Result<RetrieveSummary> move(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
                             const std::string& destination_ae, const ScuOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(auto ids, identifier_for(model, level, keys));
  const char* sop = model_uid(model, DIMSE_C_MOVE_RQ);
  MEDAI_ASSIGN_OR_RETURN(auto assoc, ScuAssociation::open(node, options, {{sop, uncompressed()}}));
  T_DIMSE_C_MoveRQ req;
  std::memset(&req, 0, sizeof req);
  req.MessageID = assoc->next_message_id();
  OFStandard::strlcpy(req.AffectedSOPClassUID, sop, sizeof req.AffectedSOPClassUID);
  OFStandard::strlcpy(req.MoveDestination, destination_ae.c_str(), sizeof req.MoveDestination);
  req.DataSetType = DIMSE_DATASET_PRESENT;
  req.Priority = DIMSE_PRIORITY_MEDIUM;
  T_DIMSE_C_MoveRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  DcmDataset* detail = nullptr;
  DcmDataset* rsp_ids = nullptr;
  OFCondition cond = DIMSE_moveUser(assoc->get(), assoc->context_for(sop), &req, ids.get(), nullptr, nullptr,
                                    DIMSE_BLOCKING, options.dimse_timeout_s, nullptr, nullptr, nullptr, &rsp,
                                    &detail, &rsp_ids);
  delete detail;
  delete rsp_ids;
  if (cond.bad()) {
    assoc->mark_broken();
    return make_error(ErrorCode::remote_failure, "C-MOVE failed: " + condition_text(cond));
  }
  RetrieveSummary summary;
  summary.final_status = rsp.DimseStatus;
  summary.completed = rsp.NumberOfCompletedSubOperations;
  summary.failed = rsp.NumberOfFailedSubOperations;
  summary.warning = rsp.NumberOfWarningSubOperations;
  if (is_failure_status(rsp.DimseStatus) && rsp.DimseStatus != status::cancel)
    return make_error(ErrorCode::remote_failure, "C-MOVE answered " + status_hex(rsp.DimseStatus),
                      {{"dimse_status", rsp.DimseStatus}, {"completed", summary.completed}, {"failed", summary.failed}});
  return summary;
}

namespace {
// Receives one C-STORE sub-operation of a C-GET into `folder`.
Status receive_get_store(T_ASC_Association* assoc, T_ASC_PresentationContextID pres_id, T_DIMSE_C_StoreRQ& req,
                         const fs::path& folder, int timeout, int index, RetrieveSummary& summary) {
  const fs::path final_path = folder / instance_file_name(req.AffectedSOPInstanceUID, index);
  const fs::path part_path = fs::path(final_path.string() + ".part");
  DcmOutputFileStream* stream = nullptr;
  OFCondition cond = DIMSE_createFilestream(OFFilename(part_path.c_str()), &req, assoc, pres_id, 1, &stream);
  std::uint16_t answer = status::success;
  if (cond.good()) {
    T_ASC_PresentationContextID data_pres = pres_id;
    cond = DIMSE_receiveDataSetInFile(assoc, DIMSE_BLOCKING, timeout, &data_pres, stream, nullptr, nullptr);
    delete stream;
    if (cond.bad()) {
      std::error_code ec;
      fs::remove(part_path, ec);
      return make_error(ErrorCode::remote_failure, "receiving a C-GET sub-operation failed: " + condition_text(cond));
    }
    std::error_code ec;
    fs::rename(part_path, final_path, ec);
    if (ec) answer = status::out_of_resources;
    else summary.files.push_back(final_path);
  } else {
    ignore_dataset(assoc, timeout);
    answer = status::out_of_resources;
  }
  T_DIMSE_C_StoreRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  rsp.DimseStatus = answer;
  rsp.DataSetType = DIMSE_DATASET_NULL;
  OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
  OFStandard::strlcpy(rsp.AffectedSOPInstanceUID, req.AffectedSOPInstanceUID, sizeof rsp.AffectedSOPInstanceUID);
  rsp.opts = O_STORE_AFFECTEDSOPCLASSUID | O_STORE_AFFECTEDSOPINSTANCEUID;
  cond = DIMSE_sendStoreResponse(assoc, pres_id, &req, &rsp, nullptr);
  if (cond.bad()) return make_error(ErrorCode::remote_failure, "sending a C-STORE response failed");
  return Status::ok();
}
}  // namespace

Result<RetrieveSummary> get(const RemoteNode& node, QueryModel model, QueryLevel level, const DcmDataset& keys,
                            const fs::path& folder, const ScuOptions& options) {
  MEDAI_ASSIGN_OR_RETURN(auto ids, identifier_for(model, level, keys));
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot create the target folder", {{"folder", folder.string()}});
  const char* sop = model_uid(model, DIMSE_C_GET_RQ);
  // We act as storage SCP on this association: each storage class once with
  // the uncompressed syntaxes and once with the compressed ones, so the peer
  // can send what it holds without transcoding; waveforms (no pixel data)
  // uncompressed only (2 × 43 + 15 + 1 ≤ 128 contexts).
  std::vector<ProposedContext> contexts = {{sop, uncompressed()}};
  std::vector<std::string> compressed;
  for (const char* ts : compressed_transfer_syntaxes()) compressed.push_back(ts);
  for (const auto& sc : storage_sop_classes()) {
    contexts.push_back({sc.uid, uncompressed(), ASC_SC_ROLE_SCP});
    if (!is_waveform_sop_class(sc.uid)) contexts.push_back({sc.uid, compressed, ASC_SC_ROLE_SCP});
  }
  MEDAI_ASSIGN_OR_RETURN(auto assoc, ScuAssociation::open(node, options, contexts));
  T_DIMSE_Message msg;
  std::memset(&msg, 0, sizeof msg);
  msg.CommandField = DIMSE_C_GET_RQ;
  T_DIMSE_C_GetRQ& req = msg.msg.CGetRQ;
  req.MessageID = assoc->next_message_id();
  OFStandard::strlcpy(req.AffectedSOPClassUID, sop, sizeof req.AffectedSOPClassUID);
  req.DataSetType = DIMSE_DATASET_PRESENT;
  req.Priority = DIMSE_PRIORITY_MEDIUM;
  const T_ASC_PresentationContextID get_pres = assoc->context_for(sop);
  if (get_pres == 0) return make_error(ErrorCode::remote_failure, "the peer does not support C-GET");
  OFCondition cond = DIMSE_sendMessageUsingMemoryData(assoc->get(), get_pres, &msg, nullptr, ids.get(), nullptr, nullptr);
  if (cond.bad()) {
    assoc->mark_broken();
    return make_error(ErrorCode::remote_failure, "sending C-GET failed: " + condition_text(cond));
  }
  RetrieveSummary summary;
  for (int index = 0;; ++index) {
    T_DIMSE_Message in;
    T_ASC_PresentationContextID pres_id = 0;
    DcmDataset* detail = nullptr;
    cond = DIMSE_receiveCommand(assoc->get(), DIMSE_BLOCKING, options.dimse_timeout_s, &pres_id, &in, &detail);
    delete detail;
    if (cond.bad()) {
      assoc->mark_broken();
      return make_error(ErrorCode::remote_failure, "C-GET failed: " + condition_text(cond));
    }
    if (in.CommandField == DIMSE_C_STORE_RQ) {
      Status received = receive_get_store(assoc->get(), pres_id, in.msg.CStoreRQ, folder, options.dimse_timeout_s,
                                          index, summary);
      if (!received) {
        assoc->mark_broken();
        return received;
      }
      continue;
    }
    if (in.CommandField != DIMSE_C_GET_RSP) {
      assoc->mark_broken();
      return make_error(ErrorCode::remote_failure, "unexpected DIMSE message during C-GET");
    }
    const T_DIMSE_C_GetRSP& rsp = in.msg.CGetRSP;
    if (rsp.DataSetType != DIMSE_DATASET_NULL) {
      DcmDataset* rsp_ids = nullptr;
      DIMSE_receiveDataSetInMemory(assoc->get(), DIMSE_BLOCKING, options.dimse_timeout_s, &pres_id, &rsp_ids,
                                   nullptr, nullptr);
      delete rsp_ids;
    }
    if (rsp.opts & O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS) summary.completed = rsp.NumberOfCompletedSubOperations;
    if (rsp.opts & O_GET_NUMBEROFFAILEDSUBOPERATIONS) summary.failed = rsp.NumberOfFailedSubOperations;
    if (rsp.opts & O_GET_NUMBEROFWARNINGSUBOPERATIONS) summary.warning = rsp.NumberOfWarningSubOperations;
    if (rsp.DimseStatus == status::pending || rsp.DimseStatus == 0xFF01) continue;
    summary.final_status = rsp.DimseStatus;
    break;
  }
  if (is_failure_status(summary.final_status) && summary.final_status != status::cancel)
    return make_error(ErrorCode::remote_failure, "C-GET answered " + status_hex(summary.final_status),
                      {{"dimse_status", summary.final_status}, {"completed", summary.completed}, {"failed", summary.failed}});
  return summary;
}

}  // namespace medai::dimse
