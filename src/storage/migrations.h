#pragma once
// Private to src/storage: the compiled-in migration list and the
// backend-independent half of Catalog::migrate() (which migrations apply to a
// dialect, checksums, verifying recorded history, recording a new entry).
// Each backend only adds "run this multi-statement script inside my
// transaction".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/catalog.h"

namespace medai::storage {

// One file from src/storage/migrations/, as embedded by embed_migrations.cmake:
// NNNN_name.sql (dialect "") or NNNN_name.<dialect>.sql, which replaces the
// generic file of the same version for that dialect only.
struct EmbeddedMigration {
  int version;
  std::string_view name;
  std::string_view dialect;  // "" = generic, else "sqlite" / "postgresql"
  std::string_view sql;      // the file's bytes, verbatim
};

// Defined in the generated migrations_embedded.cc; sorted by version, the
// generic file before its dialect variants.
const std::vector<EmbeddedMigration>& embedded_migrations();

// A migration as it applies to one dialect.
struct Migration {
  int version;
  std::string name;
  std::string_view sql;  // points into static storage (or the caller's list)
  std::string checksum;  // sha256_hex(sql)
};

// The migrations that apply to `dialect`, ascending by version: for each
// version the `dialect` variant if there is one, else the generic file.
// `all` must outlive the result (sql views point into it).
std::vector<Migration> migrations_for_dialect(const std::vector<EmbeddedMigration>& all,
                                              std::string_view dialect);

// Lower-case hex SHA-256 (OpenSSL EVP), kept local to storage so it does not
// depend on core/crypto.
std::string sha256_hex(std::string_view data);

// Portable DDL of the history table; safe to run on every start.
extern const std::string_view kCreateSchemaMigrationsSql;

struct AppliedMigration {
  int version;
  std::string name;
  std::string checksum;
  std::int64_t applied_at_ms;
};

// Reads schema_migrations ascending by version (the table must exist).
Result<std::vector<AppliedMigration>> read_applied_migrations(Transaction& tx);

// Checks recorded history against what this binary knows and returns the
// migrations still to apply, in order. config_error when an applied
// migration's checksum differs from the compiled-in one, when the database
// has a version newer than the binary's newest (created by a newer medai),
// or when it has a version this binary does not know.
Result<std::vector<Migration>> pending_migrations(const std::vector<Migration>& known,
                                                  const std::vector<AppliedMigration>& applied);

// Inserts the history row for `m` (call in the transaction that applied it).
Status record_migration(Transaction& tx, const Migration& m, std::int64_t applied_at_ms);

// Wall clock in ms since the Unix epoch (local so storage needs no core/clock).
std::int64_t migration_clock_ms();

}  // namespace medai::storage
