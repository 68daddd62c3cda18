// Issue 18, item 6: equal work, equal weight. The speed bonus follows measured speed with its
// uncertainty ("measured", the default) instead of a rank among near-identical latencies ("rank",
// MECHANISM.md §7 as written). Many seeds of simulated miners; each seed is one task's scoring window.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "nineteen/scoring/speed_bonus.hpp"
#include "nineteen/scoring/task_scores.hpp"

namespace nineteen::scoring {
namespace {

constexpr int kSeeds = 400;
constexpr int kAnswers = 30;  // checked answers per miner in the window

// A miner's checked answers: quality 1, work 100 tokens, response times log-normal around
// `median_s` with a spread typical of loopback serving (σ = 0.3 in log space).
std::vector<CheckedAnswer> answers(std::mt19937_64& rng, double median_s) {
  std::lognormal_distribution<double> time(std::log(median_s), 0.3);
  std::vector<CheckedAnswer> out;
  for (int i = 0; i < kAnswers; ++i) out.push_back({1.0, 100, time(rng)});
  return out;
}

std::vector<ScoredPeriod> established() { return std::vector<ScoredPeriod>(9, {1.0, 100}); }

struct Shares {
  double first = 0, second = 0, half_speed = 0;
};

// Two identical honest miners and one at half their speed, same capacity and quality.
Shares one_window(std::uint64_t seed, SpeedBonusRule rule) {
  std::mt19937_64 rng(seed);
  TaskScoreSettings settings;
  settings.speed.rule = rule;
  const auto scores = score_task({{1, 1000, answers(rng, 1.0), established()},
                                  {2, 1000, answers(rng, 1.0), established()},
                                  {3, 1000, answers(rng, 2.0), established()}},
                                 settings);
  return {scores[0].task_score, scores[1].task_score, scores[2].task_score};
}

double relative_gap(double a, double b) { return std::fabs(a - b) / std::max(a, b); }

TEST(ScoringSpeed, IdenticalMinersEndWithin5PercentOfEachOthersWeightOnEverySeed) {
  int apart = 0;
  double worst = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Shares s = one_window(seed, SpeedBonusRule::measured);
    const double gap = relative_gap(s.first, s.second);
    worst = std::max(worst, gap);
    apart += gap > 0.05 ? 1 : 0;
  }
  EXPECT_EQ(apart, 0) << "worst gap " << worst;
}

TEST(ScoringSpeed, TheRankRuleTurnsNoiseIntoWeightOnTheSameSeeds) {
  // The reason for the change: ranked, one identical miner gets +0.25 and the other 0, so their
  // cubed shares differ by about half on nearly every seed.
  int apart = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Shares s = one_window(seed, SpeedBonusRule::rank);
    apart += relative_gap(s.first, s.second) > 0.05 ? 1 : 0;
  }
  EXPECT_GT(apart, kSeeds * 9 / 10);
}

TEST(ScoringSpeed, AMinerAtHalfTheSpeedEarnsMeasurablyLessOnEverySeed) {
  double half_sum = 0, honest_sum = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Shares s = one_window(seed, SpeedBonusRule::measured);
    EXPECT_LT(s.half_speed, std::min(s.first, s.second)) << "seed " << seed;
    half_sum += s.half_speed;
    honest_sum += (s.first + s.second) / 2;
  }
  // Worked: x = −1 octave, u ≈ 0.15, band 0.2 → bonus ≈ −0.25·0.65 ≈ −0.16; (0.84)³ ≈ 0.6 of an
  // honest miner's share.
  std::cout << "half-speed miner / honest miner, mean share over " << kSeeds << " seeds: " << half_sum / honest_sum
            << "\n";
  EXPECT_LT(half_sum / honest_sum, 0.75);
  EXPECT_GT(half_sum / honest_sum, 0.4);
}

TEST(ScoringSpeed, WorkedBonusesAgainstTheMedian) {
  // Exact speeds (every answer the same, so the interval has no width): median 10.
  auto estimate = [](double speed, std::size_t n = 10) { return SpeedEstimate{speed, speed, speed, n}; };
  const auto r =
      speed_bonuses({estimate(10), estimate(20), estimate(5), estimate(11), estimate(40), estimate(10), estimate(9)});
  EXPECT_DOUBLE_EQ(r[0].bonus, 0);                        // the median itself
  EXPECT_NEAR(r[1].bonus, 0.25 * (1 - 0.2), 1e-12);       // 2×: one octave, less the band
  EXPECT_NEAR(r[2].bonus, -0.25 * (1 - 0.2), 1e-12);      // ½×
  EXPECT_DOUBLE_EQ(r[3].bonus, 0);                        // +10 %: inside the 0.2-octave band
  EXPECT_DOUBLE_EQ(r[4].bonus, 0.25);                     // 4×: capped at +scale/2
  EXPECT_DOUBLE_EQ(r[4].rank, 0);                         // ranks are still shown
  // Wide uncertainty (too few samples to tell): no bonus; under min_answers: none either.
  const auto wide = speed_bonuses({estimate(10), SpeedEstimate{20, 5, 80, 10}, estimate(10)});
  EXPECT_DOUBLE_EQ(wide[1].bonus, 0);
  const auto few = speed_bonuses({estimate(10), estimate(40, 4), estimate(10)});
  EXPECT_DOUBLE_EQ(few[1].bonus, 0);
  // No measurable speed at the percentile is the slowest there is.
  const auto zero = speed_bonuses({estimate(10), estimate(0), estimate(10)});
  EXPECT_DOUBLE_EQ(zero[1].bonus, -0.25);
}

TEST(ScoringSpeed, TheIntervalIsTheOrderStatisticsAroundThePercentile) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // 1..100 in reverse
  const SpeedEstimate e = speed_estimate(v.data(), v.size(), 0.3, 1.96);
  // position 29.7 → 30.7; half-width 1.96·sqrt(100·0.21) ≈ 8.98 → ranks 20 and 39 → values 21 and 40.
  EXPECT_NEAR(e.speed, 30.7, 1e-12);
  EXPECT_DOUBLE_EQ(e.low, 21);
  EXPECT_DOUBLE_EQ(e.high, 40);
  EXPECT_EQ(e.answers, 100u);
  // Two answers: the interval is the whole sample.
  std::vector<double> two = {4, 2};
  const SpeedEstimate t = speed_estimate(two.data(), two.size(), 0.3, 1.96);
  EXPECT_DOUBLE_EQ(t.low, 2);
  EXPECT_DOUBLE_EQ(t.high, 4);
}

}  // namespace
}  // namespace nineteen::scoring
