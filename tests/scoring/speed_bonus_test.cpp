// MECHANISM.md §7 (speed): answer speed, the 30th percentile, rank and bonus.
#include "nineteen/scoring/speed_bonus.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace nineteen::scoring {
namespace {

TEST(SpeedBonus, AnswerSpeedIsWorkOverTime) {
  EXPECT_DOUBLE_EQ(answer_speed(300, 2), 150);
  EXPECT_DOUBLE_EQ(answer_speed(0, 2), 0);
}

TEST(SpeedBonus, AnswerWithoutMeasurableTimeEarnsNoSpeed) {
  EXPECT_DOUBLE_EQ(answer_speed(300, 0), 0);
  EXPECT_DOUBLE_EQ(answer_speed(300, -1), 0);
  EXPECT_DOUBLE_EQ(answer_speed(300, std::nan("")), 0);
  EXPECT_DOUBLE_EQ(answer_speed(std::nan(""), 1), 0);
  EXPECT_DOUBLE_EQ(answer_speed(-5, 1), 0);
  EXPECT_DOUBLE_EQ(answer_speed(1e300, 1e-300), 0);
}

TEST(SpeedBonus, PercentileInterpolatesLinearlyBetweenClosestRanks) {
  std::vector<double> values = {10, 3, 7, 1, 9, 2, 8, 5, 4, 6};
  EXPECT_NEAR(speed_percentile(values.data(), values.size(), 0.3), 3.7, 1e-12);  // numpy: 3.7
  std::vector<double> two = {20, 10};
  EXPECT_NEAR(speed_percentile(two.data(), two.size(), 0.3), 13, 1e-12);
  std::vector<double> five = {50, 10, 40, 20, 30};
  EXPECT_NEAR(speed_percentile(five.data(), five.size(), 0.25), 20, 1e-12);  // h = 1 exactly
}

TEST(SpeedBonus, PercentileEdges) {
  std::vector<double> one = {42};
  EXPECT_DOUBLE_EQ(speed_percentile(one.data(), 1, 0.3), 42);
  EXPECT_DOUBLE_EQ(speed_percentile(nullptr, 0, 0.3), 0);
  std::vector<double> values = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(speed_percentile(values.data(), values.size(), 0), 1);
  EXPECT_DOUBLE_EQ(speed_percentile(values.data(), values.size(), 1), 4);
  EXPECT_DOUBLE_EQ(speed_percentile(values.data(), values.size(), 7), 4);
  EXPECT_DOUBLE_EQ(speed_percentile(values.data(), values.size(), std::nan("")), 1);
}

// Type 7 by full sort, to check the selection against.
double sorted_percentile(std::vector<double> values, double fraction) {
  std::sort(values.begin(), values.end());
  const double h = (values.size() - 1) * fraction;
  const auto below = static_cast<std::size_t>(h);
  if (below + 1 >= values.size()) return values[below];
  return values[below] + (h - below) * (values[below + 1] - values[below]);
}

TEST(SpeedBonus, PercentileAgreesWithFullSortOnManyShapes) {
  std::mt19937_64 rng(30);
  std::uniform_real_distribution<double> unit(0, 1);
  const auto shape_value = [&](int shape, std::size_t i, std::size_t n) -> double {
    switch (shape) {
      case 0:
        return unit(rng) * 300;  // random
      case 1:
        return double(i);  // ascending
      case 2:
        return double(n - i);  // descending
      case 3:
        return 7;  // all equal
      case 4:
        return double(std::min(i, n - i));  // organ pipe
      default:
        return std::floor(unit(rng) * 4);  // many ties
    }
  };
  for (std::size_t n : {1, 2, 3, 10, 24, 25, 26, 60, 199, 200, 201, 1000, 5000})
    for (int shape = 0; shape < 6; ++shape) {
      std::vector<double> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = shape_value(shape, i, n);
      for (double fraction : {0.0, 0.3, 0.5, 0.99, 1.0}) {
        std::vector<double> scratch = values;
        EXPECT_DOUBLE_EQ(speed_percentile(scratch.data(), n, fraction), sorted_percentile(values, fraction))
            << "n=" << n << " shape=" << shape << " fraction=" << fraction;
        std::sort(scratch.begin(), scratch.end());
        std::vector<double> original = values;
        std::sort(original.begin(), original.end());
        EXPECT_EQ(scratch, original) << "the values must only be reordered";
      }
    }
}

TEST(SpeedBonus, PercentileTreatsNanAsZero) {
  std::vector<double> values = {std::nan(""), 5, 10};
  EXPECT_DOUBLE_EQ(speed_percentile(values.data(), values.size(), 0), 0);
}

TEST(SpeedBonus, RanksDescendingWithBonusFromPlusToMinusAQuarter) {
  const auto ranks = speed_ranks({10, 30, 20});
  ASSERT_EQ(ranks.size(), 3u);
  EXPECT_DOUBLE_EQ(ranks[1].rank, 0);
  EXPECT_DOUBLE_EQ(ranks[1].bonus, 0.25);
  EXPECT_DOUBLE_EQ(ranks[2].rank, 1);
  EXPECT_DOUBLE_EQ(ranks[2].bonus, 0);
  EXPECT_DOUBLE_EQ(ranks[0].rank, 2);
  EXPECT_DOUBLE_EQ(ranks[0].bonus, -0.25);
}

TEST(SpeedBonus, SingleMinerGetsNoBonus) {
  const auto ranks = speed_ranks({5});
  ASSERT_EQ(ranks.size(), 1u);
  EXPECT_DOUBLE_EQ(ranks[0].rank, 0);
  EXPECT_DOUBLE_EQ(ranks[0].bonus, 0);
  EXPECT_TRUE(speed_ranks({}).empty());
}

TEST(SpeedBonus, TiedMinersShareTheMeanRank) {
  const auto ranks = speed_ranks({9, 5, 5, 1});
  EXPECT_DOUBLE_EQ(ranks[0].rank, 0);
  EXPECT_DOUBLE_EQ(ranks[1].rank, 1.5);
  EXPECT_DOUBLE_EQ(ranks[2].rank, 1.5);
  EXPECT_DOUBLE_EQ(ranks[1].bonus, 0);
  EXPECT_DOUBLE_EQ(ranks[3].bonus, -0.25);
  double sum = 0;
  for (const auto& r : ranks) sum += r.bonus;
  EXPECT_NEAR(sum, 0, 1e-12);
}

TEST(SpeedBonus, NanSpeedRanksLast) {
  const auto ranks = speed_ranks({std::nan(""), 1, 2});
  EXPECT_DOUBLE_EQ(ranks[0].rank, 2);
  EXPECT_DOUBLE_EQ(ranks[2].rank, 0);
}

TEST(SpeedBonus, ScaleSetting) {
  const auto ranks = speed_ranks({2, 1}, {0.3, 1.0});
  EXPECT_DOUBLE_EQ(ranks[0].bonus, 0.5);
  EXPECT_DOUBLE_EQ(ranks[1].bonus, -0.5);
}

}  // namespace
}  // namespace nineteen::scoring
