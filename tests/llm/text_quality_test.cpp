// MECHANISM.md §6 text rules with worked numbers: rank limit, early stop, avoided stop, distance.
#include "text_quality.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::llm {
namespace {

// A token the reference likes as much as the miner says (distance 0), at `rank`.
ScoredPosition agreeing(int64_t rank, double logprob = -0.5) {
  ScoredPosition p;
  p.rank = rank;
  p.reference_logprob = logprob;
  p.miner_logprob = logprob;
  p.in_reference_top = rank < 20;
  p.reference_top_logprob = rank == 0 ? logprob : -0.1;
  return p;
}

TextAnswerEvidence answer_of(std::vector<ScoredPosition> tokens, double temperature) {
  TextAnswerEvidence e;
  e.tokens = std::move(tokens);
  e.temperature = temperature;
  return e;
}

TEST(TextQualityRules, RankLimitFollowsTemperature) {
  EXPECT_EQ(rank_limit(0.0), 10);
  EXPECT_EQ(rank_limit(0.5), 10);
  EXPECT_EQ(rank_limit(0.7), 33);   // int(10 + 120 * (0.7 - 0.5)) = int(33.99999999999999), as in Python
  EXPECT_EQ(rank_limit(0.75), 40);
  EXPECT_EQ(rank_limit(1.0), 70);
  EXPECT_EQ(rank_limit(1.5), 130);
  EXPECT_DOUBLE_EQ(early_stop_rank_limit(0.2), 325);  // s = 0.5
  EXPECT_DOUBLE_EQ(early_stop_rank_limit(1.0), 375);  // s = 1.5
}

TEST(TextQualityRules, FiveBadTokensPassSixFail) {
  std::vector<ScoredPosition> tokens(20, agreeing(0));
  for (int i = 0; i < 5; ++i) tokens[i] = agreeing(10);
  EXPECT_EQ(text_quality(answer_of(tokens, 0.0)).quality, 1.0);
  tokens[5] = agreeing(10);
  TextQuality q = text_quality(answer_of(tokens, 0.0));
  EXPECT_EQ(q.quality, 0.0);
  EXPECT_NE(q.reason.find("6 of 20 tokens ranked >= 10"), std::string::npos) << q.reason;
  // The same ranks are fine at temperature 1 (limit 70).
  EXPECT_EQ(text_quality(answer_of(tokens, 1.0)).quality, 1.0);
}

TEST(TextQualityRules, EarlyStopIsPenalisedUnlessMaxTokensWasReached) {
  TextAnswerEvidence e = answer_of(std::vector<ScoredPosition>(4, agreeing(0)), 0.0);
  e.stop_rank = 326;
  TextQuality q = text_quality(e);
  EXPECT_EQ(q.quality, -10.0);
  EXPECT_NE(q.reason.find("early stop"), std::string::npos);
  e.stop_rank = 325;
  EXPECT_EQ(text_quality(e).quality, 1.0);
  e.stop_rank = 376;
  e.temperature = 1.0;  // limit 375
  EXPECT_EQ(text_quality(e).quality, -10.0);
  e.reached_max_tokens = true;
  EXPECT_EQ(text_quality(e).quality, 1.0);
}

TEST(TextQualityRules, AvoidedStopNeedsStopOnTopAndAHundredfoldPreference) {
  std::vector<ScoredPosition> tokens(5, agreeing(0));
  ScoredPosition p = agreeing(1, std::log(0.005));
  p.reference_top_is_stop = true;
  p.reference_top_logprob = std::log(0.6);  // 120 times more likely
  tokens[2] = p;
  TextQuality q = text_quality(answer_of(tokens, 0.0));
  EXPECT_EQ(q.quality, 0.0);
  EXPECT_NE(q.reason.find("avoided stop at token 2"), std::string::npos) << q.reason;
  tokens[2].reference_top_logprob = std::log(0.4);  // 80 times: allowed
  EXPECT_EQ(text_quality(answer_of(tokens, 0.0)).quality, 1.0);
  // Above T = 0.5 the ratio grows tenfold per 0.5: 1000 at T = 1, so 120 and 800 times are allowed
  // there and 1200 times is not.
  EXPECT_NEAR(avoided_stop_ratio(1.0), 1000.0, 1e-9);
  EXPECT_NEAR(avoided_stop_ratio(0.75), 100.0 * std::sqrt(10.0), 1e-9);
  tokens[2].reference_top_logprob = std::log(0.6);
  EXPECT_EQ(text_quality(answer_of(tokens, 1.0)).quality, 1.0);
  tokens[2].reference_logprob = std::log(0.00075);  // 800 times
  EXPECT_EQ(text_quality(answer_of(tokens, 1.0)).quality, 1.0);
  tokens[2].reference_logprob = std::log(0.0005);  // 1200 times
  EXPECT_EQ(text_quality(answer_of(tokens, 1.0)).quality, 0.0);
}

TEST(TextQualityRules, DistanceMapsToQuality) {
  // Ten tokens; one outside the top (distance 1) and the rest exact: D = 0.1 → 1.
  std::vector<ScoredPosition> tokens(10, agreeing(0));
  tokens[3].in_reference_top = false;
  TextQuality q = text_quality(answer_of(tokens, 1.0));
  EXPECT_EQ(q.quality, 1.0);
  EXPECT_NE(q.reason.find("distance 0.1 <= 0.125"), std::string::npos) << q.reason;
  // Every token's probability off by 0.1875: D = 0.1875 → 1 − 0.5 · 0.0625/0.125 = 0.75.
  for (ScoredPosition& t : tokens) {
    t = agreeing(0, std::log(0.5));
    t.miner_logprob = std::log(0.6875);
  }
  EXPECT_NEAR(text_quality(answer_of(tokens, 1.0)).quality, 0.75, 1e-9);
  // D = 0.3 → 0.
  for (ScoredPosition& t : tokens) t.miner_logprob = std::log(0.8);
  EXPECT_EQ(text_quality(answer_of(tokens, 1.0)).quality, 0.0);
}

TEST(TextQualityRules, NonFiniteReportedLogprobCountsAsFullDistance) {
  std::vector<ScoredPosition> tokens(4, agreeing(0));
  tokens[0].miner_logprob = std::nan("");
  tokens[1].miner_logprob = 1e300;
  TextQuality q = text_quality(answer_of(tokens, 0.0));
  EXPECT_EQ(q.quality, 0.0) << q.reason;  // D = 0.5
}

TEST(TextQualityRules, AnAnswerOfOnlyAStopIsJudgedByTheStopAlone) {
  TextAnswerEvidence e = answer_of({}, 0.0);
  e.stop_rank = 0;
  EXPECT_EQ(text_quality(e).quality, 1.0);
  e.stop_rank = 400;
  EXPECT_EQ(text_quality(e).quality, -10.0);
}

}  // namespace
}  // namespace nineteen::llm
