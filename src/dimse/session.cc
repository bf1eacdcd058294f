#include "dimse/session.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcostrmf.h>
#include <dcmtk/dcmnet/dimse.h>

#include <cstring>
#include <optional>
#include <set>

#include "core/crypto.h"
#include "core/log.h"
#include "dimse/dcmtk_support.h"
#include "dimse/dimse_status.h"
#include "dimse/query_keys.h"
#include "dimse/receive_buffer.h"
#include "dimse/scu_association.h"
#include "dimse/sop_classes.h"

namespace medai::dimse {
namespace {

namespace fs = std::filesystem;

enum class Service { echo, find, move, get };

struct QueryService {
  const char* uid;
  Service service;
  QueryModel model;
};

const std::vector<QueryService>& query_services() {
  static const std::vector<QueryService> services = {
      {UID_VerificationSOPClass, Service::echo, QueryModel::study_root},
      {UID_FINDPatientRootQueryRetrieveInformationModel, Service::find, QueryModel::patient_root},
      {UID_FINDStudyRootQueryRetrieveInformationModel, Service::find, QueryModel::study_root},
      {UID_MOVEPatientRootQueryRetrieveInformationModel, Service::move, QueryModel::patient_root},
      {UID_MOVEStudyRootQueryRetrieveInformationModel, Service::move, QueryModel::study_root},
      {UID_GETPatientRootQueryRetrieveInformationModel, Service::get, QueryModel::patient_root},
      {UID_GETStudyRootQueryRetrieveInformationModel, Service::get, QueryModel::study_root},
  };
  return services;
}

const QueryService* query_service(std::string_view uid) {
  for (const auto& s : query_services())
    if (uid == s.uid) return &s;
  return nullptr;
}

DcmDataset* comment_detail(const Status& error) {
  auto* detail = new DcmDataset();
  detail->putAndInsertString(DCM_ErrorComment, error_comment(error).c_str());
  return detail;
}

class Session {
 public:
  Session(T_ASC_Association* assoc, const DimseServerOptions& options, DimseHandler& handler,
          const std::atomic<bool>& stopping)
      : assoc_(assoc), options_(options), handler_(handler), stopping_(stopping), rx_(options.temp_dir) {}

  ~Session() {
    if (assoc_) {
      ASC_dropSCPAssociation(assoc_);
      ASC_destroyAssociation(&assoc_);
    }
  }

  void run() {
    if (!negotiate()) return;
    message_loop();
  }

 private:
  // ---- association negotiation ------------------------------------------
  void reject(T_ASC_RejectParameters rej, const char* reason) {
    ASC_rejectAssociation(assoc_, &rej);
    log::info("dimse.association_rejected", {{"reason", reason}, {"calling_ae", calling_ae_}});
  }

  bool negotiate() {
    T_ASC_Parameters* params = assoc_->params;
    calling_ae_ = trim_ae(params->DULparams.callingAPTitle);
    const std::string called_ae = trim_ae(params->DULparams.calledAPTitle);
    const std::string peer = params->DULparams.callingPresentationAddress;
    if (called_ae != options_.ae_title) {
      reject({ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED},
             "called_ae_not_recognized");
      return false;
    }
    auto caller = handler_.authorize_caller({calling_ae_, called_ae, peer});
    if (!caller) {
      reject({ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED},
             "calling_ae_not_authorized");
      return false;
    }
    caller_ = *caller;

    const int count = ASC_countPresentationContexts(params);
    for (int i = 0; i < count; ++i) {
      T_ASC_PresentationContext pc;
      ASC_getPresentationContext(params, i, &pc);
      const bool storage = is_accepted_storage_sop_class(pc.abstractSyntax);
      const bool query = query_service(pc.abstractSyntax) != nullptr;
      if (!storage && !query) {
        ASC_refusePresentationContext(params, pc.presentationContextID, ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
        continue;
      }
      // The proposer's order decides among the syntaxes we support: a store
      // is kept exactly as sent.
      const char* chosen = nullptr;
      for (int t = 0; t < pc.transferSyntaxCount && !chosen; ++t) {
        const char* ts = pc.proposedTransferSyntaxes[t];
        if (storage ? is_accepted_storage_transfer_syntax(ts) : is_uncompressed_transfer_syntax(ts)) chosen = ts;
      }
      if (!chosen) {
        ASC_refusePresentationContext(params, pc.presentationContextID, ASC_P_TRANSFERSYNTAXESNOTSUPPORTED);
        continue;
      }
      // Storage contexts keep the role the peer proposed: a C-GET SCU asks
      // to be the storage SCP so that we can send it the sub-operations.
      ASC_acceptPresentationContext(params, pc.presentationContextID, chosen,
                                    storage ? pc.proposedRole : ASC_SC_ROLE_DEFAULT);
    }
    if (ASC_countAcceptedPresentationContexts(params) == 0) {
      reject({ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_NOREASON},
             "no_acceptable_presentation_context");
      return false;
    }
    ASC_setAPTitles(params, nullptr, nullptr, options_.ae_title.c_str());
    OFCondition cond = ASC_acknowledgeAssociation(assoc_);
    if (cond.bad()) {
      log::info("dimse.association_failed", {{"reason", condition_text(cond)}});
      return false;
    }
    log::info("dimse.association_accepted",
              {{"calling_ae", calling_ae_}, {"peer", peer}, {"contexts", ASC_countAcceptedPresentationContexts(params)}});
    return true;
  }

  // ---- message loop -------------------------------------------------------
  void message_loop() {
    int idle_s = 0;
    while (true) {
      if (stopping_.load()) {
        ASC_abortAssociation(assoc_);
        return;
      }
      T_DIMSE_Message msg;
      T_ASC_PresentationContextID pres_id = 0;
      DcmDataset* status_detail = nullptr;
      quick_ack(assoc_);
      OFCondition cond = DIMSE_receiveCommand(assoc_, DIMSE_NONBLOCKING, 1, &pres_id, &msg, &status_detail);
      delete status_detail;
      if (cond == DIMSE_NODATAAVAILABLE) {
        if (++idle_s >= options_.dimse_timeout_s) {
          log::info("dimse.association_idle_timeout", {{"calling_ae", calling_ae_}});
          ASC_abortAssociation(assoc_);
          return;
        }
        continue;
      }
      idle_s = 0;
      if (cond == DUL_PEERREQUESTEDRELEASE) {
        ASC_acknowledgeRelease(assoc_);
        return;
      }
      if (cond == DUL_PEERABORTEDASSOCIATION) return;
      if (cond.bad()) {
        log::info("dimse.association_error", {{"calling_ae", calling_ae_}, {"reason", condition_text(cond)}});
        ASC_abortAssociation(assoc_);
        return;
      }
      bool healthy = true;
      switch (msg.CommandField) {
        case DIMSE_C_ECHO_RQ:
          healthy = DIMSE_sendEchoResponse(assoc_, pres_id, &msg.msg.CEchoRQ, STATUS_Success, nullptr).good();
          break;
        case DIMSE_C_STORE_RQ: healthy = handle_store(pres_id, msg.msg.CStoreRQ); break;
        case DIMSE_C_FIND_RQ: healthy = handle_find(pres_id, msg.msg.CFindRQ); break;
        case DIMSE_C_GET_RQ: healthy = handle_get(pres_id, msg.msg.CGetRQ); break;
        case DIMSE_C_MOVE_RQ: healthy = handle_move(pres_id, msg.msg.CMoveRQ); break;
        case DIMSE_C_CANCEL_RQ: break;  // nothing running: ignore (PS3.7 9.3.2.3)
        default:
          log::info("dimse.unsupported_command", {{"calling_ae", calling_ae_}, {"command", msg.CommandField}});
          healthy = false;
      }
      if (!healthy) {
        ASC_abortAssociation(assoc_);
        return;
      }
    }
  }

  std::string accepted_abstract_syntax(T_ASC_PresentationContextID pres_id, std::string* ts = nullptr) {
    T_ASC_PresentationContext pc;
    if (ASC_findAcceptedPresentationContext(assoc_->params, pres_id, &pc).bad()) return {};
    if (ts) *ts = pc.acceptedTransferSyntax;
    return pc.abstractSyntax;
  }

  // ---- C-STORE --------------------------------------------------------------
  bool handle_store(T_ASC_PresentationContextID pres_id, T_DIMSE_C_StoreRQ& req) {
    std::string ts;
    const std::string abstract = accepted_abstract_syntax(pres_id, &ts);
    T_DIMSE_C_StoreRSP rsp;
    std::memset(&rsp, 0, sizeof rsp);
    rsp.MessageIDBeingRespondedTo = req.MessageID;
    rsp.DataSetType = DIMSE_DATASET_NULL;
    OFStandard::strlcpy(rsp.AffectedSOPClassUID, req.AffectedSOPClassUID, sizeof rsp.AffectedSOPClassUID);
    OFStandard::strlcpy(rsp.AffectedSOPInstanceUID, req.AffectedSOPInstanceUID, sizeof rsp.AffectedSOPInstanceUID);
    rsp.opts = O_STORE_AFFECTEDSOPCLASSUID | O_STORE_AFFECTEDSOPINSTANCEUID;

    Status outcome;
    if (abstract.empty() || abstract != req.AffectedSOPClassUID || !is_accepted_storage_sop_class(abstract)) {
      if (!ignore_dataset(assoc_, options_.dimse_timeout_s)) return false;
      outcome = make_error(ErrorCode::unsupported_sop_class,
                           "the SOP class of the request does not match its presentation context");
    } else {
      auto path = rx_.prepare();
      DcmOutputFileStream* stream = nullptr;
      OFCondition cond = path ? DIMSE_createFilestream(OFFilename(path->c_str()), &req, assoc_, pres_id, 1, &stream)
                              : makeOFCondition(0, 1, OF_error, "no receive buffer");
      if (cond.bad()) {
        if (!ignore_dataset(assoc_, options_.dimse_timeout_s)) return false;
        outcome = make_error(ErrorCode::io_error, "cannot create a buffer for the instance");
      } else {
        T_ASC_PresentationContextID data_pres = pres_id;
        quick_ack(assoc_);
        cond = DIMSE_receiveDataSetInFile(assoc_, DIMSE_BLOCKING, options_.dimse_timeout_s, &data_pres, stream,
                                          nullptr, nullptr);
        const bool write_ok = stream->good();
        delete stream;  // flushes and closes before the handler reads the bytes
        if (cond.bad()) {
          rx_.release();
          log::info("dimse.store_aborted", {{"calling_ae", calling_ae_}, {"reason", condition_text(cond)}});
          return false;
        }
        auto bytes = write_ok ? rx_.bytes() : Result<std::string_view>(make_error(ErrorCode::io_error, ""));
        if (!bytes) {
          outcome = make_error(ErrorCode::io_error, "writing the received instance failed");
        } else {
          outcome = handler_.store(caller_, {*bytes, req.AffectedSOPClassUID, req.AffectedSOPInstanceUID, ts});
        }
        rx_.release();
      }
    }
    DcmDataset* detail = nullptr;
    if (outcome.is_ok()) {
      rsp.DimseStatus = status::success;
    } else {
      rsp.DimseStatus = store_failure_status(outcome);
      detail = comment_detail(outcome);
      log::warn("dimse.store_failed", {{"calling_ae", calling_ae_},
                                       {"sop_class_uid", req.AffectedSOPClassUID},
                                       {"dimse_status", status_hex(rsp.DimseStatus)},
                                       {"error", error_code_name(outcome.code())}});
    }
    OFCondition cond = DIMSE_sendStoreResponse(assoc_, pres_id, &req, &rsp, detail);
    delete detail;
    return cond.good();
  }

  // Receives the identifier of a C-FIND/C-GET/C-MOVE request.
  std::unique_ptr<DcmDataset> receive_identifier(T_ASC_PresentationContextID pres_id) {
    DcmDataset* ids = nullptr;
    T_ASC_PresentationContextID data_pres = pres_id;
    OFCondition cond = DIMSE_receiveDataSetInMemory(assoc_, DIMSE_BLOCKING, options_.dimse_timeout_s, &data_pres,
                                                    &ids, nullptr, nullptr);
    if (cond.bad()) {
      delete ids;
      return nullptr;
    }
    return std::unique_ptr<DcmDataset>(ids);
  }

  bool cancel_requested(T_ASC_PresentationContextID pres_id, DIC_US message_id) {
    return DIMSE_checkForCancelRQ(assoc_, pres_id, message_id).good();
  }

  // ---- C-FIND ----------------------------------------------------------------
  bool handle_find(T_ASC_PresentationContextID pres_id, T_DIMSE_C_FindRQ& req) {
    auto ids = receive_identifier(pres_id);
    if (!ids) return false;
    const QueryService* service = query_service(accepted_abstract_syntax(pres_id));
    T_DIMSE_C_FindRSP rsp;
    std::memset(&rsp, 0, sizeof rsp);
    auto send_final = [&](std::uint16_t st, const Status& error) {
      rsp.DimseStatus = st;
      DcmDataset* detail = error.is_ok() ? nullptr : comment_detail(error);
      bool ok = DIMSE_sendFindResponse(assoc_, pres_id, &req, &rsp, nullptr, detail).good();
      delete detail;
      return ok;
    };
    if (!service || service->service != Service::find || req.AffectedSOPClassUID != std::string(service->uid))
      return send_final(status::sop_class_not_supported,
                        make_error(ErrorCode::unsupported_sop_class, "C-FIND on a context that is not a find model"));
    auto level = query_level_of(*ids, service->model);
    if (!level) return send_final(status::dataset_does_not_match, level.status());

    bool cancelled = false, broken = false;
    int matches = 0;
    const std::string level_name(query_level_name(*level));
    FindEmitter emit = [&](DcmDataset& match) {
      if (cancelled || broken) return false;
      if (cancel_requested(pres_id, req.MessageID)) {
        cancelled = true;
        return false;
      }
      match.putAndInsertString(DCM_QueryRetrieveLevel, level_name.c_str());
      // Where to retrieve from: us, unless the store said otherwise.
      OFString retrieve_ae;
      if (ids->tagExists(DCM_RetrieveAETitle) &&
          (match.findAndGetOFString(DCM_RetrieveAETitle, retrieve_ae).bad() || retrieve_ae.empty()))
        match.putAndInsertString(DCM_RetrieveAETitle, options_.ae_title.c_str());
      T_DIMSE_C_FindRSP pending;
      std::memset(&pending, 0, sizeof pending);
      pending.DimseStatus = status::pending;
      if (DIMSE_sendFindResponse(assoc_, pres_id, &req, &pending, &match, nullptr).bad()) {
        broken = true;
        return false;
      }
      ++matches;
      return true;
    };
    Status result = handler_.find(caller_, {service->model, *level, ids.get()}, emit);
    if (broken) return false;
    log::info("dimse.find", {{"calling_ae", calling_ae_}, {"level", level_name}, {"matches", matches},
                             {"cancelled", cancelled}, {"error", error_code_name(result.code())}});
    if (cancelled) return send_final(status::cancel, Status::ok());
    if (!result.is_ok()) return send_final(query_failure_status(result), result);
    return send_final(status::success, Status::ok());
  }

  void log_suboperation_failure(std::string_view event, const Status& error) {
    log::warn(event, {{"calling_ae", calling_ae_}, {"error", error_code_name(error.code())}, {"message", error.message()}});
  }

  // ---- C-GET / C-MOVE shared bookkeeping -----------------------------------
  struct SubOps {
    int remaining = 0, completed = 0, failed = 0, warning = 0;
    std::vector<std::string> failed_uids;
    bool cancelled = false;

    void record(const std::string& uid, std::optional<std::uint16_t> st) {
      --remaining;
      if (!st || is_failure_status(*st)) {
        ++failed;
        if (!uid.empty()) failed_uids.push_back(uid);
      } else if (*st == status::success) {
        ++completed;
      } else {
        ++warning;
      }
    }
    std::uint16_t final_status() const {
      if (cancelled) return status::cancel;
      if (failed == 0 && warning == 0) return status::success;
      if (completed == 0 && warning == 0) return status::out_of_resources_subops;
      return status::subops_with_failures;
    }
    // Failed SOP Instance UID List for a final response with failures.
    std::unique_ptr<DcmDataset> failed_identifier() const {
      if (failed_uids.empty()) return nullptr;
      std::string list;
      for (const auto& u : failed_uids) list += (list.empty() ? "" : "\\") + u;
      auto ds = std::make_unique<DcmDataset>();
      ds->putAndInsertString(DCM_FailedSOPInstanceUIDList, list.c_str());
      return ds;
    }
  };

  template <typename Rsp>
  static void fill_counts(Rsp& rsp, const SubOps& ops, bool pending, unsigned remaining_flag, unsigned completed_flag,
                          unsigned failed_flag, unsigned warning_flag) {
    rsp.NumberOfRemainingSubOperations = static_cast<DIC_US>(ops.remaining);
    rsp.NumberOfCompletedSubOperations = static_cast<DIC_US>(ops.completed);
    rsp.NumberOfFailedSubOperations = static_cast<DIC_US>(ops.failed);
    rsp.NumberOfWarningSubOperations = static_cast<DIC_US>(ops.warning);
    rsp.opts |= completed_flag | failed_flag | warning_flag;
    if (pending || ops.cancelled) rsp.opts |= remaining_flag;
  }

  // Common front of C-GET and C-MOVE: identifier, model, level, matching files.
  struct RetrievePlan {
    const QueryService* service = nullptr;
    std::unique_ptr<DcmDataset> ids;
    Status error;  // not ok: answer with a failure
    std::uint16_t failure_status = 0;
    std::vector<fs::path> files;
  };

  std::optional<RetrievePlan> plan_retrieve(T_ASC_PresentationContextID pres_id, const char* affected_sop,
                                            Service expected) {
    RetrievePlan plan;
    plan.ids = receive_identifier(pres_id);
    if (!plan.ids) return std::nullopt;
    plan.service = query_service(accepted_abstract_syntax(pres_id));
    if (!plan.service || plan.service->service != expected || std::string(affected_sop) != plan.service->uid) {
      plan.error = make_error(ErrorCode::unsupported_sop_class, "the request does not match its presentation context");
      plan.failure_status = status::sop_class_not_supported;
      return plan;
    }
    auto level = query_level_of(*plan.ids, plan.service->model);
    if (!level) {
      plan.error = level.status();
      plan.failure_status = status::dataset_does_not_match;
      return plan;
    }
    auto files = handler_.retrieve(caller_, {plan.service->model, *level, plan.ids.get()});
    if (!files) {
      plan.error = files.status();
      plan.failure_status = files.status().code() == ErrorCode::storage_error ||
                                    files.status().code() == ErrorCode::io_error
                                ? status::out_of_resources_matches
                                : query_failure_status(files.status());
      return plan;
    }
    plan.files = std::move(*files);
    return plan;
  }

  // ---- C-GET -----------------------------------------------------------------
  bool handle_get(T_ASC_PresentationContextID pres_id, T_DIMSE_C_GetRQ& req) {
    auto plan = plan_retrieve(pres_id, req.AffectedSOPClassUID, Service::get);
    if (!plan) return false;
    auto send = [&](std::uint16_t st, const SubOps& ops, bool pending, DcmDataset* ids, const Status& error) {
      T_DIMSE_C_GetRSP rsp;
      std::memset(&rsp, 0, sizeof rsp);
      rsp.DimseStatus = st;
      fill_counts(rsp, ops, pending, O_GET_NUMBEROFREMAININGSUBOPERATIONS, O_GET_NUMBEROFCOMPLETEDSUBOPERATIONS,
                  O_GET_NUMBEROFFAILEDSUBOPERATIONS, O_GET_NUMBEROFWARNINGSUBOPERATIONS);
      DcmDataset* detail = error.is_ok() ? nullptr : comment_detail(error);
      bool ok = DIMSE_sendGetResponse(assoc_, pres_id, &req, &rsp, ids, detail).good();
      delete detail;
      return ok;
    };
    SubOps ops;
    if (!plan->error.is_ok()) return send(plan->failure_status, ops, false, nullptr, plan->error);
    ops.remaining = static_cast<int>(plan->files.size());
    for (const auto& file : plan->files) {
      if (cancel_requested(pres_id, req.MessageID)) {
        ops.cancelled = true;
        break;
      }
      auto meta = read_instance_meta(file);
      if (!meta) {
        ops.record("", std::nullopt);
      } else {
        T_DIMSE_DetectedCancelParameters cancel;
        std::memset(&cancel, 0, sizeof cancel);
        SendOptions send_options;
        send_options.dimse_timeout_s = options_.dimse_timeout_s;
        send_options.message_id = assoc_->nextMsgID++;
        send_options.cancel = &cancel;
        auto sent = send_instance(assoc_, file, *meta, send_options);
        if (!sent) log_suboperation_failure("dimse.get_suboperation_failed", sent.status());
        if (!sent && sent.status().code() == ErrorCode::remote_failure) return false;
        ops.record(meta->sop_instance_uid, sent ? std::optional<std::uint16_t>(*sent) : std::nullopt);
        if (cancel.cancelEncountered) ops.cancelled = true;
      }
      if (ops.cancelled) break;
      if (ops.remaining > 0 && !send(status::pending, ops, true, nullptr, Status::ok())) return false;
    }
    auto failed = ops.failed_identifier();
    log::info("dimse.get", {{"calling_ae", calling_ae_}, {"completed", ops.completed}, {"failed", ops.failed},
                            {"warning", ops.warning}, {"cancelled", ops.cancelled}});
    return send(ops.final_status(), ops, false, ops.final_status() == status::success ? nullptr : failed.get(),
                Status::ok());
  }

  // ---- C-MOVE ----------------------------------------------------------------
  bool handle_move(T_ASC_PresentationContextID pres_id, T_DIMSE_C_MoveRQ& req) {
    auto plan = plan_retrieve(pres_id, req.AffectedSOPClassUID, Service::move);
    if (!plan) return false;
    auto send = [&](std::uint16_t st, const SubOps& ops, bool pending, DcmDataset* ids, const Status& error) {
      T_DIMSE_C_MoveRSP rsp;
      std::memset(&rsp, 0, sizeof rsp);
      rsp.DimseStatus = st;
      fill_counts(rsp, ops, pending, O_MOVE_NUMBEROFREMAININGSUBOPERATIONS, O_MOVE_NUMBEROFCOMPLETEDSUBOPERATIONS,
                  O_MOVE_NUMBEROFFAILEDSUBOPERATIONS, O_MOVE_NUMBEROFWARNINGSUBOPERATIONS);
      DcmDataset* detail = error.is_ok() ? nullptr : comment_detail(error);
      bool ok = DIMSE_sendMoveResponse(assoc_, pres_id, &req, &rsp, ids, detail).good();
      delete detail;
      return ok;
    };
    SubOps ops;
    if (!plan->error.is_ok()) return send(plan->failure_status, ops, false, nullptr, plan->error);
    const std::string destination = trim_ae(req.MoveDestination);
    auto node = handler_.resolve_move_destination(caller_, destination);
    if (!node) {
      log::info("dimse.move_destination_unknown", {{"calling_ae", calling_ae_}, {"destination", destination}});
      return send(status::move_destination_unknown, ops, false, nullptr, node.status());
    }

    ops.remaining = static_cast<int>(plan->files.size());
    std::vector<InstanceMeta> metas(plan->files.size());
    for (std::size_t i = 0; i < plan->files.size(); ++i) {
      auto meta = read_instance_meta(plan->files[i]);
      if (meta) metas[i] = *meta;
      else ops.record("", std::nullopt);
    }
    ScuOptions sub_options;
    sub_options.calling_ae = options_.ae_title;
    sub_options.acse_timeout_s = options_.acse_timeout_s;
    sub_options.dimse_timeout_s = options_.dimse_timeout_s;
    sub_options.max_pdu_bytes = options_.max_pdu_bytes;
    for (const auto& batch : plan_store_batches(metas)) {
      if (ops.cancelled) break;
      auto sub = ScuAssociation::open(*node, sub_options, batch.contexts);
      if (!sub) {
        log::warn("dimse.move_subassociation_failed", {{"destination", destination},
                                                       {"error", error_code_name(sub.status().code())},
                                                       {"message", sub.status().message()}});
        for (auto i : batch.items) ops.record(metas[i].sop_instance_uid, std::nullopt);
        continue;
      }
      for (auto i : batch.items) {
        if (cancel_requested(pres_id, req.MessageID)) {
          ops.cancelled = true;
          break;
        }
        SendOptions send_options;
        send_options.dimse_timeout_s = options_.dimse_timeout_s;
        send_options.message_id = (*sub)->next_message_id();
        send_options.move_originator_ae = calling_ae_;
        send_options.move_originator_id = req.MessageID;
        auto sent = send_instance((*sub)->get(), plan->files[i], metas[i], send_options);
        if (!sent) log_suboperation_failure("dimse.move_suboperation_failed", sent.status());
        else if (is_failure_status(*sent))
          log::warn("dimse.move_suboperation_failed", {{"destination", destination}, {"dimse_status", status_hex(*sent)}});
        if (!sent && sent.status().code() == ErrorCode::remote_failure) (*sub)->mark_broken();
        ops.record(metas[i].sop_instance_uid, sent ? std::optional<std::uint16_t>(*sent) : std::nullopt);
        if (ops.remaining > 0 && !send(status::pending, ops, true, nullptr, Status::ok())) return false;
      }
    }
    auto failed = ops.failed_identifier();
    log::info("dimse.move", {{"calling_ae", calling_ae_}, {"destination", destination}, {"completed", ops.completed},
                             {"failed", ops.failed}, {"warning", ops.warning}, {"cancelled", ops.cancelled}});
    return send(ops.final_status(), ops, false, ops.final_status() == status::success ? nullptr : failed.get(),
                Status::ok());
  }

  T_ASC_Association* assoc_;
  const DimseServerOptions& options_;
  DimseHandler& handler_;
  const std::atomic<bool>& stopping_;
  ReceiveBuffer rx_;  // each C-STORE's data set, in memory
  std::string calling_ae_;
  CallerInfo caller_;
};

}  // namespace

void serve_association(T_ASC_Association* assoc, const DimseServerOptions& options, DimseHandler& handler,
                       const std::atomic<bool>& stopping) {
  Session session(assoc, options, handler, stopping);
  session.run();
}

}  // namespace medai::dimse
