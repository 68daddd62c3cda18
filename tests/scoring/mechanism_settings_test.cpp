// The settings bundle: documented defaults, and the messages an unusable override gets.
#include "nineteen/scoring/mechanism_settings.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

TEST(MechanismSettings, DefaultsAreTheDocumentedOnesAndUsable) {
  const MechanismSettings s;
  EXPECT_TRUE(settings_problems(s).empty());
  ASSERT_EQ(s.capacity_draw.scored_shares.size(), 4u);
  EXPECT_DOUBLE_EQ(s.capacity_draw.scored_shares[3].share, 0.8);
  EXPECT_DOUBLE_EQ(s.capacity_draw.scored_shares[3].probability, 0.005);
  EXPECT_DOUBLE_EQ(s.capacity_draw.synthetic_multiplier, 1);
  EXPECT_DOUBLE_EQ(s.synthetic_schedule.period_seconds, 3600);
  EXPECT_EQ(s.period_score.formula, PeriodScoreFormula::ours);
  EXPECT_DOUBLE_EQ(s.embedding_quality.full_at, 0.999);
  EXPECT_DOUBLE_EQ(s.embedding_quality.zero_at, 0.99);
  EXPECT_DOUBLE_EQ(s.image_quality.full_above, 0.95);
  EXPECT_DOUBLE_EQ(s.text_distance_quality.full_up_to, 0.125);
  EXPECT_DOUBLE_EQ(s.text_distance_quality.zero_above, 0.25);
  EXPECT_DOUBLE_EQ(s.task_scores.quality_exponent, 1.5);
  EXPECT_DOUBLE_EQ(s.task_scores.concentration_exponent, 3);
  EXPECT_DOUBLE_EQ(s.task_scores.speed.percentile, 0.3);
  EXPECT_DOUBLE_EQ(s.task_scores.speed.bonus_scale, 0.5);
  EXPECT_DOUBLE_EQ(s.task_scores.history.decay, 0.5);
  EXPECT_EQ(s.task_scores.history.established_after, 8u);
  EXPECT_DOUBLE_EQ(s.task_scores.history.new_miner_factor, 0.25);
  EXPECT_DOUBLE_EQ(s.organic_routing.best_share, 0.25);
}

TEST(MechanismSettings, ProblemsNameTheSettingExpectationAndValue) {
  MechanismSettings s;
  s.task_scores.speed.percentile = 1.5;
  s.capacity_draw.scored_shares[1].probability = -0.4;
  s.synthetic_schedule.period_seconds = 0;
  const auto problems = settings_problems(s);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0],
            "scoring setting \"capacity_draw.scored_shares[1].probability\": expected a finite number >= 0, "
            "got -0.4");
  EXPECT_EQ(problems[1],
            "scoring setting \"synthetic_schedule.period_seconds\": expected a finite number > 0, got 0");
  EXPECT_EQ(problems[2],
            "scoring setting \"task_scores.speed.percentile\": expected a number in [0, 1], got 1.5");
}

TEST(MechanismSettings, RelationalProblems) {
  MechanismSettings s;
  s.embedding_quality.zero_at = 0.9995;
  s.text_distance_quality.zero_above = 0.1;
  s.capacity_draw.scored_shares = {};
  s.task_scores.history.decay = std::nan("");
  const auto problems = settings_problems(s);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0],
            "scoring setting \"capacity_draw.scored_shares\": expected at least one choice with probability "
            "> 0, got 0 "
            "choice(s), none usable");
  EXPECT_EQ(
      problems[1],
      "scoring setting \"embedding_quality.zero_at\": expected a cosine below full_at (0.999), got 0.9995");
  EXPECT_EQ(problems[2],
            "scoring setting \"text_distance_quality.zero_above\": expected a distance above full_up_to "
            "(0.125), got 0.1");
  EXPECT_EQ(problems[3],
            "scoring setting \"task_scores.history.decay\": expected a number in [0, 1], got nan");
}

}  // namespace
}  // namespace nineteen::scoring
