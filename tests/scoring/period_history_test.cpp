// MECHANISM.md §7 (history): P_h, including the 0.857 example and the new-miner factor.
#include "nineteen/scoring/period_history.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace nineteen::scoring {
namespace {

TEST(PeriodHistory, WorkedExampleBeforeAndAfterNewMinerFactor) {
  const std::vector<ScoredPeriod> history = {{1.0, 100}, {0.5, 100}, {1.0, 100}};
  PeriodHistorySettings unscaled;
  unscaled.new_miner_factor = 1;
  EXPECT_NEAR(period_history_score(history, unscaled).score, 0.857, 1e-3);
  EXPECT_NEAR(period_history_score(history, unscaled).score, 1.5 / 1.75, 1e-12);
  const auto with_factor = period_history_score(history);
  EXPECT_NEAR(with_factor.score, 0.25 * 1.5 / 1.75, 1e-12);
  EXPECT_EQ(with_factor.scored_periods, 3u);
}

TEST(PeriodHistory, FactorIsOneOnlyWithMoreThanEightPeriods) {
  std::vector<ScoredPeriod> history(8, {1.0, 10});
  EXPECT_DOUBLE_EQ(period_history_score(history).score, 0.25);
  history.push_back({1.0, 10});
  EXPECT_DOUBLE_EQ(period_history_score(history).score, 1.0);
}

TEST(PeriodHistory, VolumeWeighsPeriods) {
  // Newest: 0 at volume 300; older: 1 at volume 100 → 0·300 + 1·100·0.5 over 300 + 50.
  PeriodHistorySettings settings;
  settings.new_miner_factor = 1;
  EXPECT_NEAR(period_history_score({{0.0, 300}, {1.0, 100}}, settings).score, 50.0 / 350.0, 1e-12);
}

TEST(PeriodHistory, EmptyOrVolumelessHistoryIsZero) {
  EXPECT_DOUBLE_EQ(period_history_score({}).score, 0);
  EXPECT_EQ(period_history_score({}).scored_periods, 0u);
  EXPECT_DOUBLE_EQ(period_history_score({{1.0, 0}, {1.0, 0}}).score, 0);
}

TEST(PeriodHistory, GarbagePeriodsAreSkippedNotPropagated) {
  PeriodHistorySettings settings;
  settings.new_miner_factor = 1;
  const auto history = period_history_score({{std::nan(""), 100}, {0.5, INFINITY}, {0.8, 10}}, settings);
  EXPECT_DOUBLE_EQ(history.score, 0.8);
  EXPECT_EQ(history.scored_periods, 1u);
  EXPECT_DOUBLE_EQ(period_history_score({{7.0, 10}}, settings).score, 1.0);  // clamped to [0, 1]
}

// Issue 18: the share of its declared volume a miner left unserved in a period, (n429 + n500)/T · u.
TEST(PeriodHistory, UnservedShareWorkedNumbers) {
  auto counts = [](double consumed, std::uint64_t total, std::uint64_t n429, std::uint64_t n500) {
    OutcomeCounts c;
    c.consumed = consumed;
    c.total = total;
    c.rate_limited = n429;
    c.failed = n500;
    return c;
  };
  EXPECT_NEAR(unserved_share(counts(100, 10, 2, 0), 1000), 0.18, 1e-12);  // 2/10 refused, u = 0.9
  EXPECT_NEAR(unserved_share(counts(500, 10, 1, 2), 1000), 0.15, 1e-12);  // 3/10 unserved, u = 0.5
  EXPECT_DOUBLE_EQ(unserved_share(counts(1000, 10, 5, 0), 1000), 0);     // volume used: "full" is honest
  EXPECT_DOUBLE_EQ(unserved_share(counts(0, 0, 0, 0), 1000), 0);         // nothing asked
  EXPECT_DOUBLE_EQ(unserved_share(counts(0, 4, 9, 9), 1000), 1);         // corrupt counts clamp to T
  EXPECT_DOUBLE_EQ(unserved_share(counts(0, 4, 1, 0), NAN), 0);
}

// The served share is weighted as P_h weighs scores (volume · 0.5^i), without μ.
TEST(PeriodHistory, ServedShareIsWeightedLikeTheScores) {
  // Newest: unserved 0.2 at volume 100 (weight 100); older: 0 at volume 100 (weight 50).
  const PeriodHistory h = period_history_score({{1.0, 100, 0.2}, {1.0, 100, 0.0}});
  EXPECT_NEAR(h.served_share, 1 - 0.2 * 100 / 150, 1e-12);
  EXPECT_DOUBLE_EQ(h.score, 0.25);  // the score itself does not move (μ = 0.25: a new miner)
  EXPECT_DOUBLE_EQ(period_history_score({}).served_share, 1);
  EXPECT_DOUBLE_EQ(period_history_score({{1.0, 100, NAN}}).served_share, 1);
}

}  // namespace
}  // namespace nineteen::scoring
