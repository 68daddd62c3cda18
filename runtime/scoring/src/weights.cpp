// MECHANISM.md §7 (total): weighted sum of task scores, normalised into miner weights.
#include "nineteen/scoring/weights.hpp"

#include <cmath>

namespace nineteen::scoring {

WeightsResult compute_weights(const std::vector<TaskInput>& tasks, const TaskScoreSettings& settings) {
  WeightsResult result;
  result.tasks.reserve(tasks.size());

  double weight_sum = 0;
  for (const auto& task : tasks)
    if (std::isfinite(task.weight) && task.weight > 0) weight_sum += task.weight;

  // uids are u16, so a dense table is smaller and faster than a map at any realistic miner count.
  constexpr std::size_t uid_slots = 65536;
  std::vector<double> totals(uid_slots, 0.0);
  std::vector<bool> seen(uid_slots, false);

  for (const auto& task : tasks) {
    TaskBreakdown breakdown;
    breakdown.name = task.name;
    const bool counts =
        std::isfinite(task.weight) && task.weight > 0 && weight_sum > 0 && std::isfinite(weight_sum);
    breakdown.weight = counts ? task.weight / weight_sum : 0;
    breakdown.contenders = score_task(task.contenders, settings);
    for (const auto& contender : breakdown.contenders) {
      seen[contender.uid] = true;
      totals[contender.uid] += breakdown.weight * contender.task_score;
    }
    result.tasks.push_back(std::move(breakdown));
  }

  double grand_total = 0;
  for (std::size_t uid = 0; uid < uid_slots; ++uid)
    if (seen[uid]) {
      result.miners.push_back({static_cast<std::uint16_t>(uid), totals[uid], 0});
      grand_total += totals[uid];
    }
  if (grand_total > 0)
    for (auto& miner : result.miners) miner.weight = miner.total_score / grand_total;
  return result;
}

}  // namespace nineteen::scoring
