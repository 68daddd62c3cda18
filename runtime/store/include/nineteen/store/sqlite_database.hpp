// A small RAII layer over SQLite: one connection, prepared statements, transactions, errors naming the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace nineteen::store {

// Any failure of the store. The message names the file and says what to do next.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SqliteOptions {
  // How long a write waits for another connection's write lock before failing with "database is locked".
  std::chrono::milliseconds busy_timeout{5000};
  bool read_only = false;
  // A cap on the file's size (0: none). Past it a write fails as on a full disk (SQLITE_FULL) and
  // commits nothing, so a node's store cannot fill the disk that other things need.
  std::uint64_t max_bytes = 0;
};

class SqliteStatement;

// One connection in WAL mode with foreign keys on. Not thread-safe: callers serialise their use of
// one connection (each thread or process that reads concurrently opens its own; WAL lets readers
// run beside one writer).
class SqliteDatabase {
 public:
  // Opens (creating unless read_only) `path`, sets WAL, the busy timeout and foreign keys, and reads
  // the schema once, so a file that is not SQLite (or is corrupt) fails here with a StoreError that
  // names it, not later in the middle of a write.
  explicit SqliteDatabase(const std::string& path, const SqliteOptions& options = {});
  ~SqliteDatabase();
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  const std::string& path() const { return path_; }

  // Runs one or more statements without results (DDL, PRAGMA, BEGIN/COMMIT).
  void exec(std::string_view sql);
  // The size cap of SqliteOptions::max_bytes, changed on an open connection (0: none).
  void set_max_bytes(std::uint64_t max_bytes);
  SqliteStatement prepare(std::string_view sql);

  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;

  // "<path>: <what>: <sqlite message>", with advice for the common codes (not a database, locked, full).
  [[noreturn]] void fail(const std::string& what, int code) const;

  sqlite3* handle() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement; parameters are 1-based, columns 0-based, as in SQLite.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDatabase& db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  SqliteStatement& bind(int index, double value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind_null(int index);
  SqliteStatement& bind(int index, std::optional<double> value);

  // Advances; true while a row is available.
  bool step();
  // Runs a statement that returns no rows (or ignores them) to completion.
  void run();
  // Clears the bindings and rewinds, so the statement can run again.
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::optional<double> column_optional_double(int column) const;

 private:
  SqliteDatabase* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE on construction (takes the write lock at once, so the transaction cannot fail
// half-way on a lock upgrade), ROLLBACK on destruction unless commit() was called.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDatabase& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDatabase& db_;
  bool done_ = false;
};

// Unix milliseconds, the form times are stored in.
std::int64_t to_unix_ms(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms);

}  // namespace nineteen::store
