// Applying numbered schema migrations forward, one transaction each, refusing files from the future.
#include "nineteen/store/schema_migrations.hpp"

namespace nineteen::store {
namespace {

bool has_table(SqliteDatabase& db, const char* name) {
  auto query = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  query.bind(1, name);
  return query.step();
}

int count_tables(SqliteDatabase& db) {
  auto query = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  query.step();
  return static_cast<int>(query.column_int(0));
}

}  // namespace

int schema_version(SqliteDatabase& db) {
  if (!has_table(db, "schema_version")) return 0;
  auto query = db.prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  query.step();
  return static_cast<int>(query.column_int(0));
}

int migrate(SqliteDatabase& db, const std::vector<Migration>& migrations, const std::string& schema_name) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      throw StoreError(schema_name + ": migration " + std::to_string(i) + " has version " +
                       std::to_string(migrations[i].version) + ", expected " + std::to_string(i + 1) +
                       " (migrations are numbered 1, 2, ... without gaps)");
    }
  }
  const int latest = static_cast<int>(migrations.size());
  if (!has_table(db, "schema_version") && count_tables(db) > 0) {
    throw StoreError("store " + db.path() + ": the file has tables but no schema_version table, so it is not a " +
                     schema_name + " (point the setting at another path)");
  }
  int current = schema_version(db);
  if (current > latest) {
    throw StoreError("store " + db.path() + ": the " + schema_name + " schema is version " + std::to_string(current) +
                     ", newer than this build knows (" + std::to_string(latest) +
                     "); run the newer nineteen that wrote it, or start from a copy of an older file");
  }
  for (int version = current + 1; version <= latest; ++version) {
    const Migration& step = migrations[static_cast<std::size_t>(version - 1)];
    SqliteTransaction transaction(db);
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
        "applied_at_ms INTEGER NOT NULL)");
    try {
      db.exec(step.sql);
    } catch (const StoreError& error) {
      throw StoreError(schema_name + " migration " + std::to_string(version) + " (" + step.description +
                       ") failed, the file stays at version " + std::to_string(version - 1) + ": " + error.what());
    }
    auto record = db.prepare("INSERT INTO schema_version (version, description, applied_at_ms) VALUES (?1, ?2, ?3)");
    record.bind(1, version).bind(2, step.description).bind(3, to_unix_ms(std::chrono::system_clock::now()));
    record.run();
    transaction.commit();
  }
  return latest;
}

}  // namespace nineteen::store
