// MECHANISM.md §2: capacity clamp and the per-period draw of the tested share m.
#include "nineteen/scoring/capacity_draw.hpp"

#include <algorithm>
#include <cmath>

#include "unit_draw.hpp"

namespace nineteen::scoring {

namespace {
bool usable(const ScoredShareChoice& c) {
  return std::isfinite(c.share) && c.share >= 0 && std::isfinite(c.probability) && c.probability > 0;
}
}  // namespace

double clamp_capacity(double declared, double max_capacity) {
  if (std::isnan(declared) || !(max_capacity > 0)) return 0;
  return std::clamp(declared, 0.0, max_capacity);
}

double draw_scored_share(const CapacityDrawSettings& settings, std::mt19937_64& rng) {
  double total = 0;
  for (const auto& choice : settings.scored_shares)
    if (usable(choice)) total += choice.probability;
  if (!(total > 0) || !std::isfinite(total)) return 0;

  const double target = detail::unit_draw(rng) * total;
  double cumulative = 0;
  double last_usable = 0;
  for (const auto& choice : settings.scored_shares) {
    if (!usable(choice)) continue;
    cumulative += choice.probability;
    last_usable = choice.share;
    if (target < cumulative) return choice.share;
  }
  return last_usable;  // rounding left target just above the final cumulative sum
}

double capacity_to_score(double capacity, double scored_share, double synthetic_multiplier) {
  const double product = capacity * scored_share * synthetic_multiplier;
  if (!(capacity >= 0) || !(scored_share >= 0) || !(synthetic_multiplier >= 0) || !std::isfinite(product))
    return 0;
  return product;
}

double draw_capacity_to_score(double capacity, const CapacityDrawSettings& settings, std::mt19937_64& rng) {
  return capacity_to_score(capacity, draw_scored_share(settings, rng), settings.synthetic_multiplier);
}

}  // namespace nineteen::scoring
