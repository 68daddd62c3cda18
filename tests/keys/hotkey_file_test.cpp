// Key files: mode 0600, no silent overwrite, the scheme, and clear errors naming the file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "nineteen/keys/hotkey_file.hpp"
#include "temp_folder.hpp"

using namespace nineteen::keys;
using nineteen::keys::testing::TempFolder;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

std::string error_of(const std::string& path) {
  try {
    load_hotkey(path);
  } catch (const KeyFileError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST(HotkeyFile, RoundTripWithMode0600) {
  TempFolder dir;
  Hotkey key = Hotkey::generate();
  std::string path = dir.file("hot.json");
  save_hotkey(key, path);
  EXPECT_EQ(mode_of(path), 0600u);
  LoadedHotkey loaded = load_hotkey(path);
  EXPECT_EQ(loaded.key.public_key(), key.public_key());
  EXPECT_EQ(loaded.key.seed(), key.seed());
  EXPECT_FALSE(loaded.permission_warning);
}

TEST(HotkeyFile, SchemeIsSavedAndOldFilesAreEd25519) {
  TempFolder dir;
  for (KeyScheme scheme : {KeyScheme::sr25519, KeyScheme::ed25519}) {
    Hotkey key = Hotkey::generate(scheme);
    std::string path = dir.file(std::string(scheme_name(scheme)) + ".json");
    save_hotkey(key, path);
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find(std::string("\"scheme\": \"") + scheme_name(scheme) + "\""), std::string::npos) << text;
    Hotkey loaded = load_hotkey(path).key;
    EXPECT_EQ(loaded.scheme(), scheme);
    EXPECT_EQ(loaded.public_key(), key.public_key());
    EXPECT_TRUE(verify_signature(key.public_key(), "m", loaded.sign("m")));
  }
  // A file from before schemes existed: no "scheme" key, an ed25519 seed.
  Hotkey old = Hotkey::generate(KeyScheme::ed25519);
  std::string path = dir.write("old.json", "{\"secret_seed\":\"" + to_hex(old.seed().data(), 32) +
                                               "\",\"public_key\":\"" + to_hex(old.public_key().data(), 32) + "\"}");
  ::chmod(path.c_str(), 0600);
  Hotkey loaded = load_hotkey(path).key;
  EXPECT_EQ(loaded.scheme(), KeyScheme::ed25519);
  EXPECT_EQ(loaded.ss58_address(), old.ss58_address());
}

TEST(HotkeyFile, Sr25519KeyWithoutSeedSavesItsSecretKey) {
  TempFolder dir;
  Hotkey key = Hotkey::from_sr25519_secret(Hotkey::generate().sr25519_secret());
  std::string path = dir.file("secret.json");
  save_hotkey(key, path);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"secret_key\""), std::string::npos) << text;
  EXPECT_EQ(text.find("\"secret_seed\""), std::string::npos) << text;
  Hotkey loaded = load_hotkey(path).key;
  EXPECT_FALSE(loaded.has_seed());
  EXPECT_EQ(loaded.public_key(), key.public_key());
  EXPECT_TRUE(verify_signature(key.public_key(), "m", loaded.sign("m")));
}

TEST(HotkeyFile, RefusesToOverwriteUnlessForced) {
  TempFolder dir;
  std::string path = dir.file("hot.json");
  Hotkey first = Hotkey::generate();
  save_hotkey(first, path);
  try {
    save_hotkey(Hotkey::generate(), path);
    FAIL() << "overwrote an existing key file";
  } catch (const KeyFileError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--force"), std::string::npos) << e.what();
  }
  EXPECT_EQ(load_hotkey(path).key.public_key(), first.public_key());
  Hotkey second = Hotkey::generate();
  ::chmod(path.c_str(), 0644);
  save_hotkey(second, path, /*force=*/true);
  EXPECT_EQ(load_hotkey(path).key.public_key(), second.public_key());
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(HotkeyFile, TooOpenPermissionsWarnButLoad) {
  TempFolder dir;
  std::string path = dir.file("hot.json");
  save_hotkey(Hotkey::generate(), path);
  ::chmod(path.c_str(), 0644);
  LoadedHotkey loaded = load_hotkey(path);
  ASSERT_TRUE(loaded.permission_warning);
  EXPECT_NE(loaded.permission_warning->find("0644"), std::string::npos) << *loaded.permission_warning;
  EXPECT_NE(loaded.permission_warning->find("chmod 600 " + path), std::string::npos) << *loaded.permission_warning;
}

TEST(HotkeyFile, BadContentNamesTheFileAndTheProblem) {
  TempFolder dir;
  std::string missing = dir.file("nope.json");
  EXPECT_NE(error_of(missing).find("nineteen keys new --out " + missing), std::string::npos) << error_of(missing);

  std::string not_json = dir.write("a.json", "{not json");
  EXPECT_NE(error_of(not_json).find(not_json + ": invalid JSON"), std::string::npos) << error_of(not_json);

  std::string no_seed = dir.write("b.json", "{\"public_key\":\"00\"}");
  EXPECT_NE(error_of(no_seed).find("missing key \"secret_seed\""), std::string::npos) << error_of(no_seed);

  std::string short_seed = dir.write("c.json", "{\"secret_seed\":\"abcd\"}");
  EXPECT_NE(error_of(short_seed).find("64 hex digits"), std::string::npos) << error_of(short_seed);

  Hotkey key = Hotkey::generate();
  Hotkey other = Hotkey::generate();
  std::string mismatched = dir.write(
      "d.json", "{\"secret_seed\":\"" + to_hex(key.seed().data(), 32) + "\",\"public_key\":\"" +
                    to_hex(other.public_key().data(), 32) + "\"}");
  EXPECT_NE(error_of(mismatched).find("does not match the secret"), std::string::npos) << error_of(mismatched);

  std::string wrong_scheme = dir.write("e.json", "{\"scheme\":\"ecdsa\",\"secret_seed\":\"" +
                                                     to_hex(key.seed().data(), 32) + "\"}");
  EXPECT_NE(error_of(wrong_scheme).find("expected \"sr25519\" or \"ed25519\""), std::string::npos)
      << error_of(wrong_scheme);
}

TEST(HotkeyFile, UnwritableFolderIsExplained) {
  try {
    save_hotkey(Hotkey::generate(), "/nonexistent-folder-for-test/hot.json");
    FAIL() << "wrote into a folder that does not exist";
  } catch (const KeyFileError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder-for-test/hot.json"), std::string::npos);
  }
}
