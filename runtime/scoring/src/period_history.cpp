// MECHANISM.md §7 (history): volume- and recency-weighted mean of a miner's period scores.
#include "nineteen/scoring/period_history.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {

double unserved_share(const OutcomeCounts& counts, double capacity) {
  if (counts.total == 0 || !std::isfinite(capacity) || !std::isfinite(counts.consumed)) return 0;
  const double total = static_cast<double>(counts.total);
  const double unserved = std::min(static_cast<double>(counts.rate_limited) + static_cast<double>(counts.failed), total);
  const double c = std::max(capacity, 1.0);
  const double unused = std::max(c - std::max(counts.consumed, 0.0), 0.0) / c;
  return std::clamp(unserved / total * unused, 0.0, 1.0);
}

PeriodHistory period_history_score(const std::vector<ScoredPeriod>& newest_first,
                                   const PeriodHistorySettings& settings) {
  double weighted_scores = 0;
  double weighted_unserved = 0;
  double weights = 0;
  double recency = 1;  // decay^i
  std::size_t scored = 0;
  for (const auto& period : newest_first) {
    if (!std::isfinite(period.score) || !std::isfinite(period.volume)) continue;
    const double weight = std::max(period.volume, 0.0) * recency;
    weighted_scores += std::clamp(period.score, 0.0, 1.0) * weight;
    if (std::isfinite(period.unserved)) weighted_unserved += std::clamp(period.unserved, 0.0, 1.0) * weight;
    weights += weight;
    recency *= settings.decay;
    ++scored;
  }
  if (!(weights > 0) || !std::isfinite(weights)) return {0, scored, 1};
  const double established = scored > settings.established_after ? 1.0 : settings.new_miner_factor;
  const double score = established * weighted_scores / weights;
  const double served = 1 - weighted_unserved / weights;
  return {std::isfinite(score) ? score : 0.0, scored, std::isfinite(served) ? std::clamp(served, 0.0, 1.0) : 1.0};
}

}  // namespace nineteen::scoring
