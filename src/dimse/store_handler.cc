#include "dimse/store_handler.h"

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>

#include <set>

#include "dicom/dicom_json.h"
#include "dicom/qido_query.h"

namespace medai::dimse {
namespace {

using nlohmann::json;

// The DIMSE peer acts inside its institution, like a doctor's workstation.
access::Principal principal_of(const CallerInfo& caller) {
  access::Principal p;
  p.user_id = "dimse:" + caller.calling_ae;
  p.username = caller.calling_ae;
  p.institution_id = caller.institution_id;
  p.roles = {access::Role::doctor};
  return p;
}

dicom::QidoLevel qido_level(QueryLevel level) {
  switch (level) {
    case QueryLevel::patient:
    case QueryLevel::study: return dicom::QidoLevel::study;
    case QueryLevel::series: return dicom::QidoLevel::series;
    case QueryLevel::image: return dicom::QidoLevel::instance;
  }
  return dicom::QidoLevel::study;
}

std::uint32_t tag_of(const DcmTag& t) { return (static_cast<std::uint32_t>(t.getGroup()) << 16) | t.getElement(); }

// Identifier → QIDO query: every non-empty key is a matching key, every key
// is a return key. Keys the index does not hold are returned empty.
Result<dicom::QidoQuery> query_of(const QueryRequest& request, std::vector<std::uint32_t>& return_keys) {
  dicom::QidoQuery q;
  q.level = qido_level(request.level);
  q.limit = dicom::kQidoMaxLimit;
  auto& ds = const_cast<DcmDataset&>(*request.identifier);
  for (unsigned long i = 0; i < ds.card(); ++i) {
    DcmElement* e = ds.getElement(i);
    const std::uint32_t tag = tag_of(e->getTag());
    if (tag == 0x00080052 || tag == 0x00080005 || e->ident() == EVR_SQ) continue;
    return_keys.push_back(tag);
    OFString value;
    if (e->getOFStringArray(value).bad() || value.empty()) continue;
    std::string v(value.c_str());
    if (v == "*") continue;  // universal match
    if (tag == 0x0020000D && v.find_first_of("\\*?") == std::string::npos && q.level != dicom::QidoLevel::study) {
      q.study_uid = v;
      continue;
    }
    q.filters.push_back({tag, v});
  }
  return q;
}

// One DICOM JSON value → the string DCMTK stores (backslash-joined values,
// person names as "alphabetic=ideographic=phonetic").
std::string string_of(const json& attribute) {
  if (!attribute.contains("Value")) return {};
  std::string out;
  bool first = true;
  for (const auto& v : attribute["Value"]) {
    if (!first) out += '\\';
    first = false;
    if (v.is_string()) {
      out += v.get<std::string>();
    } else if (v.is_number_integer()) {
      out += std::to_string(v.get<std::int64_t>());
    } else if (v.is_number()) {
      out += json(v.get<double>()).dump();
    } else if (v.is_object()) {
      std::string pn = v.value("Alphabetic", "");
      const std::string ideo = v.value("Ideographic", ""), phon = v.value("Phonetic", "");
      if (!ideo.empty() || !phon.empty()) pn += "=" + ideo;
      if (!phon.empty()) pn += "=" + phon;
      out += pn;
    }
  }
  return out;
}

void put(DcmDataset& out, std::uint32_t tag, const std::string& value) {
  out.putAndInsertOFStringArray(DcmTagKey(static_cast<Uint16>(tag >> 16), static_cast<Uint16>(tag & 0xffff)),
                                OFString(value.c_str(), value.size()));
}

}  // namespace

StoreHandler::StoreHandler(dicom::InstanceStore& store, dicom::RemoteNodes& nodes, std::string default_institution_id)
    : store_(store), nodes_(nodes), default_institution_id_(std::move(default_institution_id)) {}

Result<CallerInfo> StoreHandler::authorize_caller(const AssociationInfo& a) {
  auto node = nodes_.find_caller(a.calling_ae, a.peer_address);
  if (node) {
    std::lock_guard lock(mutex_);
    permissions_[node->id] = {node->allow_store, node->allow_query};
    return CallerInfo{a.calling_ae, a.peer_address, node->institution_id, node->id};
  }
  if (node.status().code() == ErrorCode::not_found && !default_institution_id_.empty())
    return CallerInfo{a.calling_ae, a.peer_address, default_institution_id_, ""};
  return node.status();
}

StoreHandler::Permissions StoreHandler::permissions_of(const CallerInfo& caller) {
  if (caller.node_id.empty()) return {};
  std::lock_guard lock(mutex_);
  auto it = permissions_.find(caller.node_id);
  return it == permissions_.end() ? Permissions{false, false} : it->second;
}

Status StoreHandler::store(const CallerInfo& caller, const StoreRequest& request) {
  if (!permissions_of(caller).store)
    return make_error(ErrorCode::forbidden, "this node may not store instances here");
  dicom::IngestContext context{.institution_id = caller.institution_id,
                               .calling_ae = caller.calling_ae,
                               .protocol = "dimse"};
  dicom::IngestResult r = store_.ingest(dicom::IngestItem{.bytes = request.part10}, context);
  if (!r.ok()) return r.error;
  if (r.keys.sop_instance_uid != request.sop_instance_uid || r.keys.sop_class_uid != request.sop_class_uid)
    // Stored under the data set's own UIDs; the request disagreed. Report it
    // (0xB007-like) without undoing a durable, consistent store.
    return make_error(ErrorCode::dicom_missing_attribute, "data set UIDs differ from the C-STORE request");
  return Status::ok();
}

Status StoreHandler::find(const CallerInfo& caller, const QueryRequest& request, const FindEmitter& emit) {
  if (!permissions_of(caller).query) return make_error(ErrorCode::forbidden, "this node may not query");
  std::vector<std::uint32_t> return_keys;
  MEDAI_ASSIGN_OR_RETURN(dicom::QidoQuery q, query_of(request, return_keys));
  const access::Principal who = principal_of(caller);
  std::set<std::string> patients_seen;  // PATIENT level: one answer per patient
  for (q.offset = 0;; q.offset += q.limit) {
    MEDAI_ASSIGN_OR_RETURN(json page, dicom::run_qido(store_.catalog(), who, q, ""));
    for (const auto& match : page) {
      if (request.level == QueryLevel::patient) {
        const std::string pid = match.contains("00100020") ? string_of(match["00100020"]) : "";
        if (!patients_seen.insert(pid).second) continue;
      }
      DcmDataset out;
      out.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
      for (std::uint32_t tag : return_keys) {
        const std::string key = dicom::tag_key(tag);
        put(out, tag, match.contains(key) ? string_of(match[key]) : "");
      }
      if (!emit(out)) return Status::ok();
    }
    if (static_cast<std::int64_t>(page.size()) < q.limit) break;
  }
  return Status::ok();
}

Result<std::vector<std::filesystem::path>> StoreHandler::retrieve(const CallerInfo& caller,
                                                                   const QueryRequest& request) {
  if (!permissions_of(caller).query) return make_error(ErrorCode::forbidden, "this node may not retrieve");
  std::vector<std::uint32_t> return_keys;
  MEDAI_ASSIGN_OR_RETURN(dicom::QidoQuery q, query_of(request, return_keys));
  const access::Principal who = principal_of(caller);
  // Resolve the identifier to study / series / instance selectors.
  std::vector<dicom::InstanceSelector> selectors;
  std::set<std::string> seen;
  for (q.offset = 0;; q.offset += q.limit) {
    MEDAI_ASSIGN_OR_RETURN(json page, dicom::run_qido(store_.catalog(), who, q, ""));
    for (const auto& m : page) {
      dicom::InstanceSelector s;
      s.study_uid = m.contains("0020000D") ? string_of(m["0020000D"]) : q.study_uid;
      if (q.level != dicom::QidoLevel::study && m.contains("0020000E")) s.series_uid = string_of(m["0020000E"]);
      if (q.level == dicom::QidoLevel::instance && m.contains("00080018")) s.sop_instance_uid = string_of(m["00080018"]);
      if (seen.insert(s.study_uid + "|" + s.series_uid + "|" + s.sop_instance_uid).second) selectors.push_back(s);
    }
    if (static_cast<std::int64_t>(page.size()) < q.limit) break;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& s : selectors) {
    auto found = store_.locate(who, s, "dicom.retrieve");
    if (!found) {
      if (found.status().code() == ErrorCode::not_found) continue;
      return found.status();
    }
    for (const auto& i : *found) files.push_back(i.path);
  }
  return files;
}

Result<RemoteNode> StoreHandler::resolve_move_destination(const CallerInfo& caller, const std::string& ae) {
  MEDAI_ASSIGN_OR_RETURN(auto node, nodes_.find_by_ae(caller.institution_id, ae));
  if (!node.allow_push) return make_error(ErrorCode::forbidden, "we may not send to this node");
  return RemoteNode{node.ae_title, node.host, static_cast<std::uint16_t>(node.port)};
}

}  // namespace medai::dimse
