#include "dimse/dcmtk_support.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <dcmtk/dcmdata/dcdict.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmnet/dcmtrans.h>
#include <dcmtk/dcmnet/dul.h>
#include <dcmtk/dcmnet/dulstruc.h>
#include <dcmtk/oflog/oflog.h>

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "codecs/dcmtk_codecs.h"
#include "dimse/sop_classes.h"

namespace medai::dimse {

Status ensure_dcmtk_ready() {
  static std::once_flag once;
  static Status result;
  std::call_once(once, [] {
    // MEDAI_DCMTK_LOG=warn|debug turns DCMTK's own diagnostics on (stderr) for
    // troubleshooting a peer; debug dumps datasets, so never in production.
    const char* level = std::getenv("MEDAI_DCMTK_LOG");
    OFLog::configure(level && std::string(level) == "debug"  ? OFLogger::DEBUG_LOG_LEVEL
                     : level && std::string(level) == "warn" ? OFLogger::WARN_LOG_LEVEL
                                                             : OFLogger::ERROR_LOG_LEVEL);
    if (!dcmDataDict.isDictionaryLoaded()) {
      result = make_error(ErrorCode::config_error,
                          "the DICOM data dictionary is not loaded (check DCMDICTPATH)");
      return;
    }
    // Bound the TCP connect of our SCU (DCMTK's default blocks until the
    // kernel gives up, minutes for an unreachable host). Process-wide.
    dcmConnectionTimeout.set(30);
    // Peers are reported by numeric address (handler.h's contract; callers
    // are matched against their registered host) and no association waits
    // on a reverse DNS lookup.
    dcmDisableGethostbyaddr.set(OFTrue);
    codecs::register_dcmtk_decoders();
  });
  return result;
}

namespace {
// DcmTransportConnection::getSocket() is protected; naming it through a
// derived class yields a member pointer we may call (no instance is made).
struct SocketAccess : DcmTransportConnection {
  static DcmNativeSocketType socket_of(DcmTransportConnection* c) {
    auto member = &SocketAccess::getSocket;
    return (c->*member)();
  }
};

int association_socket(T_ASC_Association* assoc) {
  if (assoc == nullptr || assoc->DULassociation == nullptr) return -1;
  // DUL keeps the transport connection in its private association key; the
  // struct is part of DCMTK's installed headers (dulstruc.h).
  auto* key = reinterpret_cast<PRIVATE_ASSOCIATIONKEY*>(assoc->DULassociation);
  if (key->connection == nullptr) return -1;
  return SocketAccess::socket_of(key->connection);
}
}  // namespace

void disable_nagle(T_ASC_Association* assoc) {
  int fd = association_socket(assoc);
  if (fd < 0) return;
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void quick_ack(T_ASC_Association* assoc) {
  int fd = association_socket(assoc);
  if (fd < 0) return;
  int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

bool nagle_disabled(T_ASC_Association* assoc) {
  int fd = association_socket(assoc);
  if (fd < 0) return false;
  int value = 0;
  socklen_t len = sizeof value;
  return ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) == 0 && value != 0;
}

bool ignore_dataset(T_ASC_Association* assoc, int timeout_s) {
  DIC_UL bytes = 0, pdvs = 0;
  return DIMSE_ignoreDataSet(assoc, DIMSE_BLOCKING, timeout_s, &bytes, &pdvs).good();
}

std::string condition_text(const OFCondition& cond) { return cond.text() ? cond.text() : "unknown"; }

std::string trim_ae(const char* ae) {
  std::string s = ae ? ae : "";
  auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(' ');
  return s.substr(b, e - b + 1);
}

Result<InstanceMeta> read_instance_meta(const std::filesystem::path& file) {
  DcmFileFormat ff;
  OFCondition cond = ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_metaOnly);
  if (cond.bad())
    return make_error(ErrorCode::invalid_dicom, "not a readable DICOM Part 10 file", {{"file", file.filename().string()}});
  DcmMetaInfo* meta = ff.getMetaInfo();
  OFString sop_class, sop_instance, ts;
  meta->findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
  meta->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, sop_instance);
  meta->findAndGetOFString(DCM_TransferSyntaxUID, ts);
  if (sop_class.empty() || sop_instance.empty() || ts.empty())
    return make_error(ErrorCode::dicom_missing_attribute, "the file meta information lacks SOP class, instance or transfer syntax",
                      {{"file", file.filename().string()}});
  return InstanceMeta{sop_class.c_str(), sop_instance.c_str(), ts.c_str()};
}

namespace {
// An accepted context with exactly this abstract and transfer syntax, or 0.
// (ASC_findAcceptedPresentationContextID falls back to any context of the
// SOP class, which would make DCMTK transcode or fail.)
T_ASC_PresentationContextID find_exact_context(T_ASC_Association* assoc, const std::string& sop_class,
                                               const char* transfer_syntax) {
  const int count = ASC_countPresentationContexts(assoc->params);
  for (int i = 0; i < count; ++i) {
    T_ASC_PresentationContext pc;
    if (ASC_getPresentationContext(assoc->params, i, &pc).bad()) continue;
    if (pc.resultReason == ASC_P_ACCEPTANCE && sop_class == pc.abstractSyntax &&
        std::strcmp(pc.acceptedTransferSyntax, transfer_syntax) == 0)
      return pc.presentationContextID;
  }
  return 0;
}

T_ASC_PresentationContextID find_uncompressed_context(T_ASC_Association* assoc, const std::string& sop_class) {
  for (const char* ts : {UID_LittleEndianExplicitTransferSyntax, UID_LittleEndianImplicitTransferSyntax,
                         UID_BigEndianExplicitTransferSyntax}) {
    T_ASC_PresentationContextID id = find_exact_context(assoc, sop_class, ts);
    if (id != 0) return id;
  }
  return 0;
}
}  // namespace

Result<std::uint16_t> send_instance(T_ASC_Association* assoc, const std::filesystem::path& file,
                                    const InstanceMeta& meta, const SendOptions& options) {
  T_ASC_PresentationContextID pres_id =
      find_exact_context(assoc, meta.sop_class_uid, meta.transfer_syntax_uid.c_str());
  DcmFileFormat loaded;  // only used when the file cannot go out as it is
  DcmDataset* dataset = nullptr;
  if (pres_id == 0) {
    pres_id = find_uncompressed_context(assoc, meta.sop_class_uid);
    if (pres_id == 0) {
      bool any = ASC_findAcceptedPresentationContextID(assoc, meta.sop_class_uid.c_str()) != 0;
      return make_error(any ? ErrorCode::unsupported_transfer_syntax : ErrorCode::unsupported_sop_class,
                        any ? "the peer accepted neither the instance's transfer syntax nor an uncompressed one"
                            : "the peer did not accept the instance's SOP class",
                        {{"sop_class_uid", meta.sop_class_uid}, {"transfer_syntax_uid", meta.transfer_syntax_uid}});
    }
    if (loaded.loadFile(file.c_str()).bad())
      return make_error(ErrorCode::invalid_dicom, "the instance could not be read", {{"file", file.filename().string()}});
    dataset = loaded.getDataset();
    if (!is_uncompressed_transfer_syntax(meta.transfer_syntax_uid)) {
      if (Status decoded = codecs::decompress_dataset(*dataset); !decoded.is_ok())
        return make_error(decoded.code(),
                          "the peer needs the instance uncompressed and it cannot be decompressed: " + decoded.message(),
                          {{"transfer_syntax_uid", meta.transfer_syntax_uid},
                           {"reason", decoded.detail().is_object() ? decoded.detail().value("reason", "") : ""}});
    }
  }

  T_DIMSE_C_StoreRQ req;
  std::memset(&req, 0, sizeof req);
  req.MessageID = options.message_id;
  OFStandard::strlcpy(req.AffectedSOPClassUID, meta.sop_class_uid.c_str(), sizeof req.AffectedSOPClassUID);
  OFStandard::strlcpy(req.AffectedSOPInstanceUID, meta.sop_instance_uid.c_str(), sizeof req.AffectedSOPInstanceUID);
  req.DataSetType = DIMSE_DATASET_PRESENT;
  req.Priority = DIMSE_PRIORITY_MEDIUM;
  if (!options.move_originator_ae.empty()) {
    req.opts = O_STORE_MOVEORIGINATORAETITLE | O_STORE_MOVEORIGINATORID;
    OFStandard::strlcpy(req.MoveOriginatorApplicationEntityTitle, options.move_originator_ae.c_str(),
                        sizeof req.MoveOriginatorApplicationEntityTitle);
    req.MoveOriginatorID = options.move_originator_id;
  }
  T_DIMSE_C_StoreRSP rsp;
  std::memset(&rsp, 0, sizeof rsp);
  DcmDataset* status_detail = nullptr;
  OFCondition cond = DIMSE_storeUser(assoc, pres_id, &req, dataset ? nullptr : file.c_str(), dataset, nullptr,
                                     nullptr, DIMSE_BLOCKING, options.dimse_timeout_s, &rsp, &status_detail,
                                     options.cancel);
  delete status_detail;
  if (cond.bad())
    return make_error(ErrorCode::remote_failure, "C-STORE failed: " + condition_text(cond));
  return static_cast<std::uint16_t>(rsp.DimseStatus);
}

}  // namespace medai::dimse
