// Stake-weighted task votes: the combination rule with worked numbers (README "Task votes").
#include "nineteen/scoring/task_votes.hpp"

#include <gtest/gtest.h>

using namespace nineteen::scoring;

namespace {

// chat 0.6 in [0.3, 0.8], completions 0.1 in [0.05, 0.3], reverse 0.3 in [0.1, 0.5].
std::vector<TaskWeightBounds> catalogue() {
  return {{"chat", 0.6, 0.3, 0.8}, {"completions", 0.1, 0.05, 0.3}, {"reverse", 0.3, 0.1, 0.5}};
}

// A: 0.5/0.2/0.3; B: 0.7/0.1/0.2; C names only reverse = 1.0 (the others keep the catalogue's 0.6 and
// 0.1, so C reads 0.6/0.1/1.0 over 1.7 = 0.3529/0.0588/0.5882).
std::vector<TaskVote> votes(double a, double b, double c) {
  return {{"A", a, {{"chat", 0.5}, {"completions", 0.2}, {"reverse", 0.3}}},
          {"B", b, {{"chat", 0.7}, {"completions", 0.1}, {"reverse", 0.2}}},
          {"C", c, {{"reverse", 1.0}}}};
}

}  // namespace

TEST(TaskVotes, StakeWeightedMedianIsTheValueWhereHalfTheStakeIsReached) {
  // Sorted 0.1 (300), 0.2 (600), 0.9 (100): 300 < 500, 900 >= 500 → 0.2.
  EXPECT_DOUBLE_EQ(stake_weighted_median({0.9, 0.2, 0.1}, {100, 600, 300}), 0.2);
  // Exactly half at the first value: it is the median (0.5 + 0.5 stake shares).
  EXPECT_DOUBLE_EQ(stake_weighted_median({0.3, 0.7}, {1, 1}), 0.3);
  // Zero stake does not count; nothing counted gives 0.
  EXPECT_DOUBLE_EQ(stake_weighted_median({0.9, 0.2}, {0, 5}), 0.2);
  EXPECT_DOUBLE_EQ(stake_weighted_median({}, {}), 0.0);
}

TEST(TaskVotes, WorkedExampleStakes400_350_250) {
  // Medians (half of 1000 = 500): chat C .3529 (250), A .5 (650) → 0.5; completions C .0588 (250),
  // B .1 (600) → 0.1; reverse B .2 (350), A .3 (750) → 0.3. Sum 0.9 → 0.5556, 0.1111, 0.3333, all in bounds.
  EffectiveTaskWeights w = effective_task_weights(catalogue(), votes(400, 350, 250));
  EXPECT_TRUE(w.from_votes);
  EXPECT_EQ(w.votes_counted, 3u);
  EXPECT_DOUBLE_EQ(w.stake_counted, 1000);
  EXPECT_NEAR(w.median.at("chat"), 0.5, 1e-12);
  EXPECT_NEAR(w.median.at("completions"), 0.1, 1e-12);
  EXPECT_NEAR(w.median.at("reverse"), 0.3, 1e-12);
  EXPECT_NEAR(w.weight.at("chat"), 0.5 / 0.9, 1e-9);
  EXPECT_NEAR(w.weight.at("completions"), 0.1 / 0.9, 1e-9);
  EXPECT_NEAR(w.weight.at("reverse"), 0.3 / 0.9, 1e-9);
}

TEST(TaskVotes, ClippingToTheCatalogueBoundsSharesTheRestInProportion) {
  // As above with chat bounded to [0.3, 0.5]: chat 0.5556 → 0.5; the other 0.5 goes to completions and
  // reverse in proportion 0.1111 : 0.3333 → 0.125 and 0.375.
  auto bounds = catalogue();
  bounds[0].max = 0.5;
  EffectiveTaskWeights w = effective_task_weights(bounds, votes(400, 350, 250));
  EXPECT_NEAR(w.weight.at("chat"), 0.5, 1e-9);
  EXPECT_NEAR(w.weight.at("completions"), 0.125, 1e-9);
  EXPECT_NEAR(w.weight.at("reverse"), 0.375, 1e-9);
  // A lower bound pulls a task up the same way: reverse at least 0.45 → 0.45; chat and completions share
  // 0.55 as 0.5556 : 0.1111 → 0.4583, 0.0917.
  bounds = catalogue();
  bounds[2].min = 0.45;
  w = effective_task_weights(bounds, votes(400, 350, 250));
  EXPECT_NEAR(w.weight.at("reverse"), 0.45, 1e-9);
  EXPECT_NEAR(w.weight.at("chat"), 0.55 * 5.0 / 6.0, 1e-9);
  EXPECT_NEAR(w.weight.at("completions"), 0.55 / 6.0, 1e-9);
}

TEST(TaskVotes, AValidatorUnderHalfTheStakeCannotDragATaskWithAnExtremeVote) {
  // Stakes 600/300/100: A holds the majority, its vote is the result whatever C votes.
  EffectiveTaskWeights w = effective_task_weights(catalogue(), votes(600, 300, 100));
  EXPECT_NEAR(w.weight.at("chat"), 0.5, 1e-9);
  EXPECT_NEAR(w.weight.at("completions"), 0.2, 1e-9);
  EXPECT_NEAR(w.weight.at("reverse"), 0.3, 1e-9);
  auto extreme = votes(600, 300, 100);
  extreme[2].weights = {{"completions", 1000.0}, {"chat", 0.0}, {"reverse", 0.0}};
  EffectiveTaskWeights same = effective_task_weights(catalogue(), extreme);
  EXPECT_EQ(same.weight, w.weight);
  // A stake-weighted mean would have moved completions from 0.2 to 0.6·0.2 + 0.3·0.1 + 0.1·1.0 = 0.25.
}

TEST(TaskVotes, NoCountedVoteKeepsTheCatalogueWeights) {
  EffectiveTaskWeights none = effective_task_weights(catalogue(), {});
  EXPECT_FALSE(none.from_votes);
  EXPECT_NEAR(none.weight.at("chat"), 0.6, 1e-12);
  EXPECT_NEAR(none.weight.at("completions"), 0.1, 1e-12);
  EXPECT_NEAR(none.weight.at("reverse"), 0.3, 1e-12);
  // No stake, or only tasks outside the catalogue: not counted.
  std::vector<TaskVote> ignored = {{"D", 0, {{"chat", 1.0}}}, {"E", 50, {{"image", 1.0}}}};
  EffectiveTaskWeights still = effective_task_weights(catalogue(), ignored);
  EXPECT_FALSE(still.from_votes);
  EXPECT_EQ(still.votes_counted, 0u);
  EXPECT_EQ(still.weight, none.weight);
}

TEST(TaskVotes, TheVoteTextRoundTripsAndBadTextIsNamed) {
  std::map<std::string, double> v = {{"chat-tiny-llama", 0.6}, {"reverse-words", 0.125}, {"embed-tiny-bert", 0}};
  const std::string text = encode_task_votes(v);
  EXPECT_EQ(text, "tv1 chat-tiny-llama=0.6 embed-tiny-bert=0 reverse-words=0.125");
  auto back = decode_task_votes(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, v);
  std::string error;
  EXPECT_FALSE(decode_task_votes("hello", &error));
  EXPECT_NE(error.find("tv1"), std::string::npos) << error;
  EXPECT_FALSE(decode_task_votes("tv1 chat", &error));
  EXPECT_NE(error.find("task=weight"), std::string::npos) << error;
  EXPECT_FALSE(decode_task_votes("tv1 chat=-1", &error));
  EXPECT_NE(error.find(">= 0"), std::string::npos) << error;
  EXPECT_FALSE(decode_task_votes("tv1 chat=nan", &error));
  EXPECT_FALSE(decode_task_votes("tv1 chat=0.1 chat=0.2", &error));
  EXPECT_NE(error.find("twice"), std::string::npos) << error;
  EXPECT_TRUE(decode_task_votes("tv1"));  // an empty vote is a vote for nothing (it does not count)
}
