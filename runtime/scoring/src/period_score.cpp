// MECHANISM.md §5: the period score, ours and the reference network's.
#include "nineteen/scoring/period_score.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {

std::optional<double> period_score(const OutcomeCounts& counts, double capacity,
                                   const PeriodScoreSettings& settings) {
  if (counts.total == 0 || !(capacity > 0) || !std::isfinite(capacity)) return std::nullopt;

  const double total = static_cast<double>(counts.total);
  const double n429 = static_cast<double>(std::min(counts.rate_limited, counts.total));
  const double n500 = static_cast<double>(std::min(counts.failed, counts.total));
  const double consumed = std::isfinite(counts.consumed) ? std::max(counts.consumed, 0.0) : 0.0;
  const double c = std::max(capacity, 1.0);
  const double unqueried = std::max(c - consumed, 0.0) / c;

  const double good = settings.formula == PeriodScoreFormula::reference ? total - n429 - n500 : total - n500;
  const double score = (good / total) * (1 - (n429 / total) * unqueried) * (1 - (n500 / total) * unqueried);
  return std::clamp(score, 0.0, 1.0);
}

}  // namespace nineteen::scoring
