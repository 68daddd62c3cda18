// MECHANISM.md §2: capacity clamp, the m draw's frequencies, capacity_to_score.
#include "nineteen/scoring/capacity_draw.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

namespace nineteen::scoring {
namespace {

TEST(CapacityDraw, ClampKeepsDeclaredWithinZeroAndMax) {
  EXPECT_DOUBLE_EQ(clamp_capacity(5000, 120000), 5000);
  EXPECT_DOUBLE_EQ(clamp_capacity(500000, 120000), 120000);
  EXPECT_DOUBLE_EQ(clamp_capacity(-3, 120000), 0);
  EXPECT_DOUBLE_EQ(clamp_capacity(std::numeric_limits<double>::infinity(), 800), 800);
}

TEST(CapacityDraw, ClampTurnsGarbageIntoZero) {
  EXPECT_DOUBLE_EQ(clamp_capacity(std::nan(""), 800), 0);
  EXPECT_DOUBLE_EQ(clamp_capacity(100, 0), 0);
  EXPECT_DOUBLE_EQ(clamp_capacity(100, std::nan("")), 0);
}

TEST(CapacityDraw, DefaultDrawFrequenciesMatchTheDocumentedDistribution) {
  CapacityDrawSettings settings;
  std::mt19937_64 rng(19);
  std::map<double, int> seen;
  const int draws = 400000;
  double sum = 0;
  for (int i = 0; i < draws; ++i) {
    const double m = draw_scored_share(settings, rng);
    seen[m] += 1;
    sum += m;
  }
  ASSERT_EQ(seen.size(), 4u);
  // Binomial standard deviations at 400k draws: ≈ 0.0008 (p .5), 0.0008 (.4), 0.0005 (.095), 0.0001 (.005).
  EXPECT_NEAR(seen[0.04] / double(draws), 0.5, 0.004);
  EXPECT_NEAR(seen[0.08] / double(draws), 0.4, 0.004);
  EXPECT_NEAR(seen[0.12] / double(draws), 0.095, 0.0025);
  EXPECT_NEAR(seen[0.8] / double(draws), 0.005, 0.0006);
  EXPECT_NEAR(sum / draws, 0.0674, 0.001);
}

TEST(CapacityDraw, SameSeedGivesSameDraws) {
  CapacityDrawSettings settings;
  std::mt19937_64 a(7), b(7);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(draw_scored_share(settings, a), draw_scored_share(settings, b));
}

TEST(CapacityDraw, ProbabilitiesAreRelativeAndUnusableChoicesAreSkipped) {
  CapacityDrawSettings settings;
  settings.scored_shares = {{0.5, 3}, {0.9, -1}, {0.7, std::nan("")}};
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_DOUBLE_EQ(draw_scored_share(settings, rng), 0.5);
  settings.scored_shares.clear();
  EXPECT_DOUBLE_EQ(draw_scored_share(settings, rng), 0);
}

TEST(CapacityDraw, CapacityToScoreIsTheProduct) {
  EXPECT_DOUBLE_EQ(capacity_to_score(120000, 0.04, 1), 4800);
  EXPECT_DOUBLE_EQ(capacity_to_score(800, 0.8, 2), 1280);
  EXPECT_DOUBLE_EQ(capacity_to_score(-1, 0.8, 1), 0);
  EXPECT_DOUBLE_EQ(capacity_to_score(100, std::nan(""), 1), 0);
}

TEST(CapacityDraw, DrawCapacityToScoreUsesMultiplier) {
  CapacityDrawSettings settings;
  settings.scored_shares = {{0.12, 1}};
  settings.synthetic_multiplier = 2;
  std::mt19937_64 rng(3);
  EXPECT_DOUBLE_EQ(draw_capacity_to_score(1000, settings, rng), 240);
}

}  // namespace
}  // namespace nineteen::scoring
