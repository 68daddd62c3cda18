// MECHANISM.md §2: a contender's capacity, and how much of it is tested synthetically this period.
#pragma once

#include <random>
#include <vector>

namespace nineteen::scoring {

// One value of m (the share of capacity tested this period) and how often it is drawn.
struct ScoredShareChoice {
  double share = 0;
  double probability = 0;
};

struct CapacityDrawSettings {
  // The distribution of m (mean ≈ 0.0674). Probabilities are used relative to their sum, so an
  // override need not add up to exactly 1; entries with a negative or non-finite field are ignored.
  std::vector<ScoredShareChoice> scored_shares = {{0.04, 0.5}, {0.08, 0.4}, {0.12, 0.095}, {0.8, 0.005}};
  // M: a validator-wide multiplier on every contender's tested volume.
  double synthetic_multiplier = 1.0;
};

// clamp(declared, 0, max_capacity). A non-finite or negative declaration, or a max_capacity that is
// not > 0, gives 0: a miner cannot get capacity by sending garbage.
double clamp_capacity(double declared, double max_capacity);

// Draws m for one contender for one period. Returns 0 when the settings hold no usable choice.
double draw_scored_share(const CapacityDrawSettings& settings, std::mt19937_64& rng);

// capacity · m · M; 0 for any negative or non-finite factor.
double capacity_to_score(double capacity, double scored_share, double synthetic_multiplier);

// The two steps above for one contender: draws m and returns capacity · m · M.
double draw_capacity_to_score(double capacity, const CapacityDrawSettings& settings, std::mt19937_64& rng);

}  // namespace nineteen::scoring
