#pragma once
// Who is calling: the authenticated user behind a request, with the
// institution (tenant) they belong to and their roles. Every query of tenant
// data takes a Principal, so tenancy is enforced where data is queried.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace medai::access {

enum class Role {
  admin,              // platform operator: every institution
  institution_admin,  // manages users, tokens and approvals of one institution
  doctor,             // clinician: studies and results of their institution
  researcher,         // datasets, training, evaluation
  partner,            // AI vendor: publishes apps
};

std::string_view role_name(Role role);
std::optional<Role> role_from_name(std::string_view name);
const std::vector<Role>& all_roles();

struct Principal {
  std::string user_id;
  std::string username;
  std::string institution_id;
  std::set<Role> roles;
  std::string token_id;            // the token or session that authenticated
  bool via_session = false;        // credential is a log-in session, not an API token
  bool via_cookie = false;         // credential came from the medai_session cookie

  bool has_role(Role r) const { return roles.count(r) != 0; }
  bool is_platform_admin() const { return has_role(Role::admin); }
  // Platform admins see every institution; everybody else only their own.
  bool can_see_institution(std::string_view institution) const {
    return is_platform_admin() || institution == institution_id;
  }
  // Manages users/tokens of `institution`.
  bool can_administer(std::string_view institution) const {
    return is_platform_admin() || (has_role(Role::institution_admin) && institution == institution_id);
  }
};

}  // namespace medai::access

namespace medai::access {
// The local operator running `medai admin ...` on the data folder: has file
// system access to everything already, so acts as platform admin.
inline Principal system_principal() {
  Principal p;
  p.user_id = "system";
  p.username = "system";
  p.roles = {Role::admin};
  return p;
}
}  // namespace medai::access
