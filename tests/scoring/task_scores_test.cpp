// MECHANISM.md §7 (per task): Q, m_h, bonus, CQ, P, E and the cubed task share, figure by figure.
#include "nineteen/scoring/task_scores.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "nineteen/scoring/period_score.hpp"

namespace nineteen::scoring {
namespace {

// Nine full periods: μ = 1 and P = 1, so E is CQ · capacity.
std::vector<ScoredPeriod> established() {
  return std::vector<ScoredPeriod>(9, {1.0, 100});
}

ContenderRecord contender(std::uint16_t uid, double capacity, std::vector<CheckedAnswer> answers,
                          std::vector<ScoredPeriod> periods = established()) {
  return {uid, capacity, std::move(answers), std::move(periods)};
}

void expect_finite(const ContenderBreakdown& b) {
  for (double x : {b.quality, b.speed, b.speed_rank, b.speed_bonus, b.combined_quality, b.period_history,
                   b.capacity, b.effective_volume, b.task_score})
    EXPECT_TRUE(std::isfinite(x)) << "uid " << b.uid;
}

TEST(TaskScores, WorkedExampleCubedShares) {
  // Same quality, same speed (all tied: bonus 0), P = 1: E = capacity = 3, 2, 1.
  const auto scores = score_task(
      {contender(1, 3, {{1, 10, 1}}), contender(2, 2, {{1, 10, 1}}), contender(3, 1, {{1, 10, 1}})});
  ASSERT_EQ(scores.size(), 3u);
  EXPECT_NEAR(scores[0].effective_volume, 3, 1e-12);
  EXPECT_NEAR(scores[1].effective_volume, 2, 1e-12);
  EXPECT_NEAR(scores[2].effective_volume, 1, 1e-12);
  EXPECT_NEAR(scores[0].task_score, 0.750, 5e-4);
  EXPECT_NEAR(scores[1].task_score, 0.222, 5e-4);
  EXPECT_NEAR(scores[2].task_score, 0.028, 5e-4);
  for (const auto& s : scores) EXPECT_DOUBLE_EQ(s.speed_bonus, 0);
}

// Issue 18 item 3: a miner that answered 429 while its declared volume was unused gets no positive speed
// bonus (its speed was measured at a load it turned away); a negative one still applies.
TEST(TaskScores, AMinerThatRefusedBelowItsCapacityGetsNoPositiveSpeedBonus) {
  auto answers = [](double response_time_s) { return std::vector<CheckedAnswer>(30, {1, 10, response_time_s}); };
  std::vector<ContenderRecord> miners = {contender(1, 100, answers(1)), contender(2, 100, answers(1)),
                                         contender(3, 100, answers(0.25)), contender(4, 100, answers(4))};
  const auto open = score_task(miners);
  EXPECT_GT(open[2].speed_bonus, 0.1);  // four times the median speed
  EXPECT_LT(open[3].speed_bonus, -0.1);
  EXPECT_GT(open[2].task_score, open[0].task_score);
  miners[2].refused_below_capacity = true;
  miners[3].refused_below_capacity = true;
  const auto refused = score_task(miners);
  EXPECT_DOUBLE_EQ(refused[2].speed_bonus, 0);
  EXPECT_TRUE(refused[2].speed_bonus_withheld);
  EXPECT_DOUBLE_EQ(refused[3].speed_bonus, open[3].speed_bonus);  // a negative bonus is not forgiven
  EXPECT_FALSE(refused[3].speed_bonus_withheld);
  EXPECT_NEAR(refused[2].task_score, refused[0].task_score, 1e-12);
}

// Issue 18: E_h credits the declared capacity times the share the miner served. Three miners with the
// same answers; in each of nine periods (T = 20, 4 % of the declared volume used) one served all, one
// answered 429 to 5 and one failed 5 (500). The refusing miner earns less than the honest one and more
// than the failing one (an honest 429 costs less than a 5xx); a 429 after the declared volume was used
// costs nothing.
TEST(TaskScores, DeclaredVolumeIsCreditedByTheShareServed) {
  auto periods = [](double consumed, std::uint64_t n429, std::uint64_t n500) {
    OutcomeCounts c;
    c.consumed = consumed;
    c.total = 20;
    c.rate_limited = n429;
    c.failed = n500;
    const double score = *period_score(c, 1000);
    return std::vector<ScoredPeriod>(9, {score, 100, unserved_share(c, 1000)});
  };
  const std::vector<CheckedAnswer> answers(30, {1, 10, 1});
  const auto scores = score_task({contender(1, 1000, answers, periods(40, 0, 0)),
                                  contender(2, 1000, answers, periods(40, 5, 0)),
                                  contender(3, 1000, answers, periods(40, 0, 5)),
                                  contender(4, 1000, answers, periods(1000, 5, 0))});
  const double u = 0.96, r = 0.25;
  EXPECT_NEAR(scores[0].served_share, 1, 1e-12);
  EXPECT_NEAR(scores[1].served_share, 1 - r * u, 1e-12);
  EXPECT_NEAR(scores[2].served_share, 1 - r * u, 1e-12);
  EXPECT_NEAR(scores[1].effective_volume, 1000 * (1 - r * u) * (1 - r * u), 1e-9);          // P · served
  EXPECT_NEAR(scores[2].effective_volume, 1000 * (1 - r) * (1 - r * u) * (1 - r * u), 1e-9);  // g costs a 5xx more
  EXPECT_NEAR(scores[3].effective_volume, 1000, 1e-9);  // full after its declared volume was used: no cost
  EXPECT_LT(scores[1].task_score, scores[0].task_score);
  EXPECT_GT(scores[1].task_score, scores[2].task_score);
  EXPECT_NEAR(scores[3].task_score, scores[0].task_score, 1e-12);
  // The reference's E_h (credit_served_share = false) charges the refusal once, in P_h.
  TaskScoreSettings reference;
  reference.credit_served_share = false;
  const auto once = score_task({contender(2, 1000, answers, periods(40, 5, 0))}, reference);
  EXPECT_NEAR(once[0].effective_volume, 1000 * (1 - r * u), 1e-9);
  EXPECT_DOUBLE_EQ(once[0].served_share, 1);
}

TEST(TaskScores, EveryFigureOfATwoMinerTask) {
  // A: q 1 and 0.25 → Q = (1 + 0.125)/2; speeds 100 and 50 → m = 50 + 0.3·50 = 65 (fastest: +0.25);
  //    history 1.0, 0.5, 1.0 → 0.857 · 0.25 (new miner); capacity 1000.
  // B: q 1 → Q = 1; speed 10 (slowest: −0.25); nine full periods → P = 1; capacity 100.
  // MECHANISM.md §7's rank rule, as written (the default "measured" rule gives no bonus on two answers).
  TaskScoreSettings rank_rule;
  rank_rule.speed.rule = SpeedBonusRule::rank;
  const auto scores = score_task({
      contender(7, 1000, {{1, 100, 1}, {0.25, 100, 2}}, {{1.0, 50}, {0.5, 50}, {1.0, 50}}),
      contender(9, 100, {{1, 10, 1}}),
  }, rank_rule);
  const auto& a = scores[0];
  const auto& b = scores[1];
  EXPECT_EQ(a.uid, 7);
  EXPECT_EQ(a.checked_answers, 2u);
  EXPECT_NEAR(a.quality, 0.5625, 1e-12);
  EXPECT_NEAR(a.speed, 65, 1e-12);
  EXPECT_DOUBLE_EQ(a.speed_rank, 0);
  EXPECT_DOUBLE_EQ(a.speed_bonus, 0.25);
  EXPECT_NEAR(a.combined_quality, 0.703125, 1e-12);
  EXPECT_EQ(a.scored_periods, 3u);
  EXPECT_NEAR(a.period_history, 0.25 * 1.5 / 1.75, 1e-12);
  EXPECT_DOUBLE_EQ(a.capacity, 1000);
  EXPECT_NEAR(a.effective_volume, 150.66964285714286, 1e-9);
  EXPECT_NEAR(a.task_score, 0.8902018537221487, 1e-9);

  EXPECT_EQ(b.uid, 9);
  EXPECT_NEAR(b.quality, 1, 1e-12);
  EXPECT_NEAR(b.speed, 10, 1e-12);
  EXPECT_DOUBLE_EQ(b.speed_rank, 1);
  EXPECT_DOUBLE_EQ(b.speed_bonus, -0.25);
  EXPECT_NEAR(b.combined_quality, 0.75, 1e-12);
  EXPECT_NEAR(b.period_history, 1, 1e-12);
  EXPECT_NEAR(b.effective_volume, 75, 1e-12);
  EXPECT_NEAR(b.task_score, 0.10979814627785138, 1e-9);
}

TEST(TaskScores, NegativeQualityPullsTheMeanDown) {
  // sign(q)·|q|^1.5: (1 + 1 + 1 − 10^1.5)/4 < 0 → CQ = 0 → nothing earned.
  const auto scores = score_task({contender(1, 100, {{1, 10, 1}, {1, 10, 1}, {1, 10, 1}, {-10, 10, 1}}),
                                  contender(2, 100, {{0.5, 10, 1}})});
  EXPECT_NEAR(scores[0].quality, (3 - std::pow(10.0, 1.5)) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(scores[0].combined_quality, 0);
  EXPECT_DOUBLE_EQ(scores[0].task_score, 0);
  EXPECT_DOUBLE_EQ(scores[1].task_score, 1);
}

TEST(TaskScores, MinerWithoutCheckedAnswersScoresZeroAndIsNotRanked) {
  const auto scores = score_task(
      {contender(1, 100, {}), contender(2, 100, {{1, 10, 1}}), contender(3, 100, {{std::nan(""), 10, 1}})});
  EXPECT_EQ(scores[0].checked_answers, 0u);
  EXPECT_DOUBLE_EQ(scores[0].speed_rank, -1);
  EXPECT_DOUBLE_EQ(scores[0].task_score, 0);
  EXPECT_DOUBLE_EQ(scores[0].capacity, 100);
  EXPECT_EQ(scores[2].checked_answers, 0u);
  EXPECT_DOUBLE_EQ(scores[2].task_score, 0);
  // Alone among the ranked, miner 2 gets rank 0 and no bonus (N = 1).
  EXPECT_DOUBLE_EQ(scores[1].speed_rank, 0);
  EXPECT_DOUBLE_EQ(scores[1].speed_bonus, 0);
  EXPECT_DOUBLE_EQ(scores[1].task_score, 1);
  for (const auto& s : scores) expect_finite(s);
}

TEST(TaskScores, AllZeroEffectiveVolumeGivesAllZeroScores) {
  const auto scores = score_task(
      {contender(1, 0, {{1, 10, 1}}), contender(2, 100, {{0, 10, 1}}), contender(3, 100, {{1, 10, 1}}, {})});
  for (const auto& s : scores) {
    EXPECT_DOUBLE_EQ(s.effective_volume, 0);
    EXPECT_DOUBLE_EQ(s.task_score, 0);
    expect_finite(s);
  }
}

TEST(TaskScores, EmptyTask) {
  EXPECT_TRUE(score_task({}).empty());
}

TEST(TaskScores, GarbageInputStaysFinite) {
  const auto scores = score_task({
      contender(1, std::nan(""), {{1, 10, 1}}),
      contender(2, INFINITY, {{1, 10, 1}}),
      contender(3, 1e300, {{1, INFINITY, 0}, {INFINITY, 1, 1}}),
      contender(4, -5, {{1, -1, -1}}),
      contender(5, 100, {{1, 10, 1}}, {{std::nan(""), 1}, {1, std::nan("")}}),
  });
  double total = 0;
  for (const auto& s : scores) {
    expect_finite(s);
    total += s.task_score;
  }
  EXPECT_NEAR(total, 1, 1e-12);
  EXPECT_DOUBLE_EQ(scores[0].capacity, 0);
  EXPECT_DOUBLE_EQ(scores[1].capacity, 0);
  EXPECT_DOUBLE_EQ(scores[2].task_score, 1);  // huge volume, scaled before cubing: no overflow
}

TEST(TaskScores, ExponentSettings) {
  TaskScoreSettings settings;
  settings.quality_exponent = 2;
  settings.concentration_exponent = 1;
  const auto scores =
      score_task({contender(1, 3, {{0.5, 10, 1}}), contender(2, 1, {{0.5, 10, 1}})}, settings);
  EXPECT_NEAR(scores[0].quality, 0.25, 1e-12);
  EXPECT_NEAR(scores[0].task_score, 0.75, 1e-12);
}

}  // namespace
}  // namespace nineteen::scoring
