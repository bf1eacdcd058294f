#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/migrations.h"
#include "storage/sqlite_catalog.h"
#include "storage/temp_dir.h"

namespace medai::storage {
namespace {

using testing::TempDir;

SqliteOptions options_for(const TempDir& dir, bool migrate = true) {
  SqliteOptions o;
  o.path = dir / "catalog.sqlite";
  o.migrate_on_open = migrate;
  return o;
}

std::unique_ptr<Catalog> open_or_die(const SqliteOptions& o) {
  auto c = open_sqlite_catalog(o);
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  return c.is_ok() ? std::move(c).value() : nullptr;
}

bool table_exists(Catalog& c, const std::string& name) {
  auto tx = c.begin(TxMode::read_only);
  EXPECT_TRUE(tx.is_ok());
  auto row = (*tx)->query_one("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
                              {name});
  EXPECT_TRUE(row.is_ok()) << row.status().to_string();
  return row.is_ok() && row->has_value();
}

Status exec_one(Catalog& c, std::string_view sql, Params params = {}) {
  return with_transaction(c, TxMode::read_write, [&](Transaction& tx) -> Status {
    auto r = tx.exec(sql, params);
    return r.is_ok() ? Status::ok() : r.status();
  });
}

TEST(EmbeddedMigrations, CarryTheSqlFilesVerbatim) {
  const auto& all = embedded_migrations();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().version, 1);
  EXPECT_EQ(all.front().name, "access");
  EXPECT_EQ(all.front().dialect, "");
  std::ifstream in(std::string(MEDAI_SOURCE_DIR) + "/src/storage/migrations/0001_access.sql",
                   std::ios::binary);
  ASSERT_TRUE(in) << "cannot read 0001_access.sql";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_EQ(all.front().sql, file.str());
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LE(all[i - 1].version, all[i].version);
}

TEST(MigrationsForDialect, VariantReplacesGenericForItsDialectOnly) {
  const std::vector<EmbeddedMigration> all = {
      {1, "a", "", "generic 1"},
      {2, "b", "", "generic 2"},
      {2, "b", "sqlite", "sqlite 2"},
      {2, "b", "postgresql", "pg 2"},
      {3, "c", "postgresql", "pg 3"},
  };
  auto sqlite = migrations_for_dialect(all, "sqlite");
  ASSERT_EQ(sqlite.size(), 2u);
  EXPECT_EQ(sqlite[0].sql, "generic 1");
  EXPECT_EQ(sqlite[1].sql, "sqlite 2");
  EXPECT_EQ(sqlite[1].checksum, sha256_hex("sqlite 2"));
  auto pg = migrations_for_dialect(all, "postgresql");
  ASSERT_EQ(pg.size(), 3u);
  EXPECT_EQ(pg[1].sql, "pg 2");
  EXPECT_EQ(pg[2].version, 3);
}

TEST(Sha256Hex, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(PendingMigrations, ChecksHistory) {
  const std::vector<Migration> known = {{1, "a", "x", "c1"}, {2, "b", "y", "c2"}};
  auto none = pending_migrations(known, {});
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(none->size(), 2u);

  auto one = pending_migrations(known, {{1, "a", "c1", 5}});
  ASSERT_TRUE(one.is_ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().version, 2);

  auto tampered = pending_migrations(known, {{1, "a", "other", 5}});
  ASSERT_FALSE(tampered.is_ok());
  EXPECT_EQ(tampered.status().code(), ErrorCode::config_error);

  auto newer = pending_migrations(known, {{1, "a", "c1", 5}, {3, "z", "c3", 6}});
  ASSERT_FALSE(newer.is_ok());
  EXPECT_NE(newer.status().message().find("newer medai"), std::string::npos);

  const std::vector<Migration> gap = {{1, "a", "x", "c1"}, {3, "c", "y", "c3"}};
  auto unknown = pending_migrations(gap, {{2, "b", "c2", 5}});
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::config_error);
}

TEST(SqliteMigrate, AppliesOnceAndRecords) {
  TempDir dir;
  auto catalog = open_or_die(options_for(dir));
  ASSERT_TRUE(catalog);
  for (const char* t : {"institutions", "users", "user_roles", "tokens", "audit_events"})
    EXPECT_TRUE(table_exists(*catalog, t)) << t;
  auto applied = catalog->applied_migrations();
  ASSERT_TRUE(applied.is_ok()) << applied.status().to_string();
  const auto known = migrations_for_dialect(embedded_migrations(), "sqlite");
  ASSERT_EQ(applied->size(), known.size());
  EXPECT_EQ(applied->front().version, 1);
  EXPECT_EQ(applied->front().name, "access");
  EXPECT_GT(applied->front().applied_at_ms, 1600000000000);

  auto tx = catalog->begin(TxMode::read_only);
  ASSERT_TRUE(tx.is_ok());
  auto row = (*tx)->query_one("SELECT checksum FROM schema_migrations WHERE version = 1");
  ASSERT_TRUE(row.is_ok() && row->has_value());
  EXPECT_EQ((*row)->get_text("checksum"), known.front().checksum);
}

TEST(SqliteMigrate, ReopenIsANoOp) {
  TempDir dir;
  std::vector<MigrationRecord> first;
  {
    auto catalog = open_or_die(options_for(dir));
    ASSERT_TRUE(catalog);
    first = catalog->applied_migrations().value();
    EXPECT_TRUE(catalog->migrate().is_ok());  // again on the same catalog
  }
  auto catalog = open_or_die(options_for(dir));
  ASSERT_TRUE(catalog);
  auto again = catalog->applied_migrations();
  ASSERT_TRUE(again.is_ok());
  ASSERT_EQ(again->size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ((*again)[i].version, first[i].version);
    EXPECT_EQ((*again)[i].applied_at_ms, first[i].applied_at_ms);
  }
}

TEST(SqliteMigrate, TamperedChecksumRefused) {
  TempDir dir;
  {
    auto catalog = open_or_die(options_for(dir));
    ASSERT_TRUE(catalog);
    ASSERT_TRUE(exec_one(*catalog, "UPDATE schema_migrations SET checksum = $1 WHERE version = 1",
                         {std::string(64, '0')})
                    .is_ok());
  }
  auto reopened = open_sqlite_catalog(options_for(dir));
  ASSERT_FALSE(reopened.is_ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::config_error);
  EXPECT_NE(reopened.status().message().find("migration 1"), std::string::npos)
      << reopened.status().message();
}

TEST(SqliteMigrate, NewerDatabaseRefused) {
  TempDir dir;
  {
    auto catalog = open_or_die(options_for(dir));
    ASSERT_TRUE(catalog);
    ASSERT_TRUE(exec_one(*catalog,
                         "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                         "VALUES (9999, 'future', 'x', 0)")
                    .is_ok());
  }
  auto reopened = open_sqlite_catalog(options_for(dir));
  ASSERT_FALSE(reopened.is_ok());
  EXPECT_EQ(reopened.status().code(), ErrorCode::config_error);
  EXPECT_NE(reopened.status().message().find("newer medai"), std::string::npos);
  EXPECT_NE(reopened.status().message().find("9999"), std::string::npos);
}

TEST(SqliteMigrate, WithoutMigrateOnOpenNothingIsApplied) {
  TempDir dir;
  auto catalog = open_or_die(options_for(dir, /*migrate=*/false));
  ASSERT_TRUE(catalog);
  auto applied = catalog->applied_migrations();
  ASSERT_TRUE(applied.is_ok()) << applied.status().to_string();
  EXPECT_TRUE(applied->empty());
  EXPECT_FALSE(table_exists(*catalog, "users"));
  ASSERT_TRUE(catalog->migrate().is_ok());
  EXPECT_TRUE(table_exists(*catalog, "users"));
}

TEST(SqliteMigrate, FailingMigrationLeavesNoTraceAndEarlierOnesStay) {
  TempDir dir;
  static const std::vector<EmbeddedMigration> list = {
      {1, "first", "", "CREATE TABLE a (x INTEGER);"},
      {2, "broken", "", "CREATE TABLE b (x INTEGER);\nCREATE TABLE oops ("},
  };
  auto opened = open_sqlite_catalog_with_migrations(options_for(dir), list);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::storage_error);
  EXPECT_NE(opened.status().message().find("migration 2 (broken)"), std::string::npos)
      << opened.status().message();

  auto catalog = open_sqlite_catalog_with_migrations(options_for(dir, false), list);
  ASSERT_TRUE(catalog.is_ok());
  EXPECT_TRUE(table_exists(**catalog, "a"));
  EXPECT_FALSE(table_exists(**catalog, "b"));  // rolled back with its migration
  auto applied = (*catalog)->applied_migrations();
  ASSERT_TRUE(applied.is_ok());
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ(applied->front().version, 1);
}

TEST(SqliteMigrate, DialectVariantIsUsed) {
  TempDir dir;
  static const std::vector<EmbeddedMigration> list = {
      {1, "t", "", "CREATE TABLE for_generic (x INTEGER);"},
      {1, "t", "sqlite", "CREATE TABLE for_sqlite (x INTEGER);"},
      {1, "t", "postgresql", "CREATE TABLE for_pg (x INTEGER);"},
  };
  auto catalog = open_sqlite_catalog_with_migrations(options_for(dir), list);
  ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
  EXPECT_TRUE(table_exists(**catalog, "for_sqlite"));
  EXPECT_FALSE(table_exists(**catalog, "for_generic"));
  EXPECT_FALSE(table_exists(**catalog, "for_pg"));
}

TEST(SqliteMigrate, ScriptMayNotEndTheTransaction) {
  TempDir dir;
  static const std::vector<EmbeddedMigration> list = {
      {1, "sneaky", "", "CREATE TABLE a (x INTEGER); COMMIT;"},
  };
  auto opened = open_sqlite_catalog_with_migrations(options_for(dir), list);
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::storage_error);
}

}  // namespace
}  // namespace medai::storage

namespace medai::storage {
namespace {

// 0010 adds jobs.study_uid and fills it from the JSON input of jobs queued
// before the upgrade (a text study_uid only).
TEST(SqliteMigrate, JobStudyColumnIsBackfilledOnUpgrade) {
  TempDir dir;
  std::vector<EmbeddedMigration> before;
  for (const auto& m : embedded_migrations())
    if (m.version < 10) before.push_back(m);
  {
    auto old = open_sqlite_catalog_with_migrations(options_for(dir), before);
    ASSERT_TRUE(old.is_ok()) << old.status().to_string();
    for (auto [id, input] : {std::pair{"j1", R"({"study_uid": "1.2.840.5", "app": "x"})"},
                             std::pair{"j2", R"({"study_uid": 42})"}, std::pair{"j3", R"({})"}})
      ASSERT_TRUE(exec_one(**old,
                           "INSERT INTO jobs (id, type, institution_id, input, state, max_attempts, next_attempt_at, "
                           "created_at, seq, updated_at) VALUES ($1, 'app.run', 'i', $2, 'queued', 3, 0, 0, 0, 0)",
                           {std::string(id), std::string(input)}));
  }
  auto catalog = open_or_die(options_for(dir));
  ASSERT_TRUE(catalog);
  auto tx = catalog->begin(TxMode::read_only);
  ASSERT_TRUE(tx.is_ok());
  auto rows = (*tx)->query("SELECT id, study_uid FROM jobs ORDER BY id");
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].get_text("study_uid"), "1.2.840.5");
  EXPECT_EQ((*rows)[1].get_text("study_uid"), "");
  EXPECT_EQ((*rows)[2].get_text("study_uid"), "");
}

}  // namespace
}  // namespace medai::storage
