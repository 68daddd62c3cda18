// Properties of the weights over many random networks (MECHANISM.md §7): they sum to 1, a miner with
// no checked answers in a task earns nothing there, and raising one miner's quality never lowers its
// weight.
#include <gtest/gtest.h>

#include <random>

#include "nineteen/scoring/weights.hpp"

namespace nineteen::scoring {
namespace {

// A random network: 1-3 tasks, 2-12 miners each, random answers, speeds and histories.
std::vector<TaskInput> random_network(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<TaskInput> tasks(1 + rng() % 3);
  for (size_t t = 0; t < tasks.size(); ++t) {
    tasks[t].name = "task" + std::to_string(t);
    tasks[t].weight = 0.1 + unit(rng);
    const size_t miners = 2 + rng() % 11;
    for (size_t m = 0; m < miners; ++m) {
      ContenderRecord c;
      c.uid = static_cast<std::uint16_t>(m);
      c.capacity = 100 + 1000 * unit(rng);
      const size_t answers = rng() % 4 == 0 ? 0 : 1 + rng() % 20;
      for (size_t a = 0; a < answers; ++a) c.checked_answers.push_back({unit(rng), 10 + 90 * unit(rng), 0.1 + unit(rng)});
      const size_t periods = 1 + rng() % 12;
      for (size_t p = 0; p < periods; ++p) c.periods_newest_first.push_back({unit(rng), 50 + 100 * unit(rng)});
      tasks[t].contenders.push_back(c);
    }
  }
  return tasks;
}

double weight_of(const WeightsResult& r, std::uint16_t uid) {
  for (const auto& m : r.miners) {
    if (m.uid == uid) return m.weight;
  }
  return 0;
}

TEST(WeightProperties, WeightsSumToOneWheneverAnyoneEarned) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    auto result = compute_weights(random_network(rng));
    double sum = 0, score = 0;
    for (const auto& m : result.miners) {
      EXPECT_GE(m.weight, 0);
      sum += m.weight;
      score += m.total_score;
    }
    if (score > 0) {
      EXPECT_NEAR(sum, 1.0, 1e-9) << "trial " << trial;
    }
  }
}

TEST(WeightProperties, NoCheckedAnswersMeansNothingInThatTask) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    auto tasks = random_network(rng);
    auto result = compute_weights(tasks);
    for (size_t t = 0; t < tasks.size(); ++t) {
      for (size_t m = 0; m < tasks[t].contenders.size(); ++m) {
        if (tasks[t].contenders[m].checked_answers.empty()) {
          EXPECT_EQ(result.tasks[t].contenders[m].task_score, 0.0) << "trial " << trial;
        }
      }
    }
  }
}

TEST(WeightProperties, RaisingOneMinersQualityNeverLowersItsWeight) {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 300; ++trial) {
    auto tasks = random_network(rng);
    const size_t t = rng() % tasks.size();
    ContenderRecord& miner = tasks[t].contenders[rng() % tasks[t].contenders.size()];
    if (miner.checked_answers.empty()) continue;
    const double before = weight_of(compute_weights(tasks), miner.uid);
    for (auto& a : miner.checked_answers) a.quality = std::min(1.0, a.quality + 0.2);
    const double after = weight_of(compute_weights(tasks), miner.uid);
    EXPECT_GE(after, before - 1e-12) << "trial " << trial;
  }
}

}  // namespace
}  // namespace nineteen::scoring
