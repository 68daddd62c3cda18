// The SQLite RAII layer: opening with WAL and checks, statements, transactions, error text.
#include "nineteen/store/sqlite_database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <utility>

namespace nineteen::store {
namespace {

std::string advice_for(int code) {
  switch (code & 0xff) {
    case SQLITE_NOTADB:
      return " (this file is not a SQLite database: point the setting at another path, or move the file away)";
    case SQLITE_CORRUPT:
      return " (the file is damaged: restore it from a backup, or move it away to start afresh)";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return " (another process holds the write lock for longer than the busy timeout: is a second node using "
             "this file?)";
    case SQLITE_FULL:
      return " (the disk is full, or the store reached its size cap (validator.db_max_mb): free space or raise the "
             "cap; nothing of this write was committed, and writes resume by themselves)";
    case SQLITE_CANTOPEN: return " (check that the folder exists and is writable)";
    case SQLITE_READONLY: return " (the file or its folder is read-only)";
    default: return "";
  }
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, const SqliteOptions& options) : path_(path) {
  int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // Each connection is used by one thread at a time (callers serialise), so no SQLite mutex.
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("store " + path + ": cannot open: " + message + advice_for(rc));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, static_cast<int>(options.busy_timeout.count()));
  try {
    // Reading the schema is what first touches the file's header: a non-SQLite file fails here.
    exec("SELECT count(*) FROM sqlite_master");
    if (!options.read_only) exec("PRAGMA journal_mode=WAL");
    // NORMAL is durable across a process crash in WAL mode (only power loss can drop the last commits).
    exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON");
    if (options.max_bytes > 0) set_max_bytes(options.max_bytes);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void SqliteDatabase::set_max_bytes(std::uint64_t max_bytes) {
  auto page_size = prepare("PRAGMA page_size");
  page_size.step();
  const std::int64_t page = std::max<std::int64_t>(512, page_size.column_int(0));
  const std::uint64_t pages = max_bytes == 0 ? 4294967294ULL : std::max<std::uint64_t>(1, max_bytes / page);
  // SQLite never lowers the cap below the file's current page count: a full store stays readable.
  exec("PRAGMA max_page_count = " + std::to_string(pages));
}

SqliteDatabase::~SqliteDatabase() {
  if (db_) sqlite3_close_v2(db_);
}

void SqliteDatabase::fail(const std::string& what, int code) const {
  std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code);
  throw StoreError("store " + path_ + ": " + what + ": " + message + advice_for(code));
}

void SqliteDatabase::exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    std::string first_line = text.substr(0, text.find('\n')).substr(0, 80);
    throw StoreError("store " + path_ + ": running \"" + first_line + "\": " + message + advice_for(rc));
  }
}

SqliteStatement SqliteDatabase::prepare(std::string_view sql) { return SqliteStatement(*this, sql); }

std::int64_t SqliteDatabase::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

int SqliteDatabase::changes() const { return sqlite3_changes(db_); }

SqliteStatement::SqliteStatement(SqliteDatabase& db, std::string_view sql) : db_(&db) {
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail("preparing \"" + std::string(sql.substr(0, 80)) + "\"", rc);
}

SqliteStatement::~SqliteStatement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_->fail("binding parameter " + std::to_string(index), rc);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::optional<double> value) {
  return value ? bind(index, *value) : bind_null(index);
}

bool SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail("running \"" + std::string(sqlite3_sql(stmt_)).substr(0, 80) + "\"", rc);
}

void SqliteStatement::run() {
  while (step()) {
  }
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t SqliteStatement::column_int(int column) const { return sqlite3_column_int64(stmt_, column); }

double SqliteStatement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string SqliteStatement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string();
}

std::optional<double> SqliteStatement::column_optional_double(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_double(column);
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // A failed rollback leaves SQLite to roll back when the connection closes; nothing more to do here.
  }
}

void SqliteTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::int64_t to_unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace nineteen::store
