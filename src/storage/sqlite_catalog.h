#pragma once
// Private to src/storage (and its tests): SQLite-specific pieces that tests
// exercise directly. Everything else SQLite stays inside sqlite_catalog.cc.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/migrations.h"

namespace medai::storage {

// Rewrites PostgreSQL placeholders $N as SQLite ?N. Text inside single-quoted
// literals, double-quoted identifiers, -- and /* */ comments is copied
// untouched, and so is a '$' that continues an identifier (PostgreSQL allows
// `a$1` as a name) or is not followed by a digit (dollar quoting).
std::string to_sqlite_placeholders(std::string_view sql);

// open_sqlite_catalog() with an explicit migration list instead of the
// compiled-in one (tests: failing, tampered or newer migrations). `migrations`
// must outlive the catalog.
Result<std::unique_ptr<Catalog>> open_sqlite_catalog_with_migrations(
    const SqliteOptions& options, const std::vector<EmbeddedMigration>& migrations);

}  // namespace medai::storage
