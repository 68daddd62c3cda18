// MECHANISM.md §3: per-contender synthetic request count and send times (random by default, or even).
#include "nineteen/scoring/synthetic_schedule.hpp"

#include <algorithm>
#include <cmath>

#include "unit_draw.hpp"

namespace nineteen::scoring {

std::size_t synthetic_request_count(double capacity_to_score, double volume_per_request,
                                    const SyntheticScheduleSettings& settings) {
  if (!(capacity_to_score > 0) || !std::isfinite(capacity_to_score) || !(volume_per_request > 0) ||
      !std::isfinite(volume_per_request))
    return 0;
  const double count = std::floor(capacity_to_score / volume_per_request);
  // Compare as doubles before converting: a huge quotient must not overflow size_t.
  if (count >= static_cast<double>(settings.max_requests_per_contender))
    return settings.max_requests_per_contender;
  return static_cast<std::size_t>(count);
}

std::vector<double> synthetic_send_offsets(std::size_t count, double period_seconds, std::mt19937_64& rng,
                                           SyntheticScheduleSettings::Spacing spacing) {
  std::vector<double> offsets;
  if (count == 0 || !(period_seconds > 0) || !std::isfinite(period_seconds)) return offsets;
  const double last = std::nextafter(period_seconds, 0.0);
  if (spacing == SyntheticScheduleSettings::Spacing::random) {
    offsets.reserve(count);
    for (std::size_t i = 0; i < count; ++i) offsets.push_back(std::min(detail::unit_draw(rng) * period_seconds, last));
    std::sort(offsets.begin(), offsets.end());
    return offsets;
  }
  const double gap = period_seconds / static_cast<double>(count);
  const double phase = detail::unit_draw(rng) * gap;
  offsets.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // Floating error could put the last one at exactly period_seconds; keep it inside the period.
    const double at = phase + gap * static_cast<double>(i);
    offsets.push_back(std::min(at, last));
  }
  return offsets;
}

std::vector<double> plan_synthetic_requests(double capacity_to_score, double volume_per_request,
                                            const SyntheticScheduleSettings& settings, std::mt19937_64& rng) {
  return synthetic_send_offsets(synthetic_request_count(capacity_to_score, volume_per_request, settings),
                                settings.period_seconds, rng, settings.spacing);
}

bool replace_pending_synthetic(std::vector<double>& pending_offsets) {
  if (pending_offsets.empty()) return false;
  pending_offsets.erase(std::min_element(pending_offsets.begin(), pending_offsets.end()));
  return true;
}

}  // namespace nineteen::scoring
