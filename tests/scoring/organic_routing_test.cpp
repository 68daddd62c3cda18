// MECHANISM.md §9: organic routing order (eligibility, best quarter, weighted order, fallbacks).
#include "nineteen/scoring/organic_routing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {
namespace {

RoutingContender ready(double quality, double period_score = 1, std::uint32_t in_flight = 0) {
  RoutingContender c;
  c.capacity_left = 1000;
  c.recent_quality = quality;
  c.period_score = period_score;
  c.in_flight = in_flight;
  return c;
}

// The rules below other than the quality floor, seen with the floor off.
OrganicRoutingSettings no_quality_floor() {
  OrganicRoutingSettings settings;
  settings.min_quality = -10;
  return settings;
}

TEST(OrganicRouting, OnlyEligibleContendersAreTried) {
  std::vector<RoutingContender> contenders(6, ready(1));
  contenders[0].healthy = false;
  contenders[1].recent_failures = 3;
  contenders[2].answering_429 = true;
  contenders[3].capacity_left = 0;
  contenders[4].recent_failures = 2;  // at the limit: still eligible
  OrganicRoutingSettings settings = no_quality_floor();
  settings.max_attempts = 0;
  std::mt19937_64 rng(1);
  auto order = organic_try_order(contenders, settings, rng);
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<std::size_t>{4, 5}));
}

TEST(OrganicRouting, NoEligibleContenderMeansEmpty) {
  std::vector<RoutingContender> contenders(3, ready(1));
  for (auto& c : contenders) c.answering_429 = true;
  std::mt19937_64 rng(1);
  EXPECT_TRUE(organic_try_order(contenders, no_quality_floor(), rng).empty());
  EXPECT_TRUE(organic_try_order({}, {}, rng).empty());
}

TEST(OrganicRouting, BestQuarterFirstThenFallbacksInMeritOrderCutAtMaxAttempts) {
  // Merits 0.1 … 0.8 at indices 0 … 7: the best quarter is {7, 6}; fallbacks 5, 4, 3.
  std::vector<RoutingContender> contenders;
  for (int i = 1; i <= 8; ++i) contenders.push_back(ready(0.1 * i));
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    const auto order = organic_try_order(contenders, no_quality_floor(), rng);
    ASSERT_EQ(order.size(), 5u);
    std::vector<std::size_t> tier(order.begin(), order.begin() + 2);
    std::sort(tier.begin(), tier.end());
    EXPECT_EQ(tier, (std::vector<std::size_t>{6, 7}));
    EXPECT_EQ(std::vector<std::size_t>(order.begin() + 2, order.end()), (std::vector<std::size_t>{5, 4, 3}));
  }
}

TEST(OrganicRouting, AtLeastOneInTheFirstTier) {
  std::vector<RoutingContender> contenders = {ready(0.2), ready(0.9)};
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 20; ++trial)
    EXPECT_EQ(organic_try_order(contenders, no_quality_floor(), rng), (std::vector<std::size_t>{1, 0}));
}

TEST(OrganicRouting, FirstPickIsWeightedByMerit) {
  // Tier of two (best_share 1): weights 0.9 and 0.3 → the first is tried first 3 times in 4.
  std::vector<RoutingContender> contenders = {ready(0.9), ready(0.3)};
  OrganicRoutingSettings settings = no_quality_floor();
  settings.best_share = 1;
  std::mt19937_64 rng(3);
  int first = 0;
  const int trials = 20000;
  for (int t = 0; t < trials; ++t) first += organic_try_order(contenders, settings, rng)[0] == 0;
  EXPECT_NEAR(first / double(trials), 0.75, 0.015);
}

TEST(OrganicRouting, FewerInFlightIsPreferred) {
  // Equal merit; in flight 0 vs 3 → weights 1 and 1/4 → the idle one first 4 times in 5.
  std::vector<RoutingContender> contenders = {ready(1, 1, 3), ready(1, 1, 0)};
  OrganicRoutingSettings settings = no_quality_floor();
  settings.best_share = 1;
  std::mt19937_64 rng(4);
  int idle_first = 0;
  const int trials = 20000;
  for (int t = 0; t < trials; ++t) idle_first += organic_try_order(contenders, settings, rng)[0] == 1;
  EXPECT_NEAR(idle_first / double(trials), 0.8, 0.015);
}

TEST(OrganicRouting, ZeroMeritFollowsPositiveAndStillGetsTried) {
  std::vector<RoutingContender> contenders = {ready(0), ready(std::nan("")), ready(0.5, -1), ready(0.4)};
  OrganicRoutingSettings settings = no_quality_floor();
  settings.best_share = 1;
  settings.max_attempts = 0;
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const auto order = organic_try_order(contenders, settings, rng);
    ASSERT_EQ(order.size(), 4u);
    EXPECT_EQ(order[0], 3u);
  }
}

TEST(OrganicRouting, SameSeedSameOrder) {
  std::vector<RoutingContender> contenders;
  for (int i = 0; i < 40; ++i) contenders.push_back(ready(0.5 + 0.01 * i, 1, i % 4));
  OrganicRoutingSettings settings = no_quality_floor();
  settings.max_attempts = 0;
  std::mt19937_64 a(99), b(99);
  for (int trial = 0; trial < 10; ++trial)
    EXPECT_EQ(organic_try_order(contenders, settings, a), organic_try_order(contenders, settings, b));
}

TEST(OrganicRouting, ContendersBelowTheQualityFloorAreNeverTried) {
  // A wrong-model miner (checked quality 0) stays out even when it is the only idle one.
  std::vector<RoutingContender> contenders = {ready(0.0, 1, 0), ready(1.0, 1, 3), ready(0.49, 1, 0),
                                              ready(std::nan(""), 1, 0), ready(0.5, 1, 1)};
  OrganicRoutingSettings settings;  // min_quality 0.5 by default
  settings.max_attempts = 0;
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    auto order = organic_try_order(contenders, settings, rng);
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, (std::vector<std::size_t>{1, 4}));
  }
  std::vector<RoutingContender> only_wrong = {ready(0.0), ready(-10.0)};
  EXPECT_TRUE(organic_try_order(only_wrong, settings, rng).empty());
}

}  // namespace
}  // namespace nineteen::scoring
