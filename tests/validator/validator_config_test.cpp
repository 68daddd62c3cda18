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

}  // namespace
}  // namespace nineteen::validator
