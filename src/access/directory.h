#pragma once
// Institutions (tenants) and users. Every call takes the acting Principal;
// the tenant filter is part of each SQL query, so a user of institution A
// cannot read or change B's records whatever a handler does (a resource of
// another tenant is reported as not_found, not forbidden, to hide it exists).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "access/model.h"
#include "access/principal.h"
#include "core/config.h"
#include "storage/catalog.h"

namespace medai::access {

struct Page {
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

struct NewInstitution {
  std::string name;
  std::string display_name;
};

struct NewUser {
  std::string institution_id;
  std::string username;
  std::string display_name;
  std::set<Role> roles;
  std::optional<std::string> password;  // none: token-only account
};

struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<std::set<Role>> roles;
  std::optional<bool> disabled;
  std::optional<std::string> password;
  std::optional<std::string> current_password;  // required to change one's own password
};

class Directory {
 public:
  Directory(storage::Catalog& catalog, AuthConfig auth) : catalog_(catalog), auth_(std::move(auth)) {}

  Result<Institution> create_institution(const Principal& actor, const NewInstitution& in);
  Result<std::vector<Institution>> list_institutions(const Principal& actor, Page page);
  Result<std::int64_t> count_institutions(const Principal& actor);
  Result<Institution> get_institution(const Principal& actor, const std::string& id);
  Result<Institution> find_institution(const Principal& actor, const std::string& name);
  Result<Institution> update_institution(const Principal& actor, const std::string& id,
                                         const std::string& display_name);

  Result<User> create_user(const Principal& actor, const NewUser& in);
  // institution: restrict to one tenant (admins); others always see their own.
  Result<std::vector<User>> list_users(const Principal& actor, std::optional<std::string> institution,
                                       Page page);
  // How many users list_users() would page through (same checks).
  Result<std::int64_t> count_users(const Principal& actor, std::optional<std::string> institution);
  Result<User> get_user(const Principal& actor, const std::string& id);
  Result<User> find_user(const Principal& actor, const std::string& username);
  Result<User> update_user(const Principal& actor, const std::string& id, const UserPatch& patch);
  Status delete_user(const Principal& actor, const std::string& id);

  // Number of users (all tenants): 0 on a fresh data folder.
  Result<std::int64_t> count_users();

  // Validation shared with the CLI and HTTP layers.
  static Status validate_handle(const std::string& field, const std::string& value);
  Status validate_password(const std::string& password) const;

 private:
  Result<User> load_user(storage::Transaction& tx, const std::string& scope, const std::string& column,
                         const std::string& value);
  storage::Catalog& catalog_;
  AuthConfig auth_;
};

// '' for platform admins (all tenants), else the caller's institution id:
// the value bound to "($n = '' OR institution_id = $n)" in tenant queries.
std::string tenant_scope(const Principal& p);

}  // namespace medai::access
