#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "storage/catalog.h"
#include "storage/temp_dir.h"

namespace medai::storage {
namespace {

using testing::TempDir;

std::unique_ptr<Catalog> open_catalog(const std::filesystem::path& path, int busy_ms = 10000,
                                      int connections = 8) {
  SqliteOptions o;
  o.path = path;
  o.busy_timeout_ms = busy_ms;
  o.max_connections = connections;
  auto c = open_sqlite_catalog(o);
  EXPECT_TRUE(c.is_ok()) << c.status().to_string();
  return c.is_ok() ? std::move(c).value() : nullptr;
}

Status exec(Catalog& c, std::string_view sql, Params params = {}) {
  return with_transaction(c, TxMode::read_write, [&](Transaction& tx) -> Status {
    auto r = tx.exec(sql, params);
    return r.is_ok() ? Status::ok() : r.status();
  });
}

std::int64_t count_rows(Catalog& c, std::string_view table) {
  auto tx = c.begin(TxMode::read_only);
  EXPECT_TRUE(tx.is_ok());
  auto row = (*tx)->query_one("SELECT COUNT(*) AS n FROM " + std::string(table));
  return row.is_ok() && row->has_value() ? (*row)->get_int("n") : -1;
}

TEST(SqliteConcurrency, ConcurrentWritersAllSucceed) {
  TempDir dir;
  auto catalog = open_catalog(dir / "c.sqlite");
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(exec(*catalog, "CREATE TABLE t (id INTEGER PRIMARY KEY, thread INTEGER, i INTEGER)").is_ok());
  constexpr int kThreads = 4;
  constexpr int kInserts = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kInserts; ++i) {
        Status s = exec(*catalog, "INSERT INTO t (thread, i) VALUES ($1, $2)",
                        {std::int64_t{t}, std::int64_t{i}});
        if (!s.is_ok()) {
          ++failures;
          ADD_FAILURE() << s.to_string();
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_rows(*catalog, "t"), kThreads * kInserts);
}

// Two catalogs on one file behave like two processes: they share no
// in-process gate, so contention goes through SQLite's busy timeout.
TEST(SqliteConcurrency, TwoCatalogsOnOneFileSerialiseWrites) {
  TempDir dir;
  auto a = open_catalog(dir / "c.sqlite");
  auto b = open_catalog(dir / "c.sqlite");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(exec(*a, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").is_ok());
  std::atomic<int> failures{0};
  auto writer = [&](Catalog& c) {
    for (int i = 0; i < 50; ++i)
      if (!exec(c, "INSERT INTO t (v) VALUES ($1)", {std::int64_t{i}}).is_ok()) ++failures;
  };
  std::thread ta(writer, std::ref(*a));
  std::thread tb(writer, std::ref(*b));
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(count_rows(*a, "t"), 100);
}

TEST(SqliteConcurrency, LockHeldByOtherProcessTimesOutAsUnavailable) {
  TempDir dir;
  auto a = open_catalog(dir / "c.sqlite", /*busy_ms=*/100);
  auto b = open_catalog(dir / "c.sqlite", /*busy_ms=*/100);
  ASSERT_TRUE(a && b);
  auto holder = a->begin(TxMode::read_write);
  ASSERT_TRUE(holder.is_ok());
  auto blocked = b->begin(TxMode::read_write);
  ASSERT_FALSE(blocked.is_ok());
  EXPECT_EQ(blocked.status().code(), ErrorCode::unavailable);
  // Readers are not blocked by the writer (WAL).
  auto reader = b->begin(TxMode::read_only);
  ASSERT_TRUE(reader.is_ok());
  EXPECT_TRUE((*reader)->query("SELECT * FROM schema_migrations").is_ok());
}

TEST(SqliteConcurrency, WriterGateAndPoolTimeOutAsUnavailable) {
  TempDir dir;
  auto c = open_catalog(dir / "c.sqlite", /*busy_ms=*/100, /*connections=*/2);
  ASSERT_TRUE(c);
  {
    auto writer = c->begin(TxMode::read_write);
    ASSERT_TRUE(writer.is_ok());
    auto second_writer = c->begin(TxMode::read_write);
    ASSERT_FALSE(second_writer.is_ok());
    EXPECT_EQ(second_writer.status().code(), ErrorCode::unavailable);
    auto reader = c->begin(TxMode::read_only);
    ASSERT_TRUE(reader.is_ok());
    auto no_connection = c->begin(TxMode::read_only);
    ASSERT_FALSE(no_connection.is_ok());
    EXPECT_EQ(no_connection.status().code(), ErrorCode::unavailable);
  }
  // Everything was returned: both kinds can start again.
  EXPECT_TRUE(c->begin(TxMode::read_write).is_ok());
  EXPECT_TRUE(c->ping().is_ok());
}

TEST(SqliteConcurrency, ReaderKeepsItsSnapshotWhileAWriterCommits) {
  TempDir dir;
  auto c = open_catalog(dir / "c.sqlite");
  ASSERT_TRUE(c);
  ASSERT_TRUE(exec(*c, "CREATE TABLE t (id INTEGER PRIMARY KEY)").is_ok());
  ASSERT_TRUE(exec(*c, "INSERT INTO t DEFAULT VALUES").is_ok());

  auto reader = c->begin(TxMode::read_only);
  ASSERT_TRUE(reader.is_ok());
  auto before = (*reader)->query_one("SELECT COUNT(*) AS n FROM t");
  ASSERT_TRUE(before.is_ok());
  EXPECT_EQ((*before)->get_int("n"), 1);

  std::thread writer([&] { EXPECT_TRUE(exec(*c, "INSERT INTO t DEFAULT VALUES").is_ok()); });
  writer.join();  // the writer committed while the reader is open

  auto during = (*reader)->query_one("SELECT COUNT(*) AS n FROM t");
  ASSERT_TRUE(during.is_ok());
  EXPECT_EQ((*during)->get_int("n"), 1);
  EXPECT_TRUE((*reader)->commit().is_ok());
  EXPECT_EQ(count_rows(*c, "t"), 2);
}

// Transfers keep the sum of balances constant; every reader transaction must
// see a constant sum across its separate statements while writers run.
TEST(SqliteConcurrency, ReadersSeeConsistentSnapshotsUnderLoad) {
  TempDir dir;
  auto c = open_catalog(dir / "c.sqlite");
  ASSERT_TRUE(c);
  ASSERT_TRUE(exec(*c, "CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)").is_ok());
  ASSERT_TRUE(exec(*c, "INSERT INTO acct (id, balance) VALUES (1, 1000), (2, 1000)").is_ok());

  std::atomic<bool> stop{false};
  std::atomic<int> inconsistent{0};
  std::atomic<int> snapshots{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      while (!stop) {
        auto tx = c->begin(TxMode::read_only);
        if (!tx.is_ok()) {
          ++inconsistent;
          continue;
        }
        auto a = (*tx)->query_one("SELECT balance FROM acct WHERE id = 1");
        std::this_thread::yield();
        auto b = (*tx)->query_one("SELECT balance FROM acct WHERE id = 2");
        if (!a.is_ok() || !b.is_ok() || (*a)->get_int("balance") + (*b)->get_int("balance") != 2000)
          ++inconsistent;
        ++snapshots;
      }
    });
  for (int i = 0; i < 100; ++i) {
    Status s = with_transaction(*c, TxMode::read_write, [&](Transaction& tx) -> Status {
      auto d = tx.exec("UPDATE acct SET balance = balance - $1 WHERE id = 1", {std::int64_t{i}});
      if (!d.is_ok()) return d.status();
      std::this_thread::yield();
      auto e = tx.exec("UPDATE acct SET balance = balance + $1 WHERE id = 2", {std::int64_t{i}});
      return e.is_ok() ? Status::ok() : e.status();
    });
    ASSERT_TRUE(s.is_ok()) << s.to_string();
  }
  stop = true;
  for (auto& th : readers) th.join();
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(snapshots.load(), 0);
}

}  // namespace
}  // namespace medai::storage
