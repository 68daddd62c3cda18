// The [chain] settings: defaults, every key, and errors that name the file and the key.
#include <gtest/gtest.h>

#include <fstream>

#include "chain_test_keys.hpp"
#include "nineteen/chain/chain_settings.hpp"

namespace nineteen::chain {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_chain_settings(text, "chain.toml");
  } catch (const ChainSettingsError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(ChainSettings, DefaultsAndEveryKey) {
  auto defaults = parse_chain_settings("", "chain.toml");
  EXPECT_EQ(defaults.address, "127.0.0.1");
  EXPECT_DOUBLE_EQ(defaults.params.block_time_s, 12);
  EXPECT_EQ(defaults.params.rate_limit, 150u);
  auto s = parse_chain_settings(
      "[chain]\naddress = \"0.0.0.0\"\nport = 0\ndb = \"/tmp/c.sqlite\"\nblock_time_s = 0.05\ntempo = 5\n"
      "rate_limit = 2\nversion_key = 9\n",
      "chain.toml");
  EXPECT_EQ(s.address, "0.0.0.0");
  EXPECT_EQ(s.port, 0);
  EXPECT_EQ(s.db, "/tmp/c.sqlite");
  EXPECT_DOUBLE_EQ(s.params.block_time_s, 0.05);
  EXPECT_EQ(s.params.tempo, 5u);
  EXPECT_EQ(s.params.rate_limit, 2u);
  EXPECT_EQ(s.params.version_key, 9u);
  EXPECT_DOUBLE_EQ(parse_chain_settings("[chain]\nblock_time_s = 3\n", "c").params.block_time_s, 3);
}

TEST(ChainSettings, ErrorsNameTheFileTheKeyAndWhatWasExpected) {
  EXPECT_EQ(error_of("[chain]\nblock_time_s = \"fast\"\n"),
            "chain.toml:2: key \"chain.block_time_s\": expected a number from 0.001 to 3600, got \"fast\"");
  EXPECT_EQ(error_of("[chain]\nblock_time_s = 0\n"),
            "chain.toml:2: key \"chain.block_time_s\": expected a number from 0.001 to 3600, got 0");
  EXPECT_EQ(error_of("[chain]\nport = 70000\n"),
            "chain.toml:2: key \"chain.port\": expected a whole number from 0 to 65535, got 70000");
  EXPECT_EQ(error_of("[chain]\ntempo = 0\n"),
            "chain.toml:2: key \"chain.tempo\": expected a whole number from 1 to 1000000, got 0");
  EXPECT_NE(error_of("[chain]\nratelimit = 3\n").find("unknown key \"chain.ratelimit\" (known: address, port"),
            std::string::npos);
  EXPECT_NE(error_of("chain = 3\n").find("expected a table [chain]"), std::string::npos);
  EXPECT_NE(error_of("[chain\n").find("chain.toml:1:"), std::string::npos);
}

TEST(ChainSettings, ARelativeDbIsBesideTheSettingsFile) {
  testing::TempChainDir dir;
  const std::string path = dir.file("chain.toml");
  std::ofstream(path) << "[chain]\ndb = \"state/chain.sqlite\"\n";
  EXPECT_EQ(load_chain_settings(path).db, dir.file("state/chain.sqlite"));
  try {
    load_chain_settings(dir.file("missing.toml"));
    FAIL();
  } catch (const ChainSettingsError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.toml: cannot open"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nineteen::chain
