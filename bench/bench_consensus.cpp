// Issue 18, item 5: the mechanism at network scale. Times one Yuma epoch (the chain's consensus) and
// one validator's weight computation as the network grows to 4096 miners × 64 validators × 20 tasks,
// and prints time per cell so that linear growth reads as a flat column.
//
//   bench_consensus [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "nineteen/chain/yuma_consensus.hpp"
#include "nineteen/scoring/weights.hpp"
#include "bench_machine.hpp"

namespace {

template <typename F>
double median_ms(int repeats, F&& run) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Validators first (uids 0..V-1, stake), then miners; every validator weights every miner, with
// the noise of independent measurements around a shared truth, and holds last epoch's bonds.
nineteen::chain::YumaInput network(int miners, int validators, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  const int n = miners + validators;
  nineteen::chain::YumaInput in;
  in.stake.assign(n, 0);
  in.validator_permit.assign(n, false);
  in.weights.assign(n, {});
  in.bonds.assign(n, {});
  std::vector<double> truth(miners);
  for (double& t : truth) t = unit(rng);
  for (int v = 0; v < validators; ++v) {
    in.stake[v] = 1 + 1000 * unit(rng);
    in.validator_permit[v] = true;
    in.weights[v].assign(n, 0);
    in.bonds[v].assign(n, 0);
    for (int m = 0; m < miners; ++m) {
      in.weights[v][validators + m] = std::round(65535 * std::clamp(truth[m] * (0.9 + 0.2 * unit(rng)), 0.0, 1.0));
      in.bonds[v][validators + m] = unit(rng);
    }
  }
  return in;
}

std::vector<nineteen::scoring::TaskInput> tasks_for(int miners, int tasks, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<nineteen::scoring::TaskInput> out(tasks);
  for (int t = 0; t < tasks; ++t) {
    out[t].name = "task-" + std::to_string(t);
    out[t].weight = 1;
    out[t].contenders.resize(miners);
    for (int m = 0; m < miners; ++m) {
      auto& c = out[t].contenders[m];
      c.uid = static_cast<std::uint16_t>(m);
      c.capacity = 1000 + 10000 * unit(rng);
      c.checked_answers.resize(20);  // a validator's checks of one miner in one task over 72 h
      for (auto& a : c.checked_answers) a = {0.8 + 0.2 * unit(rng), 100, 0.5 + unit(rng)};
      c.periods_newest_first.assign(24, {0.7 + 0.3 * unit(rng), 100});
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf("CPU: %s; one thread; double precision, validator rows × uids (dense)\n", bench::cpu_model().c_str());
  std::printf("Yuma epoch (consensus, clipping, incentive, bonds, dividends); %d repeats, median\n", repeats);
  std::printf("%8s %11s %10s %12s %14s\n", "miners", "validators", "ms", "ns / cell", "vs first row");
  std::mt19937_64 rng(18);
  double first = 0;
  // Miners grow at 64 validators, then validators grow at 4096 miners: each sweep should be flat per cell
  // (the consensus median adds a log(validators) factor, as Subtensor's does).
  for (auto [miners, validators] :
       {std::pair{512, 64}, {1024, 64}, {2048, 64}, {4096, 64}, {4096, 8}, {4096, 16}, {4096, 32}}) {
    const auto input = network(miners, validators, rng);
    const double ms = median_ms(repeats, [&] { (void)nineteen::chain::yuma_epoch(input); });
    const double per_cell = ms * 1e6 / (double(validators) * (miners + validators));
    if (first == 0 || (miners == 4096 && validators == 8)) first = per_cell;
    std::printf("%8d %11d %10.2f %12.2f %13.2fx\n", miners, validators, ms, per_cell, per_cell / first);
  }
  std::printf("\nweights of one validator (MECHANISM.md §7): M miners × 20 tasks × 20 checked answers, 24 periods\n");
  std::printf("%8s %8s %10s %14s %14s\n", "miners", "tasks", "ms", "ns / answer", "vs first row");
  first = 0;
  for (int miners : {512, 1024, 2048, 4096}) {
    const auto tasks = tasks_for(miners, 20, rng);
    const double ms = median_ms(repeats, [&] { (void)nineteen::scoring::compute_weights(tasks); });
    const double per_answer = ms * 1e6 / (double(miners) * 20 * 20);
    if (first == 0) first = per_answer;
    std::printf("%8d %8d %10.2f %14.2f %13.2fx\n", miners, 20, ms, per_answer, per_answer / first);
  }
  return 0;
}
