// MECHANISM.md §7 (total): task weights normalised, S_h summed over tasks, W = S/ΣS.
#include "nineteen/scoring/weights.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

}  // namespace
}  // namespace nineteen::scoring
