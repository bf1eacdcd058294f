#include "access/audit.h"

#include "core/clock.h"
#include "core/ids.h"
#include "core/phi.h"

namespace medai::access {

AuditEvent audit_event(const Principal& actor, std::string action, std::string resource_type,
                       std::string resource_id, std::string outcome) {
  AuditEvent e;
  e.actor_user_id = actor.user_id;
  e.institution_id = actor.institution_id;
  e.action = std::move(action);
  e.resource_type = std::move(resource_type);
  e.resource_id = std::move(resource_id);
  e.outcome = std::move(outcome);
  return e;
}

Status record_audit(storage::Transaction& tx, AuditEvent e) {
  if (e.id.empty()) e.id = new_id("aud");
  if (e.at == 0) e.at = now_ms();
  // Belt and braces: detail must not carry PHI even if a caller slips.
  const std::string detail = phi::mask_fields(e.detail).dump();
  auto r = tx.exec(
      "INSERT INTO audit_events (id, at, actor_user_id, institution_id, action, resource_type, "
      "resource_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {e.id, e.at, e.actor_user_id, e.institution_id, e.action, e.resource_type, e.resource_id,
       e.outcome, detail});
  return r.status();
}

Status record_audit(storage::Catalog& catalog, AuditEvent event) {
  return storage::with_transaction(catalog, storage::TxMode::read_write,
                                   [&](storage::Transaction& tx) { return record_audit(tx, event); });
}

Result<std::vector<AuditEvent>> list_audit_events(storage::Catalog& catalog, const Principal& who,
                                                  std::int64_t limit, std::int64_t offset) {
  if (!who.is_platform_admin() && !who.has_role(Role::institution_admin))
    return make_error(ErrorCode::forbidden, "only administrators can read the audit trail");
  const std::string scope = who.is_platform_admin() ? "" : who.institution_id;
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows,
                         tx->query("SELECT * FROM audit_events WHERE ($1 = '' OR institution_id = $1) "
                                   "ORDER BY at DESC, id DESC LIMIT $2 OFFSET $3",
                                   {scope, limit, offset}));
  std::vector<AuditEvent> out;
  for (const auto& row : rows) {
    AuditEvent e;
    e.id = row.get_text("id");
    e.at = row.get_int("at");
    e.actor_user_id = row.get_text("actor_user_id");
    e.institution_id = row.get_text("institution_id");
    e.action = row.get_text("action");
    e.resource_type = row.get_text("resource_type");
    e.resource_id = row.get_text("resource_id");
    e.outcome = row.get_text("outcome");
    e.detail = nlohmann::json::parse(row.get_text("detail", "{}"), nullptr, false);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::int64_t> count_audit_events(storage::Catalog& catalog, const Principal& who) {
  if (!who.is_platform_admin() && !who.has_role(Role::institution_admin))
    return make_error(ErrorCode::forbidden, "only administrators can read the audit trail");
  const std::string scope = who.is_platform_admin() ? "" : who.institution_id;
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT COUNT(*) AS n FROM audit_events WHERE ($1 = '' OR institution_id = $1)",
                                                 {scope}));
  return row ? row->get_int("n") : 0;
}

nlohmann::json to_json(const AuditEvent& e) {
  return {{"id", e.id},
          {"at", iso8601_utc(e.at)},
          {"actor_user_id", e.actor_user_id},
          {"institution_id", e.institution_id},
          {"action", e.action},
          {"resource_type", e.resource_type},
          {"resource_id", e.resource_id},
          {"outcome", e.outcome},
          {"detail", e.detail.is_discarded() ? nlohmann::json::object() : e.detail}};
}

}  // namespace medai::access
