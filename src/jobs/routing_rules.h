#pragma once
// Routing rules of an institution in the catalog (table routing_rules).
// Managed by administrators of the institution (institution_admin) or
// platform admins; other institutions' rules are not_found.
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "jobs/routing_rule.h"
#include "storage/catalog.h"

namespace medai::jobs {

struct RulePatch {
  std::optional<std::string> name;
  std::optional<bool> enabled;
  std::optional<RuleMatch> match;
  std::optional<RuleAction> action;
};

class RoutingRules {
 public:
  explicit RoutingRules(storage::Catalog& catalog) : catalog_(catalog) {}

  Result<std::vector<RoutingRule>> list(const access::Principal& who);
  Result<RoutingRule> get(const access::Principal& who, const std::string& id);
  // rule.institution_id: "" = the caller's own.
  Result<RoutingRule> create(const access::Principal& who, RoutingRule rule);
  Result<RoutingRule> update(const access::Principal& who, const std::string& id, const RulePatch& patch);
  Status remove(const access::Principal& who, const std::string& id);

  // The detector's view: enabled rules of one institution, oldest first.
  Result<std::vector<RoutingRule>> enabled_rules(const std::string& institution_id);

 private:
  storage::Catalog& catalog_;
};

}  // namespace medai::jobs
