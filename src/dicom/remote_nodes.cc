#include "dicom/remote_nodes.h"

#include <netdb.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "access/audit.h"
#include "access/directory.h"
#include "core/clock.h"
#include "core/ids.h"

namespace medai::dicom {
namespace {

using access::Principal;
using storage::Row;
using storage::Transaction;
using storage::TxMode;

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

RemoteNodeRecord row_to_node(const Row& r) {
  RemoteNodeRecord n;
  n.id = r.get_text("id");
  n.institution_id = r.get_text("institution_id");
  n.name = r.get_text("name");
  n.ae_title = r.get_text("ae_title");
  n.host = r.get_text("host");
  n.port = r.get_int("port");
  n.allow_store = r.get_int("allow_store") != 0;
  n.allow_query = r.get_int("allow_query") != 0;
  n.allow_push = r.get_int("allow_push") != 0;
  n.created_at = r.get_int("created_at");
  n.updated_at = r.get_int("updated_at");
  return n;
}

Status require_admin_of(const Principal& actor, const std::string& institution_id) {
  if (!actor.can_administer(institution_id))
    return make_error(ErrorCode::forbidden, "only administrators of the institution manage its DICOM nodes");
  return Status::ok();
}

Status validate(const RemoteNodeRecord& n) {
  MEDAI_RETURN_IF_ERROR(access::Directory::validate_handle("name", n.name));
  MEDAI_RETURN_IF_ERROR(validate_ae_title(n.ae_title));
  if (n.host.empty() || n.host.size() > 253 || n.host.find_first_of(" /\\") != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "host must be a host name or IP address", {{"field", "host"}});
  if (n.port < 1 || n.port > 65535)
    return make_error(ErrorCode::invalid_argument, "port must be 1..65535", {{"field", "port"}});
  return Status::ok();
}

// Does `host` (name or address) denote `peer_address`?
bool host_matches(const std::string& host, const std::string& peer_address) {
  if (host == peer_address) return true;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
  bool match = false;
  for (addrinfo* a = res; a && !match; a = a->ai_next) {
    char buf[INET6_ADDRSTRLEN] = {};
    const void* addr = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                               : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, addr, buf, sizeof buf)) match = peer_address == buf;
  }
  freeaddrinfo(res);
  return match;
}

// A node of the caller's institution (any for platform admins) that the
// caller administers; not_found hides other tenants' nodes.
Result<RemoteNodeRecord> load_administered(Transaction& tx, const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT * FROM dicom_nodes WHERE id = $1 AND ($2 = '' OR "
                                                "institution_id = $2)",
                                                {id, access::tenant_scope(actor)}));
  if (!row) return make_error(ErrorCode::not_found, "no such DICOM node");
  RemoteNodeRecord n = row_to_node(*row);
  MEDAI_RETURN_IF_ERROR(require_admin_of(actor, n.institution_id));
  return n;
}

}  // namespace

Status validate_ae_title(const std::string& raw) {
  const std::string ae = trim(raw);
  bool ok = !ae.empty() && raw.size() <= 16;
  for (char c : raw) ok = ok && c != '\\' && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  if (!ok)
    return make_error(ErrorCode::invalid_argument,
                      "AE title must be 1-16 printable ASCII characters without backslash, not only spaces",
                      {{"field", "ae_title"}});
  return Status::ok();
}

nlohmann::json to_json(const RemoteNodeRecord& n) {
  return {{"id", n.id},
          {"institution_id", n.institution_id},
          {"name", n.name},
          {"ae_title", n.ae_title},
          {"host", n.host},
          {"port", n.port},
          {"allow_store", n.allow_store},
          {"allow_query", n.allow_query},
          {"allow_push", n.allow_push},
          {"created_at", iso8601_utc(n.created_at)},
          {"updated_at", iso8601_utc(n.updated_at)}};
}

namespace {

// The AE title is unique (a calling AE title identifies its node): a clash is
// named by field, not by the catalog's constraint.
Status with_ae_title_field(Status s) {
  if (s.code() != ErrorCode::already_exists) return s;
  return make_error(ErrorCode::already_exists, "another DICOM node already has this AE title",
                    {{"field", "ae_title"}});
}

}  // namespace

Result<RemoteNodeRecord> RemoteNodes::create(const Principal& actor, RemoteNodeRecord n) {
  if (n.institution_id.empty()) n.institution_id = actor.institution_id;
  MEDAI_RETURN_IF_ERROR(require_admin_of(actor, n.institution_id));
  n.ae_title = trim(n.ae_title);
  MEDAI_RETURN_IF_ERROR(validate(n));
  n.id = new_id("dn");
  n.created_at = n.updated_at = now_ms();
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(auto inst, tx.query_one("SELECT id FROM institutions WHERE id = $1", {n.institution_id}));
    if (!inst) return make_error(ErrorCode::not_found, "no such institution");
    MEDAI_RETURN_IF_ERROR(with_ae_title_field(
        tx.exec("INSERT INTO dicom_nodes (id, institution_id, name, ae_title, host, port, allow_store, allow_query, "
                "allow_push, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                {n.id, n.institution_id, n.name, n.ae_title, n.host, n.port, std::int64_t{n.allow_store},
                 std::int64_t{n.allow_query}, std::int64_t{n.allow_push}, n.created_at, n.updated_at})
            .status()));
    auto ev = access::audit_event(actor, "dicom_node.create", "dicom_node", n.id);
    ev.institution_id = n.institution_id;
    ev.detail = {{"ae_title", n.ae_title}, {"host", n.host}, {"port", n.port}};
    return access::record_audit(tx, ev);
  }));
  return n;
}

Result<std::vector<RemoteNodeRecord>> RemoteNodes::list(const Principal& actor) {
  if (!actor.is_platform_admin() && !actor.has_role(access::Role::institution_admin))
    return make_error(ErrorCode::forbidden, "administrators only");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT * FROM dicom_nodes WHERE ($1 = '' OR institution_id = $1) "
                                              "ORDER BY institution_id, name",
                                              {access::tenant_scope(actor)}));
  std::vector<RemoteNodeRecord> out;
  for (const auto& r : rows) out.push_back(row_to_node(r));
  return out;
}

Result<RemoteNodeRecord> RemoteNodes::get(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  return load_administered(*tx, actor, id);
}

Result<RemoteNodeRecord> RemoteNodes::update(const Principal& actor, const std::string& id, const NodePatch& patch) {
  RemoteNodeRecord n;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(n, load_administered(tx, actor, id));
    if (patch.ae_title) n.ae_title = trim(*patch.ae_title);
    if (patch.host) n.host = *patch.host;
    if (patch.port) n.port = *patch.port;
    if (patch.allow_store) n.allow_store = *patch.allow_store;
    if (patch.allow_query) n.allow_query = *patch.allow_query;
    if (patch.allow_push) n.allow_push = *patch.allow_push;
    MEDAI_RETURN_IF_ERROR(validate(n));
    n.updated_at = now_ms();
    MEDAI_RETURN_IF_ERROR(with_ae_title_field(tx.exec("UPDATE dicom_nodes SET ae_title = $2, host = $3, port = $4, allow_store = $5, "
                                  "allow_query = $6, allow_push = $7, updated_at = $8 WHERE id = $1",
                                  {n.id, n.ae_title, n.host, n.port, std::int64_t{n.allow_store},
                                   std::int64_t{n.allow_query}, std::int64_t{n.allow_push}, n.updated_at})
                              .status()));
    auto ev = access::audit_event(actor, "dicom_node.update", "dicom_node", n.id);
    ev.institution_id = n.institution_id;
    return access::record_audit(tx, ev);
  }));
  return n;
}

Status RemoteNodes::remove(const Principal& actor, const std::string& id) {
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(RemoteNodeRecord n, load_administered(tx, actor, id));
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM dicom_nodes WHERE id = $1", {id}).status());
    auto ev = access::audit_event(actor, "dicom_node.delete", "dicom_node", n.id);
    ev.institution_id = n.institution_id;
    return access::record_audit(tx, ev);
  });
}

Result<RemoteNodeRecord> RemoteNodes::find_caller(const std::string& calling_ae, const std::string& peer_address) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT * FROM dicom_nodes WHERE ae_title = $1", {trim(calling_ae)}));
  if (!row) return make_error(ErrorCode::not_found, "calling AE title is not a registered node");
  RemoteNodeRecord n = row_to_node(*row);
  if (!host_matches(n.host, peer_address))
    return make_error(ErrorCode::forbidden, "calling AE title is registered for another host");
  return n;
}

Result<RemoteNodeRecord> RemoteNodes::find_by_ae(const std::string& institution_id, const std::string& ae_title) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT * FROM dicom_nodes WHERE ae_title = $1 AND institution_id = $2",
                                                 {trim(ae_title), institution_id}));
  if (!row) return make_error(ErrorCode::not_found, "no such DICOM node");
  return row_to_node(*row);
}

}  // namespace medai::dicom
