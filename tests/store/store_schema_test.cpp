// Schema versions: an old file migrates forward keeping its rows; newer, foreign and non-SQLite files are refused.
#include <gtest/gtest.h>

#include <fstream>

#include "nineteen/store/sqlite_validator_store.hpp"
#include "temp_store_dir.hpp"

namespace nineteen::store {
namespace {

using testing::TempStoreDir;

std::string error_of(const std::string& path) {
  try {
    SqliteValidatorStore store(path);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(StoreSchema, AVersionOneFileIsMigratedToTheLatestKeepingItsRows) {
  TempStoreDir dir;
  const std::string path = dir.file("old.sqlite");
  {
    // What a build that knew only migration 1 would have written.
    SqliteDatabase db(path);
    std::vector<Migration> first_only = {validator_store_migrations().at(0)};
    ASSERT_EQ(migrate(db, first_only, "validator store"), 1);
    db.exec("INSERT INTO nodes VALUES (3, '5Old', '5Cold', 10, 'miner', '10.0.0.1', 8091, 77)");
  }
  SqliteValidatorStore store(path);
  EXPECT_EQ(store.schema_version(), static_cast<int>(validator_store_migrations().size()));
  ASSERT_EQ(store.nodes().size(), 1u);
  EXPECT_EQ(store.nodes()[0].hotkey, "5Old");
  EXPECT_EQ(store.nodes()[0].last_update, 77u);
  // The tables of migration 2 exist now.
  ApiKeyRecord key;
  key.key_hash = "h";
  key.name = "n";
  EXPECT_GT(store.add_api_key(key), 0);
}

TEST(StoreSchema, AFailingMigrationLeavesThePreviousVersion) {
  TempStoreDir dir;
  SqliteDatabase db(dir.file("m.sqlite"));
  std::vector<Migration> migrations = {{1, "a table", "CREATE TABLE a (x INTEGER);"},
                                       {2, "broken", "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;"}};
  try {
    migrate(db, migrations, "test schema");
    FAIL() << "a broken migration passed";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("test schema migration 2 (broken) failed, the file stays at version 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(schema_version(db), 1);
  auto query = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'b'");
  query.step();
  EXPECT_EQ(query.column_int(0), 0) << "table b of the failed migration was left behind";
}

TEST(StoreSchema, MisnumberedMigrationsAreRefused) {
  TempStoreDir dir;
  SqliteDatabase db(dir.file("m.sqlite"));
  EXPECT_THROW(migrate(db, {{2, "skips one", "CREATE TABLE a (x);"}}, "test schema"), StoreError);
}

TEST(StoreSchema, ANewerSchemaThanTheCodeKnowsIsAClearError) {
  TempStoreDir dir;
  const std::string path = dir.file("future.sqlite");
  { SqliteValidatorStore store(path); }
  {
    SqliteDatabase db(path);
    db.exec("INSERT INTO schema_version VALUES (99, 'from the future', 0)");
  }
  std::string error = error_of(path);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("schema is version 99, newer than this build knows"), std::string::npos) << error;
}

TEST(StoreSchema, ANonSqliteFileIsRefusedNamingIt) {
  TempStoreDir dir;
  const std::string path = dir.file("notes.txt");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 200; ++i) out << "this is not a database, just some text that fills a page\n";
  }
  std::string error = error_of(path);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("not a SQLite database"), std::string::npos) << error;
  // The file is left as it was.
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "this is not a database, just some text that fills a page");
}

TEST(StoreSchema, ASqliteFileOfSomethingElseIsRefused) {
  TempStoreDir dir;
  const std::string path = dir.file("other.sqlite");
  {
    SqliteDatabase db(path);
    db.exec("CREATE TABLE photos (id INTEGER)");
  }
  std::string error = error_of(path);
  EXPECT_NE(error.find("no schema_version table"), std::string::npos) << error;
}

TEST(StoreSchema, AMissingFolderIsAClearError) {
  TempStoreDir dir;
  std::string error = error_of(dir.file("no/such/folder/v.sqlite"));
  EXPECT_NE(error.find("no/such/folder/v.sqlite"), std::string::npos) << error;
  EXPECT_NE(error.find("folder exists"), std::string::npos) << error;
}

}  // namespace
}  // namespace nineteen::store
