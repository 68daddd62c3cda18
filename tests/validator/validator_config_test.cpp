// The validator's settings file: the mechanism keys it reads, and the errors a typo gets.
#include <gtest/gtest.h>

#include "nineteen/validator/validator_config.hpp"

namespace nineteen::validator {
namespace {

const char* kBase = "[validator]\nhotkey = \"v.json\"\nchain = \"http://127.0.0.1:1\"\n";

TEST(ValidatorConfig, TheSpeedBonusRuleIsMeasuredUnlessRankIsAskedFor) {
  EXPECT_EQ(parse_validator_config(kBase, "v.toml").mechanism.task_scores.speed.rule,
            scoring::SpeedBonusRule::measured);
  EXPECT_EQ(parse_validator_config(std::string(kBase) + "speed_bonus = \"rank\"\n", "v.toml")
                .mechanism.task_scores.speed.rule,
            scoring::SpeedBonusRule::rank);
}

TEST(ValidatorConfig, ABadSpeedBonusRuleNamesTheFileTheKeyAndTheChoices) {
  try {
    parse_validator_config(std::string(kBase) + "speed_bonus = \"fastest\"\n", "v.toml");
    FAIL() << "accepted";
  } catch (const ValidatorConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("v.toml"), std::string::npos) << what;
    EXPECT_NE(what.find("speed_bonus"), std::string::npos) << what;
    EXPECT_NE(what.find("\"measured\" or \"rank\""), std::string::npos) << what;
  }
}

TEST(ValidatorConfig, TaskVotesAreATableOfNonNegativeNumbers) {
  EXPECT_TRUE(parse_validator_config(kBase, "v.toml").task_votes.empty());
  auto c = parse_validator_config(std::string(kBase) + "task_votes = { \"chat-tiny-llama\" = 0.6, \"reverse-words\" = 0 }\n",
                                  "v.toml");
  EXPECT_EQ(c.task_votes, (std::map<std::string, double>{{"chat-tiny-llama", 0.6}, {"reverse-words", 0.0}}));
  for (const char* bad : {"task_votes = { \"chat\" = -1 }\n", "task_votes = { \"chat\" = \"a lot\" }\n",
                          "task_votes = 0.5\n"}) {
    try {
      parse_validator_config(std::string(kBase) + bad, "v.toml");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const ValidatorConfigError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("v.toml"), std::string::npos) << what;
      EXPECT_NE(what.find("task_votes"), std::string::npos) << what;
      EXPECT_NE(what.find("task = weight"), std::string::npos) << what;
    }
  }
}

}  // namespace
}  // namespace nineteen::validator
