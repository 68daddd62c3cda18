// Versioned schemas: a `schema_version` table and numbered migrations, each applied in its own transaction.
#pragma once

#include <string>
#include <vector>

#include "nineteen/store/sqlite_database.hpp"

namespace nineteen::store {

struct Migration {
  int version = 0;           // 1, 2, 3, ... in order, no gaps
  std::string description;   // recorded beside the version, for whoever opens the file by hand
  std::string sql;           // the statements that take the schema from version − 1 to this one
};

// The schema version recorded in the file; 0 for a new (empty) file.
int schema_version(SqliteDatabase& db);

// Brings `db` to the last migration's version, applying each missing one in its own transaction, so a
// failure leaves the file at the previous version. `schema_name` names the schema in errors
// ("validator store"). Throws StoreError when the file records a newer version than `migrations`
// knows (it was written by a newer build: use that build, or a copy of the file), when the file has
// tables but no schema_version (it belongs to something else), or when `migrations` is misnumbered.
// Returns the version reached.
int migrate(SqliteDatabase& db, const std::vector<Migration>& migrations, const std::string& schema_name);

}  // namespace nineteen::store
