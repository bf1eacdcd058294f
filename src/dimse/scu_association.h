#pragma once
// Internal to src/dimse: one association we request (SCU, C-MOVE
// sub-association) and the planning of storage presentation contexts.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmnet/assoc.h>
#include <dcmtk/dcmnet/dimse.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "dimse/dcmtk_support.h"
#include "dimse/handler.h"
#include "dimse/scu.h"

namespace medai::dimse {

struct ProposedContext {
  std::string abstract_syntax;
  std::vector<std::string> transfer_syntaxes;
  T_ASC_SC_ROLE role = ASC_SC_ROLE_DEFAULT;
};

// One requested association; released (or aborted) and freed on destruction.
class ScuAssociation {
 public:
  static Result<std::unique_ptr<ScuAssociation>> open(const RemoteNode& node, const ScuOptions& options,
                                                      const std::vector<ProposedContext>& contexts) {
    MEDAI_RETURN_IF_ERROR(ensure_dcmtk_ready());
    if (contexts.empty() || contexts.size() > 128)
      return make_error(ErrorCode::internal, "an association needs 1..128 presentation contexts");
    auto self = std::unique_ptr<ScuAssociation>(new ScuAssociation());
    OFCondition cond = ASC_initializeNetwork(NET_REQUESTOR, 0, options.acse_timeout_s, &self->net_);
    if (cond.bad()) return make_error(ErrorCode::internal, "cannot initialise the DICOM network: " + condition_text(cond));
    T_ASC_Parameters* params = nullptr;
    cond = ASC_createAssociationParameters(&params, options.max_pdu_bytes);
    if (cond.bad()) return make_error(ErrorCode::internal, "cannot create association parameters");
    ASC_setAPTitles(params, options.calling_ae.c_str(), node.ae_title.c_str(), nullptr);
    const std::string peer = node.host + ":" + std::to_string(node.port);
    ASC_setPresentationAddresses(params, "localhost", peer.c_str());
    T_ASC_PresentationContextID id = 1;
    for (const auto& c : contexts) {
      std::vector<const char*> ts;
      for (const auto& t : c.transfer_syntaxes) ts.push_back(t.c_str());
      cond = ASC_addPresentationContext(params, id, c.abstract_syntax.c_str(), ts.data(),
                                        static_cast<int>(ts.size()), c.role);
      if (cond.bad()) {
        ASC_destroyAssociationParameters(&params);
        return make_error(ErrorCode::internal, "cannot add a presentation context: " + condition_text(cond));
      }
      id = static_cast<T_ASC_PresentationContextID>(id + 2);
    }
    cond = ASC_requestAssociation(self->net_, params, &self->assoc_);
    if (cond.bad()) {
      nlohmann::json detail = {{"node", node.ae_title + "@" + peer}};
      if (cond == DUL_ASSOCIATIONREJECTED) {
        T_ASC_RejectParameters rej;
        ASC_getRejectParameters(params, &rej);
        detail["reject_result"] = static_cast<int>(rej.result);
        detail["reject_source"] = static_cast<int>(rej.source);
        // DCMTK keeps the source in the high byte of its reason enum
        // (0x0107); the A-ASSOCIATE-RJ PDU's reason is the low byte (PS3.8 9.3.4).
        detail["reject_reason"] = static_cast<int>(rej.reason) & 0xFF;
        if (self->assoc_ == nullptr) ASC_destroyAssociationParameters(&params);
        return make_error(ErrorCode::remote_failure, "the peer rejected the association", detail);
      }
      if (self->assoc_ == nullptr) ASC_destroyAssociationParameters(&params);
      return make_error(ErrorCode::unavailable, "cannot open an association: " + condition_text(cond), detail);
    }
    disable_nagle(self->assoc_);
    self->open_ = true;
    if (ASC_countAcceptedPresentationContexts(self->assoc_->params) == 0) {
      self->release_ = false;  // abort: there is nothing we could do on it
      return make_error(ErrorCode::remote_failure, "the peer accepted none of the proposed presentation contexts",
                        {{"node", node.ae_title + "@" + peer}});
    }
    return self;
  }

  ~ScuAssociation() {
    if (assoc_) {
      if (open_) {
        if (release_) ASC_releaseAssociation(assoc_);
        else ASC_abortAssociation(assoc_);
      }
      ASC_destroyAssociation(&assoc_);
    }
    if (net_) ASC_dropNetwork(&net_);
  }

  T_ASC_Association* get() const { return assoc_; }
  T_ASC_PresentationContextID context_for(const char* abstract_syntax) const {
    return ASC_findAcceptedPresentationContextID(assoc_, abstract_syntax);
  }
  DIC_US next_message_id() { return assoc_->nextMsgID++; }
  // After a network failure: abort instead of releasing on destruction.
  void mark_broken() { release_ = false; }

 private:
  ScuAssociation() = default;
  T_ASC_Network* net_ = nullptr;
  T_ASC_Association* assoc_ = nullptr;
  bool open_ = false;
  bool release_ = true;
};


// Groups instances into batches whose presentation contexts (each SOP class
// with the instance's own transfer syntax, plus an uncompressed fallback) fit
// into one association (at most 128 contexts). Unreadable entries (empty
// sop_class_uid) are skipped.
struct StoreBatch {
  std::vector<ProposedContext> contexts;
  std::vector<std::size_t> items;  // indexes into the input
};
std::vector<StoreBatch> plan_store_batches(const std::vector<InstanceMeta>& metas);

}  // namespace medai::dimse
