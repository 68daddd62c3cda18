// MECHANISM.md §7 (total): task weights normalised, S_h summed over tasks, W = S/ΣS.
#include "nineteen/scoring/weights.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "nineteen/scoring/chain_weights.hpp"

namespace nineteen::scoring {
namespace {

ContenderRecord full_quality(std::uint16_t uid, double capacity) {
  return {uid, capacity, {{1, 10, 1}}, std::vector<ScoredPeriod>(9, {1.0, 100})};
}

TEST(Weights, TaskScoresCombineByNormalisedTaskWeight) {
  // Task "chat" (weight 3 → 0.75): E = 3, 2, 1 → 27/36, 8/36, 1/36. Task "image" (1 → 0.25): uid 3 alone.
  const std::vector<TaskInput> tasks = {
      {"chat", 3, {full_quality(1, 3), full_quality(2, 2), full_quality(3, 1)}},
      {"image", 1, {full_quality(3, 800)}},
  };
  const auto result = compute_weights(tasks);
  ASSERT_EQ(result.tasks.size(), 2u);
  EXPECT_EQ(result.tasks[0].name, "chat");
  EXPECT_DOUBLE_EQ(result.tasks[0].weight, 0.75);
  EXPECT_DOUBLE_EQ(result.tasks[1].weight, 0.25);
  ASSERT_EQ(result.miners.size(), 3u);
  EXPECT_EQ(result.miners[0].uid, 1);
  EXPECT_NEAR(result.miners[0].total_score, 0.5625, 1e-12);
  EXPECT_NEAR(result.miners[1].total_score, 0.75 * 8 / 36, 1e-12);
  EXPECT_NEAR(result.miners[2].total_score, 0.75 / 36 + 0.25, 1e-12);
  double sum = 0;
  for (const auto& m : result.miners) {
    EXPECT_NEAR(m.weight, m.total_score, 1e-12);  // the S already sum to 1 here
    sum += m.weight;
  }
  EXPECT_NEAR(sum, 1, 1e-12);
}

TEST(Weights, WeightIsShareOfTotalWhenSomeTaskHasNoScorer) {
  // "image" has one contender with no checked answers: its share of incentive goes nowhere,
  // and W renormalises over what was earned.
  const std::vector<TaskInput> tasks = {
      {"chat", 1, {full_quality(4, 10)}},
      {"image", 1, {{5, 800, {}, {}}}},
  };
  const auto result = compute_weights(tasks);
  ASSERT_EQ(result.miners.size(), 2u);
  EXPECT_NEAR(result.miners[0].total_score, 0.5, 1e-12);
  EXPECT_NEAR(result.miners[0].weight, 1.0, 1e-12);
  EXPECT_EQ(result.miners[1].uid, 5);
  EXPECT_DOUBLE_EQ(result.miners[1].weight, 0);
}

TEST(Weights, BadTaskWeightsCountAsZero) {
  const std::vector<TaskInput> tasks = {
      {"chat", std::nan(""), {full_quality(1, 10)}},
      {"image", -2, {full_quality(2, 10)}},
      {"embed", 5, {full_quality(3, 10)}},
  };
  const auto result = compute_weights(tasks);
  EXPECT_DOUBLE_EQ(result.tasks[0].weight, 0);
  EXPECT_DOUBLE_EQ(result.tasks[1].weight, 0);
  EXPECT_DOUBLE_EQ(result.tasks[2].weight, 1);
  EXPECT_DOUBLE_EQ(result.miners[0].weight, 0);
  EXPECT_DOUBLE_EQ(result.miners[2].weight, 1);
}

TEST(Weights, NothingEarnedMeansAllZeroNotNan) {
  const auto result = compute_weights({{"chat", 1, {{1, 100, {}, {}}, {2, 0, {{1, 1, 1}}, {}}}}});
  ASSERT_EQ(result.miners.size(), 2u);
  for (const auto& m : result.miners) {
    EXPECT_DOUBLE_EQ(m.total_score, 0);
    EXPECT_DOUBLE_EQ(m.weight, 0);
  }
  const auto zero_weights = compute_weights({{"chat", 0, {full_quality(1, 10)}}});
  EXPECT_DOUBLE_EQ(zero_weights.miners[0].weight, 0);
}

TEST(Weights, EmptyInput) {
  const auto result = compute_weights({});
  EXPECT_TRUE(result.tasks.empty());
  EXPECT_TRUE(result.miners.empty());
}

TEST(Weights, MinersComeOutInUidOrderAcrossTasks) {
  const auto result = compute_weights(
      {{"a", 1, {full_quality(65535, 1), full_quality(3, 1)}}, {"b", 1, {full_quality(0, 1)}}});
  ASSERT_EQ(result.miners.size(), 3u);
  EXPECT_EQ(result.miners[0].uid, 0);
  EXPECT_EQ(result.miners[1].uid, 3);
  EXPECT_EQ(result.miners[2].uid, 65535);
}

TEST(Weights, GarbageAnywhereNeverGivesNanOrCrashes) {
  std::mt19937_64 rng(2024);
  const double odd[] = {std::numeric_limits<double>::quiet_NaN(), INFINITY, -INFINITY, -1, 0, 1e308, 1e-310};
  std::uniform_int_distribution<int> pick(0, 9);
  std::uniform_real_distribution<double> unit(0, 1);
  // Mostly sane numbers, sometimes one of the odd ones.
  auto value = [&](double sane) { return pick(rng) < 8 ? sane : odd[pick(rng) % 7]; };
  for (int round = 0; round < 30; ++round) {
    std::vector<TaskInput> tasks(1 + round % 4);
    for (auto& task : tasks) {
      task.weight = value(unit(rng));
      task.contenders.resize(pick(rng));
      for (auto& c : task.contenders) {
        c.uid = static_cast<std::uint16_t>(pick(rng) * 7);
        c.capacity = value(1000 * unit(rng));
        c.checked_answers.resize(pick(rng) * 3);
        for (auto& a : c.checked_answers) a = {value(unit(rng)), value(300 * unit(rng)), value(unit(rng))};
        c.periods_newest_first.resize(pick(rng) * 2);
        for (auto& p : c.periods_newest_first) p = {value(unit(rng)), value(100 * unit(rng))};
      }
    }
    const auto result = compute_weights(tasks);
    double sum = 0;
    for (const auto& miner : result.miners) {
      ASSERT_TRUE(std::isfinite(miner.total_score) && std::isfinite(miner.weight)) << "round " << round;
      EXPECT_GE(miner.weight, 0);
      sum += miner.weight;
    }
    if (sum > 0) {
      EXPECT_NEAR(sum, 1, 1e-9) << "round " << round;
    }
    for (const auto& task : result.tasks)
      for (const auto& b : task.contenders)
        for (double x : {b.quality, b.speed, b.speed_bonus, b.combined_quality, b.period_history,
                         b.effective_volume, b.task_score})
          ASSERT_TRUE(std::isfinite(x)) << "round " << round << " task " << task.name << " uid " << b.uid;
    const auto chain = to_chain_weights(result.miners);
    ASSERT_EQ(chain.uids.size(), chain.values.size());
    EXPECT_EQ(sum > 0, !chain.uids.empty());
  }
}

}  // namespace
}  // namespace nineteen::scoring
