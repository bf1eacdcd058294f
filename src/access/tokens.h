#pragma once
// Credentials: API tokens (bearer, for scripts and other systems) and
// browser sessions (cookie), both random secrets of which only the SHA-256 is
// stored. Password log-in uses Argon2id and is throttled per user name.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/directory.h"
#include "access/model.h"
#include "access/principal.h"
#include "core/config.h"
#include "storage/catalog.h"

namespace medai::access {

struct Session {
  IssuedToken token;
  User user;
};

class Tokens {
 public:
  Tokens(storage::Catalog& catalog, Directory& directory, AuthConfig auth)
      : catalog_(catalog), directory_(directory), auth_(std::move(auth)) {}

  // Issues an API token for `user_id` (oneself, or a user one administers).
  // ttl_days: nullopt = the configured default; bounded by max_token_ttl_days.
  Result<IssuedToken> issue(const Principal& actor, const std::string& user_id, const std::string& name,
                            std::optional<std::int64_t> ttl_days);
  // Tokens of a user (oneself, or administered); secrets are never listed.
  Result<std::vector<TokenInfo>> list(const Principal& actor, const std::string& user_id);
  Status revoke(const Principal& actor, const std::string& token_id);

  // Password log-in → a new session. Wrong user name and wrong password give
  // the same answer and take the same time.
  Result<Session> login(const std::string& username, const std::string& password);
  // Ends the session that authenticated `who` (sessions only).
  Status logout(const Principal& who);

  // Resolves a presented secret to its principal: unknown, expired, revoked
  // or disabled-user secrets are refused with distinct codes. from_cookie:
  // the secret came from the medai_session cookie (only sessions may).
  Result<Principal> authenticate(std::string_view secret, bool from_cookie);

  static constexpr std::string_view kSecretPrefix = "medai_";

 private:
  Result<IssuedToken> create(storage::Transaction& tx, const User& user, TokenKind kind,
                             const std::string& name, std::int64_t ttl_ms);
  bool throttled(const std::string& username);
  void note_failure(const std::string& username);
  void clear_failures(const std::string& username);

  storage::Catalog& catalog_;
  Directory& directory_;
  AuthConfig auth_;
  std::mutex failures_mutex_;
  std::map<std::string, std::vector<std::int64_t>> failures_;  // username → failure times
};

}  // namespace medai::access
