#pragma once
// Access audit trail: who did what to which resource, allowed or denied.
// Written in the same transaction as the change it records, so a change
// never exists without its audit row. Never put patient data in `detail`.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "storage/catalog.h"

namespace medai::access {

struct AuditEvent {
  std::string id;
  std::int64_t at = 0;
  std::string actor_user_id;   // "" for anonymous (failed log-in)
  std::string institution_id;  // tenant the event belongs to
  std::string action;          // e.g. "user.create", "auth.login"
  std::string resource_type;   // e.g. "user"
  std::string resource_id;
  std::string outcome;         // "allowed" | "denied" | "failed"
  nlohmann::json detail = nlohmann::json::object();
};

Status record_audit(storage::Transaction& tx, AuditEvent event);
// Convenience for events outside a change (log-in failures, denials).
Status record_audit(storage::Catalog& catalog, AuditEvent event);
AuditEvent audit_event(const Principal& actor, std::string action, std::string resource_type,
                       std::string resource_id, std::string outcome = "allowed");

// Newest first. Platform admins see all; institution admins their tenant.
// How many events list_audit_events() pages through (same checks).
Result<std::int64_t> count_audit_events(storage::Catalog& catalog, const Principal& who);
Result<std::vector<AuditEvent>> list_audit_events(storage::Catalog& catalog, const Principal& who,
                                                  std::int64_t limit, std::int64_t offset);
nlohmann::json to_json(const AuditEvent& e);

}  // namespace medai::access
