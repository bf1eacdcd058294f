#include "jobs/routing_rules.h"

#include "access/audit.h"
#include "core/clock.h"
#include "core/ids.h"

namespace medai::jobs {
namespace {

constexpr const char* kColumns =
    "id, institution_id, name, enabled, match_json, action_json, created_by, created_at, updated_at";

RoutingRule rule_of(const storage::Row& r) {
  RoutingRule rule;
  rule.id = r.get_text("id");
  rule.institution_id = r.get_text("institution_id");
  rule.name = r.get_text("name");
  rule.enabled = r.get_int("enabled") != 0;
  // Stored rules were validated on write; a row that no longer parses (a
  // newer schema) yields an empty match that is disabled below.
  auto m = parse_rule_match(nlohmann::json::parse(r.get_text("match_json"), nullptr, false));
  auto a = parse_rule_action(nlohmann::json::parse(r.get_text("action_json"), nullptr, false));
  if (m) rule.match = *m;
  if (a) rule.action = *a;
  if (!m || !a) rule.enabled = false;
  rule.created_by = r.get_text("created_by");
  rule.created_at = r.get_int("created_at");
  rule.updated_at = r.get_int("updated_at");
  return rule;
}

Status check_name(const std::string& name) {
  if (name.empty() || name.size() > 100)
    return make_error(ErrorCode::invalid_argument, "rule name must be 1..100 characters", {{"field", "name"}});
  return Status::ok();
}

Status not_found() { return make_error(ErrorCode::not_found, "no such routing rule"); }

}  // namespace

Result<std::vector<RoutingRule>> RoutingRules::list(const access::Principal& who) {
  if (!who.is_platform_admin() && !who.has_role(access::Role::institution_admin))
    return make_error(ErrorCode::forbidden, "routing rules are managed by institution administrators");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  storage::Rows rows;
  if (who.is_platform_admin()) {
    MEDAI_ASSIGN_OR_RETURN(rows, tx->query(std::string("SELECT ") + kColumns +
                                           " FROM routing_rules ORDER BY institution_id, created_at, id"));
  } else {
    MEDAI_ASSIGN_OR_RETURN(rows, tx->query(std::string("SELECT ") + kColumns +
                                               " FROM routing_rules WHERE institution_id = $1 ORDER BY created_at, id",
                                           {who.institution_id}));
  }
  std::vector<RoutingRule> out;
  for (const auto& r : rows) out.push_back(rule_of(r));
  return out;
}

Result<RoutingRule> RoutingRules::get(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row,
                         tx->query_one(std::string("SELECT ") + kColumns + " FROM routing_rules WHERE id = $1", {id}));
  if (!row || !who.can_see_institution(row->get_text("institution_id"))) return not_found();
  if (!who.can_administer(row->get_text("institution_id")))
    return make_error(ErrorCode::forbidden, "routing rules are managed by institution administrators");
  return rule_of(*row);
}

Result<RoutingRule> RoutingRules::create(const access::Principal& who, RoutingRule rule) {
  if (rule.institution_id.empty()) rule.institution_id = who.institution_id;
  if (!who.can_administer(rule.institution_id))
    return make_error(ErrorCode::forbidden, "routing rules are managed by institution administrators");
  MEDAI_RETURN_IF_ERROR(check_name(rule.name));
  rule.id = new_id("rule");
  rule.created_by = who.user_id;
  rule.created_at = rule.updated_at = now_ms();
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO routing_rules (id, institution_id, name, enabled, match_json, "
                                  "action_json, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                                  "$7, $8, $8)",
                                  {rule.id, rule.institution_id, rule.name, std::int64_t{rule.enabled ? 1 : 0},
                                   to_json(rule.match).dump(), to_json(rule.action).dump(), rule.created_by,
                                   rule.created_at})
                              .status());
    auto ev = access::audit_event(who, "routing_rule.create", "routing_rule", rule.id);
    ev.institution_id = rule.institution_id;
    ev.detail = {{"name", rule.name}, {"action", to_json(rule.action)}};
    return access::record_audit(tx, ev);
  });
  if (!s) {
    if (s.code() == ErrorCode::already_exists)
      return make_error(ErrorCode::already_exists, "a routing rule with this name exists", {{"field", "name"}});
    return s;
  }
  return rule;
}

Result<RoutingRule> RoutingRules::update(const access::Principal& who, const std::string& id, const RulePatch& patch) {
  MEDAI_ASSIGN_OR_RETURN(RoutingRule rule, get(who, id));
  if (patch.name) {
    MEDAI_RETURN_IF_ERROR(check_name(*patch.name));
    rule.name = *patch.name;
  }
  if (patch.enabled) rule.enabled = *patch.enabled;
  if (patch.match) rule.match = *patch.match;
  if (patch.action) rule.action = *patch.action;
  rule.updated_at = now_ms();
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE routing_rules SET name = $2, enabled = $3, match_json = $4, action_json = $5, "
                                  "updated_at = $6 WHERE id = $1",
                                  {id, rule.name, std::int64_t{rule.enabled ? 1 : 0}, to_json(rule.match).dump(),
                                   to_json(rule.action).dump(), rule.updated_at})
                              .status());
    auto ev = access::audit_event(who, "routing_rule.update", "routing_rule", id);
    ev.institution_id = rule.institution_id;
    return access::record_audit(tx, ev);
  });
  if (!s) {
    if (s.code() == ErrorCode::already_exists)
      return make_error(ErrorCode::already_exists, "a routing rule with this name exists", {{"field", "name"}});
    return s;
  }
  return rule;
}

Status RoutingRules::remove(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(RoutingRule rule, get(who, id));
  return storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM routing_rules WHERE id = $1", {id}).status());
    auto ev = access::audit_event(who, "routing_rule.delete", "routing_rule", id);
    ev.institution_id = rule.institution_id;
    return access::record_audit(tx, ev);
  });
}

Result<std::vector<RoutingRule>> RoutingRules::enabled_rules(const std::string& institution_id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(std::string("SELECT ") + kColumns +
                                                  " FROM routing_rules WHERE institution_id = $1 AND enabled = 1 "
                                                  "ORDER BY created_at, id",
                                              {institution_id}));
  std::vector<RoutingRule> out;
  for (const auto& r : rows) {
    RoutingRule rule = rule_of(r);
    if (rule.enabled) out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace medai::jobs
