#include "storage/migrations.h"

#include <openssl/evp.h>

#include <cassert>
#include <chrono>
#include <map>
#include <memory>

namespace medai::storage {

const std::string_view kCreateSchemaMigrationsSql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at BIGINT NOT NULL)";

std::vector<Migration> migrations_for_dialect(const std::vector<EmbeddedMigration>& all,
                                              std::string_view dialect) {
  // version -> chosen file; a dialect variant beats the generic file.
  std::map<int, const EmbeddedMigration*> chosen;
  for (const auto& m : all) {
    if (!m.dialect.empty() && m.dialect != dialect) continue;
    auto [it, inserted] = chosen.emplace(m.version, &m);
    if (!inserted && it->second->dialect.empty()) it->second = &m;
  }
  std::vector<Migration> out;
  out.reserve(chosen.size());
  for (const auto& [version, m] : chosen)
    out.push_back(Migration{version, std::string(m->name), m->sql, sha256_hex(m->sql)});
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest only fails on allocation failure; treat that as a broken
  // invariant rather than threading a Status through every caller.
  int ok = EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  assert(ok == 1 && len == 32);
  (void)ok;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(len * 2, '\0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return hex;
}

Result<std::vector<AppliedMigration>> read_applied_migrations(Transaction& tx) {
  MEDAI_ASSIGN_OR_RETURN(
      Rows rows,
      tx.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"));
  std::vector<AppliedMigration> out;
  out.reserve(rows.size());
  for (const Row& r : rows)
    out.push_back(AppliedMigration{static_cast<int>(r.get_int("version")), r.get_text("name"),
                                   r.get_text("checksum"), r.get_int("applied_at")});
  return out;
}

Result<std::vector<Migration>> pending_migrations(const std::vector<Migration>& known,
                                                  const std::vector<AppliedMigration>& applied) {
  const int newest_known = known.empty() ? 0 : known.back().version;
  std::map<int, const AppliedMigration*> by_version;
  for (const auto& a : applied) {
    if (a.version > newest_known)
      return make_error(ErrorCode::config_error,
                        "database was created by a newer medai: it has schema migration " +
                            std::to_string(a.version) + " but this binary knows up to " +
                            std::to_string(newest_known),
                        {{"version", a.version}, {"newest_known", newest_known}});
    by_version.emplace(a.version, &a);
  }
  std::vector<Migration> pending;
  for (const auto& m : known) {
    auto it = by_version.find(m.version);
    if (it == by_version.end()) {
      pending.push_back(m);
      continue;
    }
    if (it->second->checksum != m.checksum)
      return make_error(ErrorCode::config_error,
                        "schema migration " + std::to_string(m.version) + " (" + m.name +
                            ") was applied with different SQL than this binary carries; "
                            "refusing to start (migrations must never be edited once released)",
                        {{"version", m.version}, {"name", m.name}});
    by_version.erase(it);
  }
  if (!by_version.empty()) {
    const AppliedMigration& a = *by_version.begin()->second;
    return make_error(ErrorCode::config_error,
                      "database has schema migration " + std::to_string(a.version) + " (" +
                          a.name + ") that this binary does not know",
                      {{"version", a.version}, {"name", a.name}});
  }
  return pending;
}

Status record_migration(Transaction& tx, const Migration& m, std::int64_t applied_at_ms) {
  MEDAI_ASSIGN_OR_RETURN(
      auto changed,
      tx.exec("INSERT INTO schema_migrations (version, name, checksum, applied_at) "
              "VALUES ($1, $2, $3, $4)",
              {std::int64_t{m.version}, m.name, m.checksum, applied_at_ms}));
  (void)changed;
  return Status::ok();
}

std::int64_t migration_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace medai::storage
