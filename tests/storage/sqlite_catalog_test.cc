#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "storage/catalog.h"
#include "storage/temp_dir.h"

namespace medai::storage {
namespace {

using testing::TempDir;

class SqliteCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.path = dir_ / "catalog.sqlite";
    auto c = open_sqlite_catalog(options_);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    catalog_ = std::move(c).value();
    ASSERT_TRUE(exec("CREATE TABLE items (id INTEGER PRIMARY KEY, v)").is_ok());
    ASSERT_TRUE(exec("CREATE TABLE people (id TEXT PRIMARY KEY, mrn TEXT NOT NULL UNIQUE)").is_ok());
  }

  Status exec(std::string_view sql, Params params = {}) {
    return with_transaction(*catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
      auto r = tx.exec(sql, params);
      return r.is_ok() ? Status::ok() : r.status();
    });
  }

  std::int64_t count(std::string_view table) {
    auto tx = catalog_->begin(TxMode::read_only);
    EXPECT_TRUE(tx.is_ok());
    auto row = (*tx)->query_one("SELECT COUNT(*) AS n FROM " + std::string(table));
    EXPECT_TRUE(row.is_ok()) << row.status().to_string();
    return row.is_ok() && row->has_value() ? (*row)->get_int("n") : -1;
  }

  std::unique_ptr<Transaction> begin(TxMode mode = TxMode::read_write) {
    auto tx = catalog_->begin(mode);
    EXPECT_TRUE(tx.is_ok()) << tx.status().to_string();
    return tx.is_ok() ? std::move(tx).value() : nullptr;
  }

  TempDir dir_;
  SqliteOptions options_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(SqliteCatalogTest, DialectAndPing) {
  EXPECT_EQ(catalog_->dialect(), "sqlite");
  EXPECT_TRUE(catalog_->ping().is_ok());
  EXPECT_TRUE(std::filesystem::exists(options_.path));
}

TEST_F(SqliteCatalogTest, DurabilitySettings) {
  auto tx = begin();
  auto mode = tx->query_one("PRAGMA journal_mode");
  ASSERT_TRUE(mode.is_ok()) << mode.status().to_string();
  EXPECT_EQ((*mode)->get_text("journal_mode"), "wal");
  auto sync = tx->query_one("PRAGMA synchronous");
  ASSERT_TRUE(sync.is_ok());
  EXPECT_EQ((*sync)->get_int("synchronous"), 2);  // FULL
  auto fk = tx->query_one("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.is_ok());
  EXPECT_EQ((*fk)->get_int("foreign_keys"), 1);
}

TEST_F(SqliteCatalogTest, EveryValueTypeRoundTrips) {
  const std::vector<Value> values = {
      nullptr,
      std::int64_t{0},
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
      3.25,
      -1e-300,
      std::string(),
      std::string("Zoë — 患者"),
      std::string("with\0nul", 8),
      Bytes(),
      Bytes{0x00, 0xff, 0x00, 0x7f},
  };
  for (std::size_t i = 0; i < values.size(); ++i)
    ASSERT_TRUE(exec("INSERT INTO items (id, v) VALUES ($1, $2)",
                     {static_cast<std::int64_t>(i), values[i]})
                    .is_ok())
        << i;
  auto tx = begin(TxMode::read_only);
  auto rows = tx->query("SELECT id, v FROM items ORDER BY id");
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Row& r = (*rows)[i];
    EXPECT_EQ(r.at("v").index(), values[i].index()) << "row " << i;
    EXPECT_TRUE(r.at("v") == values[i]) << "row " << i;
    EXPECT_EQ(r.at(1), r.at("v"));
  }
  EXPECT_EQ((*rows)[0].columns(), (std::vector<std::string>{"id", "v"}));
}

TEST_F(SqliteCatalogTest, PlaceholdersInLiteralsAndDoubleDigits) {
  auto tx = begin(TxMode::read_only);
  Params p(10);
  for (int i = 0; i < 10; ++i) p[i] = std::int64_t{(i + 1) * 100};
  auto row = tx->query_one("SELECT '$1' AS lit, $1 AS p1, $10 AS p10, $2 AS p2 -- $3\n"
                           "WHERE $3 + $4 + $5 + $6 + $7 + $8 + $9 > 0",
                           p);
  ASSERT_TRUE(row.is_ok()) << row.status().to_string();
  ASSERT_TRUE(row->has_value());
  EXPECT_EQ((*row)->get_text("lit"), "$1");
  EXPECT_EQ((*row)->get_int("p1"), 100);
  EXPECT_EQ((*row)->get_int("p10"), 1000);
  EXPECT_EQ((*row)->get_int("p2"), 200);
}

TEST_F(SqliteCatalogTest, ParameterCountMustMatch) {
  auto tx = begin();
  auto r = tx->exec("INSERT INTO items (id, v) VALUES ($1, $2)", {std::int64_t{1}});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  // The statement is still usable with the right parameters.
  EXPECT_TRUE(tx->exec("INSERT INTO items (id, v) VALUES ($1, $2)", {std::int64_t{1}, "x"}).is_ok());
}

TEST_F(SqliteCatalogTest, OneStatementPerCall) {
  auto tx = begin();
  auto r = tx->exec("INSERT INTO items (v) VALUES (1); INSERT INTO items (v) VALUES (2)");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1); -- trailing comment").is_ok());
  auto empty = tx->exec("  -- nothing");
  EXPECT_EQ(empty.status().code(), ErrorCode::invalid_argument);
}

TEST_F(SqliteCatalogTest, SyntaxErrorIsStorageError) {
  auto tx = begin();
  auto r = tx->query("SELEC nonsense");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::storage_error);
}

TEST_F(SqliteCatalogTest, ExecReturnsChangedRows) {
  auto tx = begin();
  for (int i = 0; i < 3; ++i) {
    auto n = tx->exec("INSERT INTO items (v) VALUES ($1)", {std::int64_t{i}});
    ASSERT_TRUE(n.is_ok());
    EXPECT_EQ(*n, 1);
  }
  auto updated = tx->exec("UPDATE items SET v = v + 1");
  ASSERT_TRUE(updated.is_ok());
  EXPECT_EQ(*updated, 3);
  auto ddl = tx->exec("CREATE INDEX items_v ON items (v)");
  ASSERT_TRUE(ddl.is_ok());
  EXPECT_EQ(*ddl, 0);  // not the stale count of the UPDATE
  auto none = tx->exec("DELETE FROM items WHERE v > 1000");
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(*none, 0);
  auto deleted = tx->exec("DELETE FROM items WHERE v >= $1", {std::int64_t{2}});
  ASSERT_TRUE(deleted.is_ok());
  EXPECT_EQ(*deleted, 2);
}

TEST_F(SqliteCatalogTest, UniqueViolationIsAlreadyExistsWithoutTheValue) {
  const std::string secret_mrn = "MRN-SECRET-8812";
  ASSERT_TRUE(exec("INSERT INTO people (id, mrn) VALUES ($1, $2)", {"p1", secret_mrn}).is_ok());

  auto tx = begin();
  auto dup = tx->exec("INSERT INTO people (id, mrn) VALUES ($1, $2)", {"p2", secret_mrn});
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(dup.status().code(), ErrorCode::already_exists);
  EXPECT_NE(dup.status().message().find("people.mrn"), std::string::npos) << dup.status().message();
  EXPECT_EQ(dup.status().to_json().dump().find(secret_mrn), std::string::npos);

  auto dup_key = tx->exec("INSERT INTO people (id, mrn) VALUES ($1, $2)", {"p1", "other"});
  ASSERT_FALSE(dup_key.is_ok());
  EXPECT_EQ(dup_key.status().code(), ErrorCode::already_exists);
  EXPECT_EQ(dup_key.status().to_json().dump().find("p1"), std::string::npos);

  // A constraint error undoes only its statement; the transaction goes on.
  EXPECT_TRUE(tx->exec("INSERT INTO people (id, mrn) VALUES ($1, $2)", {"p3", "m3"}).is_ok());
  EXPECT_TRUE(tx->commit().is_ok());
  EXPECT_EQ(count("people"), 2);
}

TEST_F(SqliteCatalogTest, ForeignKeysAreEnforced) {
  auto tx = begin();
  auto r = tx->exec(
      "INSERT INTO users (id, institution_id, username, display_name, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, 0, 0)",
      {"u1", "no-such-institution", "jdoe", "John Doe"});
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::storage_error);
  EXPECT_EQ(r.status().to_json().dump().find("John Doe"), std::string::npos);
}

TEST_F(SqliteCatalogTest, DestroyingWithoutCommitRollsBack) {
  {
    auto tx = begin();
    ASSERT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1)").is_ok());
  }
  EXPECT_EQ(count("items"), 0);
}

TEST_F(SqliteCatalogTest, ExplicitRollbackAndUseAfterFinish) {
  auto tx = begin();
  ASSERT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1)").is_ok());
  tx->rollback();
  tx->rollback();  // idempotent
  EXPECT_EQ(count("items"), 0);
  auto late = tx->exec("INSERT INTO items (v) VALUES (2)");
  ASSERT_FALSE(late.is_ok());
  EXPECT_EQ(late.status().code(), ErrorCode::internal);
  EXPECT_FALSE(tx->commit().is_ok());
}

TEST_F(SqliteCatalogTest, CommitMakesChangesVisible) {
  auto tx = begin();
  ASSERT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1)").is_ok());
  ASSERT_TRUE(tx->commit().is_ok());
  EXPECT_EQ(count("items"), 1);
}

TEST_F(SqliteCatalogTest, WithTransactionRollsBackOnError) {
  Status s = with_transaction(*catalog_, TxMode::read_write, [](Transaction& tx) -> Status {
    auto r = tx.exec("INSERT INTO items (v) VALUES (1)");
    if (!r.is_ok()) return r.status();
    return make_error(ErrorCode::conflict, "changed my mind");
  });
  EXPECT_EQ(s.code(), ErrorCode::conflict);
  EXPECT_EQ(count("items"), 0);

  EXPECT_THROW(
      (void)with_transaction(*catalog_, TxMode::read_write, [](Transaction& tx) -> Status {
        (void)tx.exec("INSERT INTO items (v) VALUES (1)");
        throw std::runtime_error("boom");
      }),
      std::runtime_error);
  EXPECT_EQ(count("items"), 0);

  EXPECT_TRUE(with_transaction(*catalog_, TxMode::read_write, [](Transaction& tx) -> Status {
                auto r = tx.exec("INSERT INTO items (v) VALUES (1)");
                return r.is_ok() ? Status::ok() : r.status();
              }).is_ok());
  EXPECT_EQ(count("items"), 1);
}

TEST_F(SqliteCatalogTest, ReadOnlyTransactionRefusesWrites) {
  auto tx = begin(TxMode::read_only);
  auto r = tx->exec("INSERT INTO items (v) VALUES (1)");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(tx->query("SELECT * FROM items").is_ok());
}

TEST_F(SqliteCatalogTest, SqlMayNotEndTheTransaction) {
  auto tx = begin();
  ASSERT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1)").is_ok());
  auto r = tx->exec("COMMIT");
  EXPECT_FALSE(r.is_ok());
  EXPECT_FALSE(tx->commit().is_ok());
}

TEST_F(SqliteCatalogTest, QueryOne) {
  ASSERT_TRUE(exec("INSERT INTO items (id, v) VALUES (7, 'seven')").is_ok());
  auto tx = begin(TxMode::read_only);
  auto none = tx->query_one("SELECT v FROM items WHERE id = $1", {std::int64_t{8}});
  ASSERT_TRUE(none.is_ok());
  EXPECT_FALSE(none->has_value());
  auto some = tx->query_one("SELECT v FROM items WHERE id = $1", {std::int64_t{7}});
  ASSERT_TRUE(some.is_ok());
  ASSERT_TRUE(some->has_value());
  EXPECT_EQ((*some)->get_text("v"), "seven");
}

TEST_F(SqliteCatalogTest, ManyDistinctStatementsOutgrowTheCache) {
  auto tx = begin();
  for (int i = 0; i < 600; ++i) {
    auto r = tx->query_one("SELECT " + std::to_string(i) + " AS n");
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ((*r)->get_int("n"), i);
  }
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(tx->exec("INSERT INTO items (v) VALUES ($1)", {std::int64_t{i}}).is_ok());
  ASSERT_TRUE(tx->commit().is_ok());
  EXPECT_EQ(count("items"), 1000);
}

TEST_F(SqliteCatalogTest, TransactionMayOutliveTheCatalog) {
  auto tx = begin();
  catalog_.reset();
  EXPECT_TRUE(tx->exec("INSERT INTO items (v) VALUES (1)").is_ok());
  EXPECT_TRUE(tx->commit().is_ok());
}

TEST(SqliteCatalogOptions, InvalidOptionsRejected) {
  SqliteOptions o;
  EXPECT_EQ(open_sqlite_catalog(o).status().code(), ErrorCode::invalid_argument);
  TempDir dir;
  o.path = dir / "c.sqlite";
  o.max_connections = 0;
  EXPECT_EQ(open_sqlite_catalog(o).status().code(), ErrorCode::invalid_argument);
}

TEST(SqliteCatalogOptions, CreatesParentFolder) {
  TempDir dir;
  SqliteOptions o;
  o.path = dir / "nested/deeper/catalog.sqlite";
  auto c = open_sqlite_catalog(o);
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_TRUE(std::filesystem::exists(o.path));
}

TEST(SqliteCatalogOptions, UnopenablePathIsAnError) {
  TempDir dir;
  SqliteOptions o;
  o.path = dir.path();  // a folder, not a file
  auto c = open_sqlite_catalog(o);
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), ErrorCode::storage_error);
}

}  // namespace
}  // namespace medai::storage
