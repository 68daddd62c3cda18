// MECHANISM.md §4: counting one request's outcome.
#include "nineteen/scoring/outcome_counts.hpp"

#include <cmath>

namespace nineteen::scoring {

void OutcomeCounts::record(Outcome outcome, double work) {
  total += 1;
  switch (outcome) {
    case Outcome::success:
      if (std::isfinite(work) && work > 0) consumed += work;
      break;
    case Outcome::rate_limited:
      rate_limited += 1;
      break;
    case Outcome::failed:
      failed += 1;
      break;
  }
}

}  // namespace nineteen::scoring
