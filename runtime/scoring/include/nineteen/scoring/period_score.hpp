// MECHANISM.md §5: one contender's score for one period, from its outcome counts and capacity.
#pragma once

#include <optional>

#include "nineteen/scoring/outcome_counts.hpp"

namespace nineteen::scoring {

enum class PeriodScoreFormula {
  // g = (T − n500)/T: a 429 costs nothing when the declared volume was used (u = 0) and never more
  // than a failure, as the network promises miners.
  ours,
  // g = (T − n429 − n500)/T: the reference network's formula, which penalises a 429 like a 500.
  reference,
};

struct PeriodScoreSettings {
  PeriodScoreFormula formula = PeriodScoreFormula::ours;
};

// With T = total, C = max(capacity, 1), V = consumed, u = max(C − V, 0)/C:
//   score = max(0, g · (1 − (n429/T)·u) · (1 − (n500/T)·u)), in [0, 1].
// No score (std::nullopt, which is not 0) when T = 0 or capacity is 0, negative or not finite.
// Counts larger than T (corrupt input) are clamped to T.
std::optional<double> period_score(const OutcomeCounts& counts, double capacity,
                                   const PeriodScoreSettings& settings = {});

}  // namespace nineteen::scoring
