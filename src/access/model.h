#pragma once
// Records of the access module as the rest of the platform sees them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "access/principal.h"

namespace medai::access {

struct Institution {
  std::string id;
  std::string name;          // short unique handle, e.g. "ruijin"
  std::string display_name;  // e.g. "Ruijin Hospital"
  std::int64_t created_at = 0;
};

struct User {
  std::string id;
  std::string institution_id;
  std::string username;
  std::string display_name;
  std::set<Role> roles;
  bool disabled = false;
  bool has_password = false;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

enum class TokenKind { api, session };

struct TokenInfo {
  std::string id;
  std::string user_id;
  TokenKind kind = TokenKind::api;
  std::string name;
  std::string prefix;  // first characters of the secret, to recognise it
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
};

// A newly issued credential: the secret is only ever returned here, once.
struct IssuedToken {
  TokenInfo info;
  std::string secret;
};

nlohmann::json to_json(const Institution& i);
nlohmann::json to_json(const User& u);
nlohmann::json to_json(const TokenInfo& t);
nlohmann::json roles_to_json(const std::set<Role>& roles);
std::string_view token_kind_name(TokenKind k);

}  // namespace medai::access
