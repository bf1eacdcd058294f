#include "access/tokens.h"

#include <algorithm>

#include "access/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"

namespace medai::access {
namespace {

using storage::Transaction;
using storage::TxMode;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
// Touch last_used_at at most this often: a write per request would serialise
// every authenticated call on the catalog's write lock.
constexpr std::int64_t kLastUsedGranularityMs = 60 * 1000;

TokenInfo row_to_token(const storage::Row& r) {
  TokenInfo t;
  t.id = r.get_text("id");
  t.user_id = r.get_text("user_id");
  t.kind = r.get_text("kind") == "session" ? TokenKind::session : TokenKind::api;
  t.name = r.get_text("name");
  t.prefix = r.get_text("prefix");
  t.created_at = r.get_int("created_at");
  t.expires_at = r.get_optional_int("expires_at");
  t.revoked_at = r.get_optional_int("revoked_at");
  t.last_used_at = r.get_optional_int("last_used_at");
  return t;
}

// A valid Argon2id hash of a random password: verified against when the
// user name is unknown so both failures cost the same time.
const std::string& dummy_hash() {
  static const std::string h = crypto::hash_password(crypto::random_token(16)).value();
  return h;
}

}  // namespace

Result<IssuedToken> Tokens::create(Transaction& tx, const User& user, TokenKind kind, const std::string& name,
                                   std::int64_t ttl_ms) {
  IssuedToken out;
  out.secret = std::string(kSecretPrefix) + crypto::random_token(32);
  out.info.id = new_id(kind == TokenKind::session ? "ses" : "tok");
  out.info.user_id = user.id;
  out.info.kind = kind;
  out.info.name = name;
  out.info.prefix = out.secret.substr(0, kSecretPrefix.size() + 6);
  out.info.created_at = now_ms();
  out.info.expires_at = out.info.created_at + ttl_ms;
  MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO tokens (id, user_id, kind, name, token_hash, prefix, created_at, "
                                "expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                                {out.info.id, user.id, std::string(token_kind_name(kind)), name,
                                 crypto::sha256_hex(out.secret), out.info.prefix, out.info.created_at,
                                 *out.info.expires_at})
                            .status());
  return out;
}

Result<IssuedToken> Tokens::issue(const Principal& actor, const std::string& user_id, const std::string& name,
                                  std::optional<std::int64_t> ttl_days) {
  MEDAI_ASSIGN_OR_RETURN(User user, directory_.get_user(actor, user_id));
  if (user.id != actor.user_id && !actor.can_administer(user.institution_id))
    return make_error(ErrorCode::forbidden, "cannot issue tokens for another user");
  if (user.disabled) return make_error(ErrorCode::conflict, "the user is disabled");
  const std::int64_t days = ttl_days.value_or(auth_.token_ttl_days);
  if (days < 1 || days > auth_.max_token_ttl_days)
    return make_error(ErrorCode::invalid_argument,
                      "ttl_days must be between 1 and " + std::to_string(auth_.max_token_ttl_days),
                      {{"field", "ttl_days"}});
  if (name.empty() || name.size() > 100)
    return make_error(ErrorCode::invalid_argument, "name must be 1-100 characters", {{"field", "name"}});
  IssuedToken issued;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_ASSIGN_OR_RETURN(issued, create(tx, user, TokenKind::api, name, days * kDayMs));
    auto ev = audit_event(actor, "token.issue", "token", issued.info.id);
    ev.institution_id = user.institution_id;
    ev.detail = {{"user_id", user.id}, {"ttl_days", days}};
    return record_audit(tx, ev);
  }));
  return issued;
}

Result<std::vector<TokenInfo>> Tokens::list(const Principal& actor, const std::string& user_id) {
  MEDAI_ASSIGN_OR_RETURN(User user, directory_.get_user(actor, user_id));
  (void)user;  // get_user already applied tenancy and self-or-admin visibility
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT * FROM tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
                                              {user_id}));
  std::vector<TokenInfo> out;
  for (const auto& r : rows) out.push_back(row_to_token(r));
  return out;
}

Status Tokens::revoke(const Principal& actor, const std::string& token_id) {
  std::string user_id;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT user_id FROM tokens WHERE id = $1", {token_id}));
    if (!row) return make_error(ErrorCode::not_found, "no such token");
    user_id = row->get_text("user_id");
  }
  auto user = directory_.get_user(actor, user_id);  // tenancy + visibility
  if (!user) return make_error(ErrorCode::not_found, "no such token");
  if (user->id != actor.user_id && !actor.can_administer(user->institution_id))
    return make_error(ErrorCode::not_found, "no such token");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(
        tx.exec("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", {now_ms(), token_id})
            .status());
    auto ev = audit_event(actor, "token.revoke", "token", token_id);
    ev.institution_id = user->institution_id;
    return record_audit(tx, ev);
  });
}

bool Tokens::throttled(const std::string& username) {
  std::lock_guard lock(failures_mutex_);
  auto it = failures_.find(username);
  if (it == failures_.end()) return false;
  const std::int64_t cutoff = now_ms() - auth_.login_failure_window_s * 1000;
  auto& times = it->second;
  times.erase(std::remove_if(times.begin(), times.end(), [&](std::int64_t t) { return t < cutoff; }),
              times.end());
  return static_cast<std::int64_t>(times.size()) >= auth_.login_max_failures;
}

void Tokens::note_failure(const std::string& username) {
  std::lock_guard lock(failures_mutex_);
  if (failures_.size() > 100000) failures_.clear();  // bound memory under a spray attack
  failures_[username].push_back(now_ms());
}

void Tokens::clear_failures(const std::string& username) {
  std::lock_guard lock(failures_mutex_);
  failures_.erase(username);
}

Result<Session> Tokens::login(const std::string& username, const std::string& password) {
  if (username.empty() || username.size() > 64 || password.size() > 1024)
    return make_error(ErrorCode::invalid_credentials, "user name or password is wrong");
  if (throttled(username))
    return make_error(ErrorCode::too_many_requests,
                      "too many failed log-ins for this user; try again later",
                      {{"retry_after_s", auth_.login_failure_window_s}});
  const Principal system = system_principal();
  auto user = directory_.find_user(system, username);
  std::string hash;
  if (user && !user->disabled) {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT password_hash FROM users WHERE id = $1", {user->id}));
    if (row) hash = row->get_text("password_hash");
  }
  const bool ok = crypto::verify_password(hash.empty() ? dummy_hash() : hash, password) && !hash.empty();
  if (!ok) {
    note_failure(username);
    AuditEvent ev;
    ev.action = "auth.login";
    ev.resource_type = "user";
    ev.resource_id = user ? user->id : "";
    ev.institution_id = user ? user->institution_id : "";
    ev.outcome = "denied";
    (void)record_audit(catalog_, ev);
    return make_error(ErrorCode::invalid_credentials, "user name or password is wrong");
  }
  clear_failures(username);
  Session session;
  session.user = *user;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_ASSIGN_OR_RETURN(session.token, create(tx, *user, TokenKind::session, "browser session",
                                                 auth_.session_ttl_minutes * 60 * 1000));
    AuditEvent ev;
    ev.actor_user_id = user->id;
    ev.institution_id = user->institution_id;
    ev.action = "auth.login";
    ev.resource_type = "session";
    ev.resource_id = session.token.info.id;
    ev.outcome = "allowed";
    return record_audit(tx, ev);
  }));
  return session;
}

Status Tokens::logout(const Principal& who) {
  if (!who.via_session)
    return make_error(ErrorCode::invalid_argument,
                      "log-out ends browser sessions; revoke an API token with DELETE /api/v1/tokens/{id}");
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(
        tx.exec("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", {now_ms(), who.token_id})
            .status());
    return record_audit(tx, audit_event(who, "auth.logout", "session", who.token_id));
  });
}

Result<Principal> Tokens::authenticate(std::string_view secret, bool from_cookie) {
  if (secret.size() < kSecretPrefix.size() + 16 || secret.size() > 256 ||
      secret.substr(0, kSecretPrefix.size()) != kSecretPrefix)
    return make_error(ErrorCode::unauthenticated, "the presented credential is not a medai token");
  const std::string hash = crypto::sha256_hex(secret);
  const std::int64_t now = now_ms();
  Principal p;
  std::optional<std::int64_t> last_used;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(
        auto row, tx->query_one("SELECT t.id AS token_id, t.kind, t.expires_at, t.revoked_at, t.last_used_at, "
                                "u.id AS user_id, u.username, u.institution_id, u.disabled "
                                "FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1",
                                {hash}));
    if (!row) return make_error(ErrorCode::unauthenticated, "unknown credential");
    if (row->get_optional_int("revoked_at")) return make_error(ErrorCode::token_revoked, "the token has been revoked");
    auto expires = row->get_optional_int("expires_at");
    if (expires && *expires <= now) return make_error(ErrorCode::token_expired, "the token has expired");
    if (row->get_int("disabled") != 0) return make_error(ErrorCode::unauthenticated, "the account is disabled");
    // API tokens are never accepted from a cookie: browsers send cookies on
    // their own, and long-lived tokens must only travel when a program
    // deliberately puts them in the Authorization header.
    const bool is_session = row->get_text("kind") == "session";
    if (from_cookie && !is_session)
      return make_error(ErrorCode::unauthenticated, "API tokens are accepted only in the Authorization header");
    p.user_id = row->get_text("user_id");
    p.username = row->get_text("username");
    p.institution_id = row->get_text("institution_id");
    p.token_id = row->get_text("token_id");
    p.via_session = is_session;
    last_used = row->get_optional_int("last_used_at");
    MEDAI_ASSIGN_OR_RETURN(auto roles, tx->query("SELECT role FROM user_roles WHERE user_id = $1", {p.user_id}));
    for (const auto& r : roles)
      if (auto role = role_from_name(r.get_text("role"))) p.roles.insert(*role);
  }
  if (!last_used || now - *last_used > kLastUsedGranularityMs) {
    // Best effort: a busy catalog must not fail the request itself.
    (void)storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) {
      return tx.exec("UPDATE tokens SET last_used_at = $1 WHERE id = $2", {now, p.token_id}).status();
    });
  }
  return p;
}

}  // namespace medai::access
