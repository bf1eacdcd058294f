#include "access/principal.h"

#include "access/model.h"
#include "core/clock.h"

namespace medai::access {
namespace {
constexpr std::pair<Role, std::string_view> kRoleNames[] = {
    {Role::admin, "admin"},
    {Role::institution_admin, "institution_admin"},
    {Role::doctor, "doctor"},
    {Role::researcher, "researcher"},
    {Role::partner, "partner"},
};
}  // namespace

std::string_view role_name(Role role) {
  for (const auto& [r, n] : kRoleNames)
    if (r == role) return n;
  return "unknown";
}

std::optional<Role> role_from_name(std::string_view name) {
  for (const auto& [r, n] : kRoleNames)
    if (n == name) return r;
  return std::nullopt;
}

const std::vector<Role>& all_roles() {
  static const std::vector<Role> roles = [] {
    std::vector<Role> v;
    for (const auto& [r, n] : kRoleNames) v.push_back(r);
    return v;
  }();
  return roles;
}

std::string_view token_kind_name(TokenKind k) { return k == TokenKind::api ? "api" : "session"; }

nlohmann::json roles_to_json(const std::set<Role>& roles) {
  nlohmann::json a = nlohmann::json::array();
  for (Role r : roles) a.push_back(std::string(role_name(r)));
  return a;
}

nlohmann::json to_json(const Institution& i) {
  return {{"id", i.id},
          {"name", i.name},
          {"display_name", i.display_name},
          {"created_at", iso8601_utc(i.created_at)}};
}

nlohmann::json to_json(const User& u) {
  return {{"id", u.id},
          {"institution_id", u.institution_id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"roles", roles_to_json(u.roles)},
          {"disabled", u.disabled},
          {"has_password", u.has_password},
          {"created_at", iso8601_utc(u.created_at)},
          {"updated_at", iso8601_utc(u.updated_at)}};
}

nlohmann::json to_json(const TokenInfo& t) {
  auto opt_time = [](const std::optional<std::int64_t>& v) -> nlohmann::json {
    return v ? nlohmann::json(iso8601_utc(*v)) : nlohmann::json(nullptr);
  };
  return {{"id", t.id},
          {"user_id", t.user_id},
          {"kind", std::string(token_kind_name(t.kind))},
          {"name", t.name},
          {"prefix", t.prefix},
          {"created_at", iso8601_utc(t.created_at)},
          {"expires_at", opt_time(t.expires_at)},
          {"revoked_at", opt_time(t.revoked_at)},
          {"last_used_at", opt_time(t.last_used_at)}};
}

}  // namespace medai::access
