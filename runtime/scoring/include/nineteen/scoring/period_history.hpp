// MECHANISM.md §7 (history): a miner's period scores in a task folded into one number, P_h.
#pragma once

#include <cstddef>
#include <vector>

#include "nineteen/scoring/outcome_counts.hpp"

namespace nineteen::scoring {

// One scored period of a contender (periods with no score are left out by the caller).
struct ScoredPeriod {
  double score = 0;   // ps_i, from period_score
  double volume = 0;  // v_i: the consumed volume of that period
  // The share of the period's requests the miner refused (429) or failed while its declared volume
  // was unused: (n429 + n500)/T · u (unserved_share). 0 when every request was served.
  double unserved = 0;
};

// (n429 + n500)/T · u, with u = max(C − V, 0)/C and C = max(capacity, 1) as in period_score: the share
// of the period's requests the miner did not serve while it still had declared volume left. 0 when
// T = 0 or the input is not finite.
double unserved_share(const OutcomeCounts& counts, double capacity);

struct PeriodHistorySettings {
  double decay = 0.5;                 // weight of period i (newest = 0) is v_i · decay^i
  std::size_t established_after = 8;  // more scored periods than this: μ = 1
  double new_miner_factor = 0.25;     // μ for a miner with established_after periods or fewer
};

struct PeriodHistory {
  double score = 0;                // P_h, μ included
  std::size_t scored_periods = 0;  // periods that counted (decides μ)
  // 1 − the periods' unserved shares, weighted as P_h weighs their scores (no μ): the share of its
  // declared volume a miner showed it serves. 1 when the history is empty.
  double served_share = 1;
};

// P_h = μ · Σ ps_i·v_i·decay^i / Σ v_i·decay^i over `newest_first`. Example: scores 1.0, 0.5, 1.0 at
// equal volume → 0.857 before μ. Score 0 when the history is empty or carries no volume. Periods
// with a non-finite score or volume are skipped; scores are clamped to [0, 1] and volumes to ≥ 0.
PeriodHistory period_history_score(const std::vector<ScoredPeriod>& newest_first,
                                   const PeriodHistorySettings& settings = {});

}  // namespace nineteen::scoring
