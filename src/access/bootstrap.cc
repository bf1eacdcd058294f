#include "access/bootstrap.h"

#include "core/crypto.h"

namespace medai::access {

std::string generate_password() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i) out.push_back(kAlphabet[crypto::random_uniform(kAlphabet.size())]);
  return out;
}

Result<std::optional<FirstAdmin>> bootstrap_first_admin(Directory& directory) {
  MEDAI_ASSIGN_OR_RETURN(std::int64_t users, directory.count_users());
  if (users > 0) return std::optional<FirstAdmin>();
  const Principal system = system_principal();
  auto inst = directory.find_institution(system, kPlatformInstitution);
  if (!inst) {
    if (inst.status().code() != ErrorCode::not_found) return inst.status();
    inst = directory.create_institution(system, {kPlatformInstitution, "Platform operators"});
    if (!inst) return inst.status();
  }
  FirstAdmin admin{"admin", generate_password(), inst->name};
  NewUser nu;
  nu.institution_id = inst->id;
  nu.username = admin.username;
  nu.display_name = "Platform administrator";
  nu.roles = {Role::admin};
  nu.password = admin.password;
  MEDAI_ASSIGN_OR_RETURN(User u, directory.create_user(system, nu));
  (void)u;
  return std::optional<FirstAdmin>(admin);
}

}  // namespace medai::access
