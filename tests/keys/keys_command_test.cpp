// `nineteen keys new|show` as a function: output, files, and usage errors.
#include <gtest/gtest.h>

#include "nineteen/keys/hotkey_file.hpp"
#include "nineteen/cli/commands.hpp"
#include "temp_folder.hpp"

using namespace nineteen::keys;
using nineteen::keys::testing::TempFolder;

TEST(KeysCommand, NewThenShowPrintTheSameAddress) {
  TempFolder dir;
  std::string path = dir.file("hot.json");
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(keys_command({"new", "--out", path}), 0);
  std::string made = ::testing::internal::GetCapturedStdout();
  std::string address = load_hotkey(path).key.ss58_address();
  EXPECT_NE(made.find("ss58 address: " + address), std::string::npos) << made;

  ::testing::internal::CaptureStdout();
  ASSERT_EQ(keys_command({"show", path}), 0);
  std::string shown = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(shown.find("ss58 address: " + address), std::string::npos) << shown;

  ::testing::internal::CaptureStderr();
  EXPECT_EQ(keys_command({"new", "--out", path}), 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("--force"), std::string::npos);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(keys_command({"new", "--out", path, "--force"}), 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_NE(load_hotkey(path).key.ss58_address(), address);
}

TEST(KeysCommand, NewMakesSr25519UnlessAskedForEd25519) {
  TempFolder dir;
  ::testing::internal::CaptureStdout();
  ASSERT_EQ(keys_command({"new", "--out", dir.file("a.json")}), 0);
  ASSERT_EQ(keys_command({"new", "--out", dir.file("b.json"), "--scheme", "ed25519"}), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("scheme:       sr25519"), std::string::npos) << out;
  EXPECT_NE(out.find("scheme:       ed25519"), std::string::npos) << out;
  EXPECT_EQ(load_hotkey(dir.file("a.json")).key.scheme(), KeyScheme::sr25519);
  EXPECT_EQ(load_hotkey(dir.file("b.json")).key.scheme(), KeyScheme::ed25519);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(keys_command({"new", "--out", dir.file("c.json"), "--scheme", "rsa"}), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("expected sr25519 or ed25519"), std::string::npos);
}

TEST(KeysCommand, UsageErrorsSayWhatToType) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {}, {"new"}, {"new", "--out"}, {"show"}, {"show", "a", "b"}, {"frobnicate"}, {"new", "--bogus"}, {"import"}, {"import", "--out", "x"}}) {
    ::testing::internal::CaptureStderr();
    EXPECT_EQ(keys_command(args), 2);
    std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("nineteen keys new --out FILE"), std::string::npos) << err;
  }
}

TEST(KeysCommand, ShowOfAMissingFileFails) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(keys_command({"show", "/nonexistent/hot.json"}), 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("/nonexistent/hot.json"), std::string::npos);
}
