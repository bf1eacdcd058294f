#pragma once
// First start of an empty data folder: create the platform operators'
// institution and the first administrator with a random one-time password,
// which the caller prints once (it is stored only as an Argon2id hash).
#include <optional>
#include <string>

#include "access/directory.h"

namespace medai::access {

// Handle of the institution of the platform operators (created on first start).
inline constexpr const char* kPlatformInstitution = "platform";

struct FirstAdmin {
  std::string username;
  std::string password;
  std::string institution;
};

// Returns the new credentials when the catalog had no user, nullopt otherwise.
Result<std::optional<FirstAdmin>> bootstrap_first_admin(Directory& directory);

// A random password that passes the policy: 20 characters from an alphabet
// without look-alikes (no 0/O, 1/l/I).
std::string generate_password();

}  // namespace medai::access
