// Times weight setting (MECHANISM.md §7–8) for growing miner counts; TARGETS.md wants 1024 miners ×
// 10 tasks × 200 checked answers in under 50 ms, growing linearly.
//
//   bench_scoring [repeats]      prints one row per miner count
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "nineteen/scoring/chain_weights.hpp"
#include "nineteen/scoring/weights.hpp"

namespace {

using nineteen::scoring::CheckedAnswer;
using nineteen::scoring::ContenderRecord;
using nineteen::scoring::ScoredPeriod;
using nineteen::scoring::TaskInput;

constexpr int kTasks = 10;
constexpr int kAnswersPerContender = 200;
constexpr int kPeriodsPerContender = 72;  // 72 h of hourly periods

// Plausible figures: mostly good answers, a few failed checks and penalties, varied speeds.
std::vector<TaskInput> make_tasks(int miners, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<TaskInput> tasks(kTasks);
  for (int t = 0; t < kTasks; ++t) {
    tasks[t].name = "task-" + std::to_string(t);
    tasks[t].weight = 1 + t % 3;
    tasks[t].contenders.resize(miners);
    for (int m = 0; m < miners; ++m) {
      ContenderRecord& c = tasks[t].contenders[m];
      c.uid = static_cast<std::uint16_t>(m);
      c.capacity = 1000 + 119000 * unit(rng);
      const double miner_speed = 20 + 200 * unit(rng);
      c.checked_answers.resize(kAnswersPerContender);
      for (auto& a : c.checked_answers) {
        const double roll = unit(rng);
        a.quality = roll < 0.01 ? -10 : roll < 0.05 ? 0 : 0.8 + 0.2 * unit(rng);
        a.work = 50 + 450 * unit(rng);
        a.response_time_s = a.work / (miner_speed * (0.5 + unit(rng)));
      }
      c.periods_newest_first.resize(kPeriodsPerContender);
      for (auto& p : c.periods_newest_first) p = ScoredPeriod{0.6 + 0.4 * unit(rng), 100 + 5000 * unit(rng)};
    }
  }
  return tasks;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 9;
  std::printf("weights for M miners x %d tasks x %d checked answers (+%d periods each); %d repeats\n", kTasks,
              kAnswersPerContender, kPeriodsPerContender, repeats);
  std::printf("%8s %12s %10s %10s %14s %10s\n", "miners", "answers", "min ms", "median ms", "ns / answer",
              "chain uids");
  std::mt19937_64 rng(19);
  for (int miners : {256, 512, 1024, 2048}) {
    const auto tasks = make_tasks(miners, rng);
    std::vector<double> times;
    std::size_t submitted = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto start = std::chrono::steady_clock::now();
      const auto result = nineteen::scoring::compute_weights(tasks);
      const auto chain = nineteen::scoring::to_chain_weights(result.miners);
      const auto stop = std::chrono::steady_clock::now();
      times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
      submitted = chain.uids.size();
    }
    std::sort(times.begin(), times.end());
    const double answers = double(miners) * kTasks * kAnswersPerContender;
    const double median = times[times.size() / 2];
    std::printf("%8d %12.0f %10.2f %10.2f %14.2f %10zu\n", miners, answers, times.front(), median,
                median * 1e6 / answers, submitted);
  }
  return 0;
}
