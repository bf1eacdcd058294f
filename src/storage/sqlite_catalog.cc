// The embedded SQLite backend of Catalog.
//
// Durability and concurrency choices (medical data):
// - WAL journal + synchronous=FULL: a commit that returned ok survives
//   kill -9 and power loss; readers never block the writer nor each other.
// - read_write transactions start with BEGIN IMMEDIATE, so a transaction never
//   has to upgrade a read lock to a write lock (the classic SQLite deadlock
//   that ends in SQLITE_BUSY regardless of the timeout).
// - Writers of this process queue on an in-process gate before BEGIN
//   IMMEDIATE; SQLite's busy handler sleeps and polls, which is unfair and
//   slow under contention, so it is left for other processes only.
// - A pool of connections, each used by one transaction (one thread) at a
//   time, each with its own prepared-statement cache keyed by SQL text.
#include "storage/sqlite_catalog.h"

#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace medai::storage {
namespace {

using Clock = std::chrono::steady_clock;

// Distinct SQL texts per connection are few (the code's own statements); the
// bound stops a caller that formats values into SQL from growing it forever.
constexpr std::size_t kStatementCacheLimit = 256;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps a failed SQLite call to a Status. sqlite3_errmsg() names tables,
// columns and constraints but never bound values, so it is safe to surface
// (values may be patient data).
Status sqlite_status(sqlite3* db, int rc, std::string_view context) {
  const int primary = rc & 0xff;
  const std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    // "UNIQUE constraint failed: users.username" -> "users.username"
    std::string constraint;
    if (auto pos = msg.find("failed: "); pos != std::string::npos) constraint = msg.substr(pos + 8);
    return make_error(ErrorCode::already_exists,
                      constraint.empty() ? "unique constraint violated"
                                         : "unique constraint violated: " + constraint,
                      {{"constraint", constraint}});
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    return make_error(ErrorCode::unavailable,
                      std::string(context) + ": the catalog is locked by another writer "
                      "(busy timeout expired)");
  return make_error(ErrorCode::storage_error, std::string(context) + ": " + msg,
                    {{"sqlite_code", rc}});
}

// One pooled connection with its statement cache. Used by one thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const SqliteOptions& options) {
    sqlite3* db = nullptr;
    const std::string path = options.path.string();
    int rc = sqlite3_open_v2(path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<Connection> conn(new Connection(db));  // closes db on every path
    if (rc != SQLITE_OK)
      return make_error(ErrorCode::storage_error,
                        "cannot open catalog database " + path + ": " +
                            (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, options.busy_timeout_ms);
    MEDAI_RETURN_IF_ERROR(conn->configure(path));
    return conn;
  }

  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // A prepared statement for `sql` (caller placeholder syntax), reset and
  // with no bindings. Exactly one statement per text.
  Result<sqlite3_stmt*> statement(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    const std::string translated = to_sqlite_placeholders(sql);
    const char* begin = translated.c_str();
    const char* end = begin + translated.size();
    const char* tail = nullptr;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, begin, static_cast<int>(translated.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc, "preparing SQL");
    if (stmt == nullptr)
      return make_error(ErrorCode::invalid_argument, "SQL text contains no statement");
    // Anything after the first statement other than blanks, ';' or comments
    // is a second statement: rejected (only migrations run scripts).
    while (tail != nullptr && tail < end) {
      sqlite3_stmt* extra = nullptr;
      const char* next = nullptr;
      rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &extra, &next);
      if (rc != SQLITE_OK || extra != nullptr) {
        sqlite3_finalize(extra);
        sqlite3_finalize(stmt);
        return make_error(ErrorCode::invalid_argument,
                          "exec() and query() take exactly one SQL statement");
      }
      if (next == tail) break;
      tail = next;
    }
    if (cache_.size() >= kStatementCacheLimit) {
      for (auto& [text, cached] : cache_) sqlite3_finalize(cached);
      cache_.clear();
    }
    cache_.emplace(std::string(sql), stmt);
    return stmt;
  }

  // Runs a statement that returns no rows (BEGIN, COMMIT, ...).
  Status run(std::string_view sql, std::string_view context) {
    MEDAI_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, statement(sql));
    int rc = sqlite3_step(stmt);
    Status s = rc == SQLITE_DONE || rc == SQLITE_ROW ? Status::ok() : sqlite_status(db_, rc, context);
    sqlite3_reset(stmt);
    return s;
  }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  Status configure(const std::string& path) {
    // journal_mode reports the mode in effect; anything but "wal" (e.g. a
    // file system without shared memory, or ":memory:") is refused because
    // the pool and the concurrency contract rely on WAL.
    MEDAI_ASSIGN_OR_RETURN(std::string mode, pragma_text("PRAGMA journal_mode=WAL"));
    if (mode != "wal")
      return make_error(ErrorCode::config_error,
                        "catalog database " + path + " cannot use WAL journaling (got '" + mode +
                            "'); use a file on a local file system");
    char* err = nullptr;
    int rc = sqlite3_exec(db_, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", nullptr,
                          nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc, "configuring catalog connection");
    MEDAI_ASSIGN_OR_RETURN(std::string fk, pragma_text("PRAGMA foreign_keys"));
    if (fk != "1")
      return make_error(ErrorCode::config_error, "this SQLite build does not enforce foreign keys");
    return Status::ok();
  }

  // First column of the first row of a one-off pragma, as text.
  Result<std::string> pragma_text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_status(db_, rc, sql);
    rc = sqlite3_step(stmt);
    std::string out;
    if (rc == SQLITE_ROW) {
      const auto* text = sqlite3_column_text(stmt, 0);
      if (text != nullptr) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_status(db_, rc, sql);
    return out;
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> cache_;
};

// Connections plus the in-process writer gate. Shared by the catalog and its
// live transactions, so a transaction that outlives the catalog stays valid.
class Pool {
 public:
  explicit Pool(SqliteOptions options) : options_(std::move(options)) {}

  // A free connection, opening a new one while below max_connections; waits
  // up to the busy timeout when all are lent out.
  Result<std::unique_ptr<Connection>> acquire() {
    std::unique_lock lock(mu_);
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    if (!cv_.wait_until(lock, deadline,
                        [&] { return !idle_.empty() || open_ < options_.max_connections; }))
      return make_error(ErrorCode::unavailable,
                        "all " + std::to_string(options_.max_connections) +
                            " catalog connections are in use (busy timeout expired)");
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
    lock.unlock();
    auto conn = Connection::open(options_);
    if (!conn.is_ok()) {
      lock.lock();
      --open_;
      cv_.notify_one();
    }
    return conn;
  }

  // Returns a connection; one left inside a transaction is closed instead.
  void release(std::unique_ptr<Connection> conn) {
    std::unique_ptr<Connection> doomed;
    {
      std::lock_guard lock(mu_);
      if (conn->in_transaction()) {
        doomed = std::move(conn);
        --open_;
      } else {
        idle_.push_back(std::move(conn));
      }
    }
    cv_.notify_one();
  }

  // The writer gate is a flag, not a mutex: it may be released by a thread
  // other than the one that took it (a transaction may change hands).
  Status acquire_write_gate() {
    std::unique_lock lock(mu_);
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    if (!write_cv_.wait_until(lock, deadline, [&] { return !writer_active_; }))
      return make_error(ErrorCode::unavailable,
                        "another transaction holds the catalog write lock (busy timeout expired)");
    writer_active_ = true;
    return Status::ok();
  }

  void release_write_gate() {
    {
      std::lock_guard lock(mu_);
      writer_active_ = false;
    }
    write_cv_.notify_one();
  }

 private:
  const SqliteOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // idle + lent out
  std::condition_variable write_cv_;
  bool writer_active_ = false;
};

// Resets a statement and drops its bindings when the call returns, so
// SQLITE_STATIC bindings never outlive the caller's Params and the statement
// releases its read snapshot.
class StatementScope {
 public:
  explicit StatementScope(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementScope() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

Status bind_params(sqlite3* db, sqlite3_stmt* stmt, const Params& params) {
  const int expected = sqlite3_bind_parameter_count(stmt);
  if (expected != static_cast<int>(params.size()))
    return make_error(ErrorCode::invalid_argument,
                      "SQL has " + std::to_string(expected) + " placeholders but " +
                          std::to_string(params.size()) + " parameters were given");
  for (int i = 0; i < expected; ++i) {
    const Value& v = params[static_cast<std::size_t>(i)];
    const int index = i + 1;
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(v)) {
      rc = sqlite3_bind_null(stmt, index);
    } else if (const auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, index, *n);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt, index, *d);
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
    } else if (const auto* b = std::get_if<Bytes>(&v)) {
      // A null data pointer would bind NULL, so empty bytes are a zero blob.
      rc = b->empty() ? sqlite3_bind_zeroblob(stmt, index, 0)
                      : sqlite3_bind_blob64(stmt, index, b->data(), b->size(), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) return sqlite_status(db, rc, "binding parameter $" + std::to_string(index));
  }
  return Status::ok();
}

Value column_value(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER:
      return std::int64_t{sqlite3_column_int64(stmt, i)};
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      return p != nullptr ? std::string(p, static_cast<std::size_t>(n)) : std::string();
    }
    case SQLITE_BLOB: {
      const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, i));
      const int n = sqlite3_column_bytes(stmt, i);
      return p != nullptr ? Bytes(p, p + n) : Bytes();
    }
    default:
      return nullptr;
  }
}

// True when a statement's text starts (after blanks and comments) with a
// keyword that ends or starts a transaction. SAVEPOINT/RELEASE stay allowed.
bool is_transaction_control(std::string_view stmt) {
  std::size_t i = 0;
  const std::size_t n = stmt.size();
  for (;;) {
    while (i < n && std::isspace(static_cast<unsigned char>(stmt[i]))) ++i;
    if (stmt.substr(i, 2) == "--") {
      const std::size_t eol = stmt.find('\n', i);
      i = eol == std::string_view::npos ? n : eol + 1;
    } else if (stmt.substr(i, 2) == "/*") {
      const std::size_t close = stmt.find("*/", i + 2);
      i = close == std::string_view::npos ? n : close + 2;
    } else {
      break;
    }
  }
  std::string word;
  while (i < n && std::isalpha(static_cast<unsigned char>(stmt[i])))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(stmt[i++])));
  return word == "BEGIN" || word == "COMMIT" || word == "END" || word == "ROLLBACK";
}

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(std::shared_ptr<Pool> pool, std::unique_ptr<Connection> conn, TxMode mode)
      : pool_(std::move(pool)), conn_(std::move(conn)), mode_(mode) {}
  ~SqliteTransaction() override { rollback(); }

  Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
    MEDAI_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql, params));
    StatementScope scope(stmt);
    sqlite3* db = conn_->db();
    const sqlite3_int64 total_before = sqlite3_total_changes64(db);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return step_failed(rc);
    MEDAI_RETURN_IF_ERROR(check_still_open());
    // sqlite3_changes() keeps the count of the last INSERT/UPDATE/DELETE, so
    // after DDL or a no-op it would report a stale number.
    if (sqlite3_total_changes64(db) == total_before) return std::int64_t{0};
    return std::int64_t{sqlite3_changes64(db)};
  }

  Result<Rows> query(std::string_view sql, const Params& params) override {
    MEDAI_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, prepare(sql, params));
    StatementScope scope(stmt);
    const int ncols = sqlite3_column_count(stmt);
    auto columns = std::make_shared<std::vector<std::string>>();
    columns->reserve(static_cast<std::size_t>(ncols));
    for (int i = 0; i < ncols; ++i) {
      const char* name = sqlite3_column_name(stmt, i);
      columns->emplace_back(name != nullptr ? name : "");
    }
    std::shared_ptr<const std::vector<std::string>> shared_columns = std::move(columns);
    Rows rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> cells;
      cells.reserve(static_cast<std::size_t>(ncols));
      for (int i = 0; i < ncols; ++i) cells.push_back(column_value(stmt, i));
      rows.emplace_back(shared_columns, std::move(cells));
    }
    if (rc != SQLITE_DONE) return step_failed(rc);
    MEDAI_RETURN_IF_ERROR(check_still_open());
    return rows;
  }

  Status commit() override {
    MEDAI_RETURN_IF_ERROR(check_usable());
    Status s = conn_->run("COMMIT", "committing");
    // A failed COMMIT (e.g. a deferred foreign key) leaves the transaction
    // open; finish() rolls it back before the connection is reused.
    finish();
    return s;
  }

  void rollback() override { finish(); }

  // Runs a multi-statement script (migrations only) inside this transaction,
  // one statement at a time, so later statements see earlier DDL. Statements
  // that would end the transaction are refused before they run: the
  // migration and its history row must commit together or not at all.
  Status exec_script(std::string_view sql, std::string_view context) {
    MEDAI_RETURN_IF_ERROR(check_usable());
    sqlite3* db = conn_->db();
    const char* pos = sql.data();
    const char* const end = sql.data() + sql.size();
    while (pos < end) {
      sqlite3_stmt* stmt = nullptr;
      const char* next = nullptr;
      int rc = sqlite3_prepare_v2(db, pos, static_cast<int>(end - pos), &stmt, &next);
      if (rc != SQLITE_OK) return step_failed(rc, context);
      if (stmt == nullptr) {  // only blanks or comments left
        if (next == pos) break;
        pos = next;
        continue;
      }
      if (is_transaction_control(std::string_view(pos, static_cast<std::size_t>(next - pos)))) {
        sqlite3_finalize(stmt);
        return make_error(ErrorCode::storage_error,
                          std::string(context) + ": migrations must not contain "
                          "BEGIN/COMMIT/END/ROLLBACK (each runs in its own transaction)");
      }
      while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      }
      Status s = rc == SQLITE_DONE ? Status::ok() : step_failed(rc, context);
      sqlite3_finalize(stmt);
      MEDAI_RETURN_IF_ERROR(s);
      pos = next;
    }
    return check_still_open();
  }

  // Starts the SQLite transaction on the borrowed connection.
  Status start() {
    Status s = conn_->run(mode_ == TxMode::read_write ? "BEGIN IMMEDIATE" : "BEGIN",
                          "beginning transaction");
    if (!s.is_ok()) finish();
    return s;
  }

 private:
  Result<sqlite3_stmt*> prepare(std::string_view sql, const Params& params) {
    MEDAI_RETURN_IF_ERROR(check_usable());
    MEDAI_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, conn_->statement(sql));
    if (mode_ == TxMode::read_only && sqlite3_stmt_readonly(stmt) == 0)
      return make_error(ErrorCode::invalid_argument,
                        "statement would write in a read-only transaction");
    Status bound = bind_params(conn_->db(), stmt, params);
    if (!bound.is_ok()) {
      sqlite3_clear_bindings(stmt);
      return bound;
    }
    return stmt;
  }

  // Capture the message before the statement is reset, then note whether
  // SQLite rolled the whole transaction back (it does on I/O errors, disk
  // full and some busy cases; constraint errors undo only the statement).
  Status step_failed(int rc, std::string_view context = "executing SQL") {
    Status s = sqlite_status(conn_->db(), rc, context);
    if (!conn_->in_transaction()) aborted_ = true;
    return s;
  }

  // Detects a transaction ended behind our back (a caller's COMMIT/ROLLBACK).
  Status check_still_open() {
    if (conn_->in_transaction()) return Status::ok();
    aborted_ = true;
    return make_error(ErrorCode::invalid_argument,
                      "SQL ended the transaction; use commit() / rollback()");
  }

  Status check_usable() const {
    if (!conn_) return make_error(ErrorCode::internal, "transaction already finished");
    if (aborted_)
      return make_error(ErrorCode::storage_error,
                        "transaction was rolled back by the database after an earlier error");
    return Status::ok();
  }

  // Rolls back whatever is still open and hands the connection (and the
  // writer gate) back. Idempotent.
  void finish() {
    if (!conn_) return;
    if (conn_->in_transaction()) (void)conn_->run("ROLLBACK", "rolling back");
    pool_->release(std::move(conn_));
    if (mode_ == TxMode::read_write) pool_->release_write_gate();
  }

  std::shared_ptr<Pool> pool_;
  std::unique_ptr<Connection> conn_;
  const TxMode mode_;
  bool aborted_ = false;
};

class SqliteCatalog final : public Catalog {
 public:
  SqliteCatalog(std::shared_ptr<Pool> pool, const std::vector<EmbeddedMigration>& migrations)
      : pool_(std::move(pool)), migrations_(migrations) {}

  Result<std::unique_ptr<Transaction>> begin(TxMode mode) override {
    MEDAI_ASSIGN_OR_RETURN(auto tx, begin_sqlite(mode));
    return std::unique_ptr<Transaction>(std::move(tx));
  }

  std::string_view dialect() const override { return "sqlite"; }

  Status migrate() override {
    {
      MEDAI_ASSIGN_OR_RETURN(auto tx, begin_sqlite(TxMode::read_write));
      MEDAI_ASSIGN_OR_RETURN(auto ignored, tx->exec(kCreateSchemaMigrationsSql, {}));
      (void)ignored;
      MEDAI_RETURN_IF_ERROR(tx->commit());
    }
    const std::vector<Migration> known = migrations_for_dialect(migrations_, dialect());
    // One migration per write transaction; history is re-read under the
    // write lock each time, so two processes migrating at once cannot both
    // apply the same version.
    for (;;) {
      MEDAI_ASSIGN_OR_RETURN(auto tx, begin_sqlite(TxMode::read_write));
      MEDAI_ASSIGN_OR_RETURN(auto applied, read_applied_migrations(*tx));
      MEDAI_ASSIGN_OR_RETURN(auto pending, pending_migrations(known, applied));
      if (pending.empty()) return Status::ok();
      const Migration& m = pending.front();
      const std::string label = "applying schema migration " + std::to_string(m.version) + " (" +
                                m.name + ")";
      MEDAI_RETURN_IF_ERROR(tx->exec_script(m.sql, label));
      MEDAI_RETURN_IF_ERROR(record_migration(*tx, m, migration_clock_ms()));
      MEDAI_RETURN_IF_ERROR(tx->commit());
    }
  }

  Result<std::vector<MigrationRecord>> applied_migrations() override {
    MEDAI_ASSIGN_OR_RETURN(auto tx, begin_sqlite(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(
        auto table, tx->query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                  "name = 'schema_migrations'"));
    std::vector<MigrationRecord> out;
    if (!table) return out;  // never migrated
    MEDAI_ASSIGN_OR_RETURN(auto applied, read_applied_migrations(*tx));
    for (auto& a : applied) out.push_back(MigrationRecord{a.version, std::move(a.name), a.applied_at_ms});
    return out;
  }

  Status ping() override {
    MEDAI_ASSIGN_OR_RETURN(auto tx, begin_sqlite(TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT 1", {}));
    (void)rows;
    return tx->commit();
  }

 private:
  Result<std::unique_ptr<SqliteTransaction>> begin_sqlite(TxMode mode) {
    // Gate before connection: a writer waiting for the gate must not sit on
    // a connection that readers could use.
    if (mode == TxMode::read_write) MEDAI_RETURN_IF_ERROR(pool_->acquire_write_gate());
    auto conn = pool_->acquire();
    if (!conn.is_ok()) {
      if (mode == TxMode::read_write) pool_->release_write_gate();
      return conn.status();
    }
    auto tx = std::make_unique<SqliteTransaction>(pool_, std::move(conn).value(), mode);
    MEDAI_RETURN_IF_ERROR(tx->start());
    return tx;
  }

  std::shared_ptr<Pool> pool_;
  const std::vector<EmbeddedMigration>& migrations_;
};

bool is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string to_sqlite_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  const std::size_t n = sql.size();
  std::size_t i = 0;
  // Copies through the matching `close` quote; a doubled quote ('' or "")
  // is an escaped quote and simply reopens, which the loop handles.
  auto copy_quoted = [&](char close) {
    out += sql[i++];
    while (i < n) {
      char c = sql[i++];
      out += c;
      if (c == close) return;
    }
  };
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      copy_quoted(c);
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t eol = sql.find('\n', i);
      const std::size_t stop = eol == std::string_view::npos ? n : eol;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const std::size_t close = sql.find("*/", i + 2);
      const std::size_t stop = close == std::string_view::npos ? n : close + 2;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < n && is_digit(sql[i + 1]) && (i == 0 || !is_ident_char(sql[i - 1]))) {
      out += '?';
      ++i;
      while (i < n && is_digit(sql[i])) out += sql[i++];
    } else if (is_ident_char(c)) {
      // Copy a whole word so a '$' inside it (a$1) is never a placeholder.
      while (i < n && is_ident_char(sql[i])) out += sql[i++];
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

Result<std::unique_ptr<Catalog>> open_sqlite_catalog_with_migrations(
    const SqliteOptions& options, const std::vector<EmbeddedMigration>& migrations) {
  if (options.path.empty())
    return make_error(ErrorCode::invalid_argument, "catalog database path is empty");
  if (options.max_connections < 1)
    return make_error(ErrorCode::invalid_argument, "max_connections must be at least 1");
  if (options.busy_timeout_ms < 0)
    return make_error(ErrorCode::invalid_argument, "busy_timeout_ms must not be negative");
  if (sqlite3_threadsafe() == 0)
    return make_error(ErrorCode::config_error, "SQLite was built without thread support");
  if (options.path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(options.path.parent_path(), ec);
    if (ec)
      return make_error(ErrorCode::io_error, "cannot create folder for catalog database " +
                                                 options.path.string() + ": " + ec.message());
  }
  auto pool = std::make_shared<Pool>(options);
  {
    // Open one connection now so a bad path or file fails here, not later.
    MEDAI_ASSIGN_OR_RETURN(auto conn, pool->acquire());
    pool->release(std::move(conn));
  }
  auto catalog = std::make_unique<SqliteCatalog>(std::move(pool), migrations);
  if (options.migrate_on_open) MEDAI_RETURN_IF_ERROR(catalog->migrate());
  return std::unique_ptr<Catalog>(std::move(catalog));
}

Result<std::unique_ptr<Catalog>> open_sqlite_catalog(const SqliteOptions& options) {
  return open_sqlite_catalog_with_migrations(options, embedded_migrations());
}

}  // namespace medai::storage
