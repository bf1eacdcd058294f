#include "access/directory.h"

#include <cctype>

#include "access/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"

namespace medai::access {
namespace {

using storage::Row;
using storage::Transaction;
using storage::TxMode;

Institution row_to_institution(const Row& r) {
  return Institution{r.get_text("id"), r.get_text("name"), r.get_text("display_name"),
                     r.get_int("created_at")};
}

Result<std::set<Role>> load_roles(Transaction& tx, const std::string& user_id) {
  MEDAI_ASSIGN_OR_RETURN(auto rows,
                         tx.query("SELECT role FROM user_roles WHERE user_id = $1", {user_id}));
  std::set<Role> roles;
  for (const auto& r : rows)
    if (auto role = role_from_name(r.get_text("role"))) roles.insert(*role);
  return roles;
}

Result<User> row_to_user(Transaction& tx, const Row& r) {
  User u;
  u.id = r.get_text("id");
  u.institution_id = r.get_text("institution_id");
  u.username = r.get_text("username");
  u.display_name = r.get_text("display_name");
  u.disabled = r.get_int("disabled") != 0;
  u.has_password = !r.is_null("password_hash");
  u.created_at = r.get_int("created_at");
  u.updated_at = r.get_int("updated_at");
  MEDAI_ASSIGN_OR_RETURN(u.roles, load_roles(tx, u.id));
  return u;
}

Status write_roles(Transaction& tx, const std::string& user_id, const std::set<Role>& roles) {
  MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM user_roles WHERE user_id = $1", {user_id}).status());
  for (Role r : roles)
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)",
                                  {user_id, std::string(role_name(r))})
                              .status());
  return Status::ok();
}

Status check_grantable(const Principal& actor, const std::set<Role>& roles) {
  if (roles.count(Role::admin) && !actor.is_platform_admin())
    return make_error(ErrorCode::forbidden, "only platform administrators can grant the admin role");
  return Status::ok();
}

const char* kUserColumns =
    "id, institution_id, username, display_name, password_hash, disabled, created_at, updated_at";

}  // namespace

std::string tenant_scope(const Principal& p) { return p.is_platform_admin() ? "" : p.institution_id; }

Status Directory::validate_handle(const std::string& field, const std::string& value) {
  bool ok = value.size() >= 2 && value.size() <= 64 && std::islower(static_cast<unsigned char>(value[0]));
  for (char c : value)
    ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
                c == '.' || c == '_' || c == '-');
  if (!ok)
    return make_error(ErrorCode::invalid_argument,
                      field + " must be 2-64 characters: lower-case letters, digits, '.', '_' or '-', "
                              "starting with a letter",
                      {{"field", field}});
  return Status::ok();
}

Status Directory::validate_password(const std::string& password) const {
  if (static_cast<std::int64_t>(password.size()) < auth_.min_password_length)
    return make_error(ErrorCode::invalid_argument,
                      "password must have at least " + std::to_string(auth_.min_password_length) +
                          " characters",
                      {{"field", "password"}});
  if (password.size() > 1024)
    return make_error(ErrorCode::invalid_argument, "password is too long", {{"field", "password"}});
  return Status::ok();
}

Result<std::int64_t> Directory::count_users() {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT COUNT(*) AS n FROM users"));
  return row ? row->get_int("n") : 0;
}

// ---- institutions ---------------------------------------------------------

Result<Institution> Directory::create_institution(const Principal& actor, const NewInstitution& in) {
  if (!actor.is_platform_admin())
    return make_error(ErrorCode::forbidden, "only platform administrators can create institutions");
  MEDAI_RETURN_IF_ERROR(validate_handle("name", in.name));
  Institution inst{new_id("ins"), in.name, in.display_name.empty() ? in.name : in.display_name, now_ms()};
  if (inst.display_name.size() > 200)
    return make_error(ErrorCode::invalid_argument, "display_name is too long", {{"field", "display_name"}});
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO institutions (id, name, display_name, created_at) "
                                  "VALUES ($1, $2, $3, $4)",
                                  {inst.id, inst.name, inst.display_name, inst.created_at})
                              .status());
    auto ev = audit_event(actor, "institution.create", "institution", inst.id);
    ev.institution_id = inst.id;
    return record_audit(tx, ev);
  });
  if (s.code() == ErrorCode::already_exists)
    return make_error(ErrorCode::already_exists, "an institution with this name already exists",
                      {{"field", "name"}});
  MEDAI_RETURN_IF_ERROR(s);
  return inst;
}

Result<std::vector<Institution>> Directory::list_institutions(const Principal& actor, Page page) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows,
                         tx->query("SELECT * FROM institutions WHERE ($1 = '' OR id = $1) "
                                   "ORDER BY name LIMIT $2 OFFSET $3",
                                   {tenant_scope(actor), page.limit, page.offset}));
  std::vector<Institution> out;
  for (const auto& r : rows) out.push_back(row_to_institution(r));
  return out;
}

Result<std::int64_t> Directory::count_institutions(const Principal& actor) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT COUNT(*) AS n FROM institutions WHERE ($1 = '' OR id = $1)",
                                                 {tenant_scope(actor)}));
  return row ? row->get_int("n") : 0;
}

Result<Institution> Directory::get_institution(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row,
                         tx->query_one("SELECT * FROM institutions WHERE id = $1 AND ($2 = '' OR id = $2)",
                                       {id, tenant_scope(actor)}));
  if (!row) return make_error(ErrorCode::not_found, "no such institution");
  return row_to_institution(*row);
}

Result<Institution> Directory::find_institution(const Principal& actor, const std::string& name) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row,
                         tx->query_one("SELECT * FROM institutions WHERE name = $1 AND ($2 = '' OR id = $2)",
                                       {name, tenant_scope(actor)}));
  if (!row) return make_error(ErrorCode::not_found, "no such institution");
  return row_to_institution(*row);
}

Result<Institution> Directory::update_institution(const Principal& actor, const std::string& id,
                                                  const std::string& display_name) {
  MEDAI_ASSIGN_OR_RETURN(Institution inst, get_institution(actor, id));
  if (!actor.can_administer(inst.id))
    return make_error(ErrorCode::forbidden, "only administrators can change an institution");
  if (display_name.empty() || display_name.size() > 200)
    return make_error(ErrorCode::invalid_argument, "display_name must be 1-200 characters",
                      {{"field", "display_name"}});
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(
        tx.exec("UPDATE institutions SET display_name = $1 WHERE id = $2", {display_name, id}).status());
    return record_audit(tx, audit_event(actor, "institution.update", "institution", id));
  }));
  inst.display_name = display_name;
  return inst;
}

// ---- users ----------------------------------------------------------------

Result<User> Directory::load_user(Transaction& tx, const std::string& scope, const std::string& column,
                                  const std::string& value) {
  const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE " + column +
                          " = $1 AND ($2 = '' OR institution_id = $2)";
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one(sql, {value, scope}));
  if (!row) return make_error(ErrorCode::not_found, "no such user");
  return row_to_user(tx, *row);
}

Result<User> Directory::create_user(const Principal& actor, const NewUser& in) {
  MEDAI_ASSIGN_OR_RETURN(Institution inst, get_institution(actor, in.institution_id));
  if (!actor.can_administer(inst.id))
    return make_error(ErrorCode::forbidden, "only administrators of the institution can create users");
  MEDAI_RETURN_IF_ERROR(validate_handle("username", in.username));
  if (in.roles.empty())
    return make_error(ErrorCode::invalid_argument, "a user needs at least one role", {{"field", "roles"}});
  MEDAI_RETURN_IF_ERROR(check_grantable(actor, in.roles));
  if (in.display_name.size() > 200)
    return make_error(ErrorCode::invalid_argument, "display_name is too long", {{"field", "display_name"}});
  storage::Value password_hash = nullptr;
  if (in.password) {
    MEDAI_RETURN_IF_ERROR(validate_password(*in.password));
    MEDAI_ASSIGN_OR_RETURN(std::string h, crypto::hash_password(*in.password));
    password_hash = h;
  }
  User u;
  u.id = new_id("usr");
  u.institution_id = inst.id;
  u.username = in.username;
  u.display_name = in.display_name.empty() ? in.username : in.display_name;
  u.roles = in.roles;
  u.has_password = in.password.has_value();
  u.created_at = u.updated_at = now_ms();
  Status s = storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(
        tx.exec("INSERT INTO users (id, institution_id, username, display_name, password_hash, disabled, "
                "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
                {u.id, u.institution_id, u.username, u.display_name, password_hash, u.created_at,
                 u.updated_at})
            .status());
    MEDAI_RETURN_IF_ERROR(write_roles(tx, u.id, u.roles));
    auto ev = audit_event(actor, "user.create", "user", u.id);
    ev.institution_id = u.institution_id;
    ev.detail = {{"roles", roles_to_json(u.roles)}};
    return record_audit(tx, ev);
  });
  if (s.code() == ErrorCode::already_exists)
    return make_error(ErrorCode::already_exists, "a user with this username already exists",
                      {{"field", "username"}});
  MEDAI_RETURN_IF_ERROR(s);
  return u;
}

Result<std::vector<User>> Directory::list_users(const Principal& actor, std::optional<std::string> institution,
                                                Page page) {
  if (!actor.is_platform_admin() && !actor.has_role(Role::institution_admin))
    return make_error(ErrorCode::forbidden, "only administrators can list users");
  // Institution admins are pinned to their tenant; asking for another one
  // yields nothing rather than an error that would confirm it exists.
  std::string scope = tenant_scope(actor);
  std::string filter = institution.value_or("");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  const std::string sql = std::string("SELECT ") + kUserColumns +
                          " FROM users WHERE ($1 = '' OR institution_id = $1) AND "
                          "($2 = '' OR institution_id = $2) ORDER BY username LIMIT $3 OFFSET $4";
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, {scope, filter, page.limit, page.offset}));
  std::vector<User> out;
  for (const auto& r : rows) {
    MEDAI_ASSIGN_OR_RETURN(User u, row_to_user(*tx, r));
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::int64_t> Directory::count_users(const Principal& actor, std::optional<std::string> institution) {
  if (!actor.is_platform_admin() && !actor.has_role(Role::institution_admin))
    return make_error(ErrorCode::forbidden, "only administrators can list users");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT COUNT(*) AS n FROM users WHERE ($1 = '' OR institution_id = $1) "
                                                 "AND ($2 = '' OR institution_id = $2)",
                                                 {tenant_scope(actor), institution.value_or("")}));
  return row ? row->get_int("n") : 0;
}

Result<User> Directory::get_user(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(User u, load_user(*tx, tenant_scope(actor), "id", id));
  // Within a tenant, only administrators see other users' records.
  if (u.id != actor.user_id && !actor.can_administer(u.institution_id))
    return make_error(ErrorCode::not_found, "no such user");
  return u;
}

Result<User> Directory::find_user(const Principal& actor, const std::string& username) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(User u, load_user(*tx, tenant_scope(actor), "username", username));
  if (u.id != actor.user_id && !actor.can_administer(u.institution_id))
    return make_error(ErrorCode::not_found, "no such user");
  return u;
}

Result<User> Directory::update_user(const Principal& actor, const std::string& id, const UserPatch& patch) {
  MEDAI_ASSIGN_OR_RETURN(User u, get_user(actor, id));
  const bool self = u.id == actor.user_id;
  const bool admin = actor.can_administer(u.institution_id);
  if ((patch.roles || patch.disabled) && !admin)
    return make_error(ErrorCode::forbidden, "only administrators can change roles or disable users");
  if (!actor.is_platform_admin() && u.roles.count(Role::admin))
    return make_error(ErrorCode::forbidden, "only platform administrators can change a platform administrator");
  if (self && patch.disabled.value_or(false))
    return make_error(ErrorCode::invalid_argument, "you cannot disable your own account");
  if (patch.roles) {
    if (patch.roles->empty())
      return make_error(ErrorCode::invalid_argument, "a user needs at least one role", {{"field", "roles"}});
    MEDAI_RETURN_IF_ERROR(check_grantable(actor, *patch.roles));
  }
  storage::Value new_hash = nullptr;
  if (patch.password) {
    if (self) {
      // Changing one's own password proves knowledge of the current one, so a
      // stolen session alone cannot take the account over.
      MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
      MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT password_hash FROM users WHERE id = $1", {id}));
      const std::string current = row ? row->get_text("password_hash") : "";
      if (!current.empty() &&
          (!patch.current_password || !crypto::verify_password(current, *patch.current_password)))
        return make_error(ErrorCode::invalid_credentials, "current_password is missing or wrong",
                          {{"field", "current_password"}});
    } else if (!admin) {
      return make_error(ErrorCode::forbidden, "cannot change another user's password");
    }
    MEDAI_RETURN_IF_ERROR(validate_password(*patch.password));
    MEDAI_ASSIGN_OR_RETURN(std::string h, crypto::hash_password(*patch.password));
    new_hash = h;
  }
  if (patch.display_name && (patch.display_name->empty() || patch.display_name->size() > 200))
    return make_error(ErrorCode::invalid_argument, "display_name must be 1-200 characters",
                      {{"field", "display_name"}});

  const std::int64_t now = now_ms();
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    if (patch.display_name)
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE users SET display_name = $1 WHERE id = $2",
                                    {*patch.display_name, id}).status());
    if (patch.disabled) {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE users SET disabled = $1 WHERE id = $2",
                                    {std::int64_t(*patch.disabled ? 1 : 0), id}).status());
      // Disabling ends every live session and token at once.
      if (*patch.disabled)
        MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND "
                                      "revoked_at IS NULL", {now, id}).status());
    }
    if (patch.roles) MEDAI_RETURN_IF_ERROR(write_roles(tx, id, *patch.roles));
    if (patch.password) {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE users SET password_hash = $1 WHERE id = $2", {new_hash, id}).status());
      // A new password ends other browser sessions (API tokens stay).
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND kind = 'session' "
                                    "AND revoked_at IS NULL AND id <> $3", {now, id, actor.token_id}).status());
    }
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE users SET updated_at = $1 WHERE id = $2", {now, id}).status());
    auto ev = audit_event(actor, "user.update", "user", id);
    ev.institution_id = u.institution_id;
    nlohmann::json changed = nlohmann::json::array();
    if (patch.display_name) changed.push_back("display_name");
    if (patch.disabled) changed.push_back("disabled");
    if (patch.roles) changed.push_back("roles");
    if (patch.password) changed.push_back("password");
    ev.detail = {{"changed", changed}};
    return record_audit(tx, ev);
  }));
  return get_user(actor, id);
}

Status Directory::delete_user(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(User u, get_user(actor, id));
  if (!actor.can_administer(u.institution_id))
    return make_error(ErrorCode::forbidden, "only administrators can delete users");
  if (u.id == actor.user_id) return make_error(ErrorCode::invalid_argument, "you cannot delete your own account");
  if (!actor.is_platform_admin() && u.roles.count(Role::admin))
    return make_error(ErrorCode::forbidden, "only platform administrators can delete a platform administrator");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM tokens WHERE user_id = $1", {id}).status());
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM user_roles WHERE user_id = $1", {id}).status());
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM users WHERE id = $1", {id}).status());
    auto ev = audit_event(actor, "user.delete", "user", id);
    ev.institution_id = u.institution_id;
    return record_audit(tx, ev);
  });
}

}  // namespace medai::access
