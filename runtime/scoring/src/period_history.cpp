// MECHANISM.md §7 (history): volume- and recency-weighted mean of a miner's period scores.
#include "nineteen/scoring/period_history.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {

PeriodHistory period_history_score(const std::vector<ScoredPeriod>& newest_first,
                                   const PeriodHistorySettings& settings) {
  double weighted_scores = 0;
  double weights = 0;
  double recency = 1;  // decay^i
  std::size_t scored = 0;
  for (const auto& period : newest_first) {
    if (!std::isfinite(period.score) || !std::isfinite(period.volume)) continue;
    const double weight = std::max(period.volume, 0.0) * recency;
    weighted_scores += std::clamp(period.score, 0.0, 1.0) * weight;
    weights += weight;
    recency *= settings.decay;
    ++scored;
  }
  if (!(weights > 0) || !std::isfinite(weights)) return {0, scored};
  const double established = scored > settings.established_after ? 1.0 : settings.new_miner_factor;
  const double score = established * weighted_scores / weights;
  return {std::isfinite(score) ? score : 0.0, scored};
}

}  // namespace nineteen::scoring
