// MECHANISM.md §9: which contenders an organic request tries, in what order (rule in the header).
#include "nineteen/scoring/organic_routing.hpp"

#include <algorithm>
#include <cmath>

#include "unit_draw.hpp"

namespace nineteen::scoring {

namespace {

bool eligible(const RoutingContender& c, const OrganicRoutingSettings& settings) {
  return c.healthy && c.recent_failures <= settings.max_recent_failures && !c.answering_429 &&
         c.capacity_left > 0 && (std::isfinite(c.recent_quality) ? c.recent_quality : 0.0) >= settings.min_quality;
}

double non_negative(double x) {
  return std::isfinite(x) && x > 0 ? x : 0.0;
}

struct Entry {
  std::size_t index;
  double merit;
  std::uint32_t in_flight;
};

struct Keyed {
  std::size_t index;
  double key;     // log(u)/w: ordering by it is ordering by u^(1/w), without underflow for small w
  double spread;  // breaks ties among zero-weight entries uniformly
};

}  // namespace

std::vector<std::size_t> organic_try_order(const std::vector<RoutingContender>& contenders,
                                           const OrganicRoutingSettings& settings, std::mt19937_64& rng) {
  std::vector<Entry> entries;
  entries.reserve(contenders.size());
  for (std::size_t i = 0; i < contenders.size(); ++i)
    if (eligible(contenders[i], settings))
      entries.push_back(
          {i, non_negative(contenders[i].recent_quality) * non_negative(contenders[i].period_score),
           contenders[i].in_flight});
  if (entries.empty()) return {};

  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.merit != b.merit) return a.merit > b.merit;
    return a.in_flight < b.in_flight;
  });

  const double share = std::isfinite(settings.best_share) ? std::clamp(settings.best_share, 0.0, 1.0) : 0.0;
  const auto wanted = static_cast<std::size_t>(std::ceil(share * static_cast<double>(entries.size())));
  const std::size_t first_tier = std::clamp<std::size_t>(wanted, 1, entries.size());

  std::vector<Keyed> keyed;
  keyed.reserve(first_tier);
  for (std::size_t k = 0; k < first_tier; ++k) {
    const double weight = entries[k].merit / (1.0 + static_cast<double>(entries[k].in_flight));
    const double u = 1.0 - detail::unit_draw(rng);  // (0, 1]: log stays finite
    const double key = weight > 0 ? std::log(u) / weight : -INFINITY;
    keyed.push_back({entries[k].index, key, detail::unit_draw(rng)});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.key != b.key) return a.key > b.key;
    return a.spread > b.spread;
  });

  std::vector<std::size_t> order;
  order.reserve(entries.size());
  for (const auto& k : keyed) order.push_back(k.index);
  for (std::size_t k = first_tier; k < entries.size(); ++k) order.push_back(entries[k].index);
  if (settings.max_attempts > 0 && order.size() > settings.max_attempts) order.resize(settings.max_attempts);
  return order;
}

}  // namespace nineteen::scoring
