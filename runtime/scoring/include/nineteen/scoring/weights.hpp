// MECHANISM.md §7 (total): task scores combined by task weight into one weight per miner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nineteen/scoring/task_scores.hpp"

namespace nineteen::scoring {

// One enabled task (the caller leaves disabled tasks out).
struct TaskInput {
  std::string name;
  double weight = 0;  // share of incentive before normalisation; negative or non-finite counts as 0
  std::vector<ContenderRecord> contenders;
};

struct TaskBreakdown {
  std::string name;
  double weight = 0;  // w_t, normalised over the tasks given
  std::vector<ContenderBreakdown> contenders;
};

struct MinerWeight {
  std::uint16_t uid = 0;
  double total_score = 0;  // S_h = Σ_t w_t · s_{h,t}
  double weight = 0;       // W_h = S_h / Σ S; all 0 when Σ S is 0
};

struct WeightsResult {
  std::vector<TaskBreakdown> tasks;  // same order as the input
  std::vector<MinerWeight> miners;   // every uid seen in any task, ascending uid
};

WeightsResult compute_weights(const std::vector<TaskInput>& tasks, const TaskScoreSettings& settings = {});

}  // namespace nineteen::scoring
