// The file-backed node list: stakes by role, and errors naming the entry and key.
#include <gtest/gtest.h>

#include "nineteen/keys/hotkey.hpp"
#include "nineteen/keys/stake_source.hpp"
#include "temp_folder.hpp"

using namespace nineteen::keys;
using nineteen::keys::testing::TempFolder;

namespace {

std::string error_of(const std::string& json) {
  try {
    parse_node_list(json, "nodes.json");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST(FileStakeSource, ValidatorsHaveStakesOthersDoNot) {
  TempFolder dir;
  std::string v = Hotkey::generate().ss58_address();
  std::string m = Hotkey::generate().ss58_address();
  std::string path = dir.write("nodes.json", "[{\"hotkey\":\"" + v + "\",\"stake\":1500.5,\"role\":\"validator\"},"
                                             "{\"hotkey\":\"" + m + "\",\"stake\":10,\"role\":\"miner\"}]");
  FileStakeSource source(path);
  EXPECT_EQ(source.stake_of(v), 1500.5);
  EXPECT_FALSE(source.stake_of(m));
  EXPECT_FALSE(source.stake_of(Hotkey::generate().ss58_address()));
  EXPECT_EQ(source.nodes().size(), 2u);

  dir.write("nodes.json", "[{\"hotkey\":\"" + v + "\",\"stake\":5,\"role\":\"validator\"}]");
  EXPECT_EQ(source.reload(), "");
  EXPECT_EQ(source.stake_of(v), 5.0);
  dir.write("nodes.json", "[oops");
  EXPECT_NE(source.reload().find("keeping the previous list"), std::string::npos);
  EXPECT_EQ(source.stake_of(v), 5.0);
}

TEST(FileStakeSource, ErrorsNameTheEntryAndKey) {
  std::string v = Hotkey::generate().ss58_address();
  EXPECT_NE(error_of("{}").find("expected a JSON array"), std::string::npos);
  EXPECT_NE(error_of("[{\"stake\":1,\"role\":\"validator\"}]").find("entry 0: key \"hotkey\""), std::string::npos);
  EXPECT_NE(error_of("[{\"hotkey\":\"5abc\",\"stake\":1,\"role\":\"validator\"}]").find("not a valid SS58"),
            std::string::npos);
  std::string bad_stake = error_of("[{\"hotkey\":\"" + v + "\",\"stake\":\"high\",\"role\":\"validator\"}]");
  EXPECT_NE(bad_stake.find("nodes.json: entry 0: key \"stake\": expected a number >= 0, got a string"),
            std::string::npos)
      << bad_stake;
  EXPECT_NE(error_of("[{\"hotkey\":\"" + v + "\",\"stake\":1}]").find("key \"role\""), std::string::npos);
  try {
    FileStakeSource missing("/nonexistent/nodes.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/nodes.json"), std::string::npos);
  }
}
