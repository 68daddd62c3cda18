// A misspelt tasks.toml key is refused with the nearest key suggested, whether the typo is of the
// plugin's own keys or of the catalogue's (issue 20: `wieght = 0.3` silently gave a task weight 1).
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <nineteen/sdk/json.hpp>
#include <string>
#include <vector>

#include "nineteen/config/task_catalog.hpp"

namespace sdk = nineteen::sdk;

namespace {

std::string refusal(const std::string& config_json) {
  rapidjson::Document doc = sdk::parse_json(config_json, "config");
  sdk::JsonObject config(doc, "task \"t\"");
  try {
    config.allow_only({"type", "mode", "max_words"});
  } catch (const sdk::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ConfigKeys, TheSdkKnowsTheKeysTheCatalogueReadsItself) {
  std::vector<std::string> sdk_keys(std::begin(sdk::kCatalogueKeys), std::end(sdk::kCatalogueKeys));
  std::vector<std::string> catalogue = nineteen::config::catalogue_keys();
  std::sort(sdk_keys.begin(), sdk_keys.end());
  std::sort(catalogue.begin(), catalogue.end());
  EXPECT_EQ(sdk_keys, catalogue);
}

TEST(ConfigKeys, AMisspeltCatalogueKeyIsRefusedNamingTheCatalogueKey) {
  EXPECT_EQ(refusal(R"({"mode":"upper","wieght":0.3})"),
            "task \"t\": unknown key \"wieght\" (known: type, mode, max_words); did you mean `weight` (a key "
            "of the "
            "task catalogue)?");
  EXPECT_EQ(refusal(R"({"max_capacty":10})"),
            "task \"t\": unknown key \"max_capacty\" (known: type, mode, max_words); did you mean "
            "`max_capacity` (a key "
            "of the task catalogue)?");
  EXPECT_EQ(refusal(R"({"volume_per_reqest":10})"),
            "task \"t\": unknown key \"volume_per_reqest\" (known: type, mode, max_words); did you mean "
            "`volume_per_request` (a key of the task catalogue)?");
  EXPECT_EQ(refusal(R"({"Timeout_S":2})"),
            "task \"t\": unknown key \"Timeout_S\" (known: type, mode, max_words); did you mean `timeout_s` "
            "(a key of "
            "the task catalogue)?");
}

TEST(ConfigKeys, AMisspeltPluginKeyIsRefusedNamingThePluginKey) {
  EXPECT_EQ(refusal(R"({"mdoe":"upper"})"),
            "task \"t\": unknown key \"mdoe\" (known: type, mode, max_words); did you mean `mode`?");
  EXPECT_EQ(refusal(R"({"max_word":3})"),
            "task \"t\": unknown key \"max_word\" (known: type, mode, max_words); did you mean `max_words`?");
}

TEST(ConfigKeys, AKeyNearNothingGetsNoGuess) {
  EXPECT_EQ(refusal(R"({"colour":"red"})"),
            "task \"t\": unknown key \"colour\" (known: type, mode, max_words)");
  EXPECT_EQ(refusal(R"({"size":1})"), "task \"t\": unknown key \"size\" (known: type, mode, max_words)");
  EXPECT_EQ(refusal(R"({"mode":"upper","type":"transform","max_words":3})"), "");
}

TEST(ConfigKeys, EditDistanceCountsASwapOfNeighboursAsOneEdit) {
  EXPECT_EQ(sdk::key_distance("wieght", "weight"), 1u);
  EXPECT_EQ(sdk::key_distance("weight", "weight"), 0u);
  EXPECT_EQ(sdk::key_distance("WEIGHT", "weight"), 0u);
  EXPECT_EQ(sdk::key_distance("", "abc"), 3u);
  EXPECT_EQ(sdk::key_distance("kitten", "sitting"), 3u);
}
