// MECHANISM.md §7 (speed): answer speed, the percentile of a miner's speeds, rank bonus.
#include "nineteen/scoring/speed_bonus.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace nineteen::scoring {

namespace {

// Puts the k-th smallest of v[0..n) at v[k], smaller ones before it, larger ones after.
// Quickselect with a branchless Lomuto partition: the comparison feeds an add instead of a branch,
// about twice as fast as std::nth_element on the ~200 speeds of one miner. After a few more rounds than
// a good pivot sequence needs (adversarial input) it hands the rest to std::nth_element (introselect),
// so the worst case stays O(n log n).
void select_kth(double* v, std::size_t n, std::size_t k) {
  std::size_t lo = 0;
  std::size_t hi = n;
  int rounds_left = 8;
  for (std::size_t m = n; m > 1; m >>= 1) rounds_left += 2;
  while (hi - lo > 24) {
    if (rounds_left-- == 0) {
      std::nth_element(v + lo, v + k, v + hi);
      return;
    }
    const std::size_t mid = lo + (hi - lo) / 2;
    const double a = v[lo], b = v[mid], c = v[hi - 1];
    const std::size_t median =
        a < b ? (b < c ? mid : (a < c ? hi - 1 : lo)) : (a < c ? lo : (b < c ? hi - 1 : mid));
    std::swap(v[median], v[hi - 1]);
    const double pivot = v[hi - 1];
    std::size_t store = lo;
    for (std::size_t i = lo; i + 1 < hi; ++i) {
      const double x = v[i];
      v[i] = v[store];
      v[store] = x;
      store += x < pivot;
    }
    std::swap(v[store], v[hi - 1]);
    if (k == store) return;
    if (k < store)
      hi = store;
    else
      lo = store + 1;
  }
  for (std::size_t i = lo + 1; i < hi; ++i) {
    const double x = v[i];
    std::size_t j = i;
    for (; j > lo && v[j - 1] > x; --j) v[j] = v[j - 1];
    v[j] = x;
  }
}

}  // namespace

double speed_percentile(double* values, std::size_t count, double fraction) {
  return speed_estimate(values, count, fraction, 0).speed;
}

SpeedEstimate speed_estimate(double* values, std::size_t count, double fraction, double confidence_z) {
  SpeedEstimate out;
  out.answers = count;
  if (count == 0) return out;
  for (std::size_t i = 0; i < count; ++i)
    if (std::isnan(values[i])) values[i] = 0;  // NaN has no place in an order
  const double f = std::isfinite(fraction) ? std::clamp(fraction, 0.0, 1.0) : 0.0;
  const double position = static_cast<double>(count - 1) * f;
  const auto below = std::min(static_cast<std::size_t>(position), count - 1);
  const double between = position - static_cast<double>(below);

  select_kth(values, count, below);
  const double at_below = values[below];
  out.speed = at_below;
  if (between != 0 && below + 1 < count) {
    // Everything past `below` is ≥ at_below, so the next order statistic is their minimum.
    double next = values[below + 1];
    for (std::size_t i = below + 2; i < count; ++i) next = std::min(next, values[i]);
    out.speed = at_below + between * (next - at_below);
  }
  out.low = out.high = out.speed;
  if (!(confidence_z > 0)) return out;
  const double n = static_cast<double>(count);
  const double half = confidence_z * std::sqrt(n * f * (1 - f));
  const double last = n - 1;
  const auto low_rank = static_cast<std::size_t>(std::clamp(std::floor(position - half), 0.0, last));
  const auto high_rank = static_cast<std::size_t>(std::clamp(std::ceil(position + half), 0.0, last));
  // Each selection keeps the earlier ones' order statistics where they were only if it works on
  // the side it belongs to: the low rank is below `below`, the high rank above it.
  select_kth(values, below + 1, low_rank);
  out.low = values[low_rank];
  select_kth(values + below, count - below, high_rank - below);
  out.high = values[high_rank];
  return out;
}

std::vector<SpeedRank> speed_ranks(const std::vector<double>& speeds, const SpeedBonusSettings& settings) {
  const std::size_t n = speeds.size();
  std::vector<SpeedRank> ranks(n);
  if (n == 0) return ranks;

  // NaN would break the ordering; it ranks as the slowest possible speed.
  auto key = [&](std::size_t i) { return std::isnan(speeds[i]) ? -INFINITY : speeds[i]; };
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });

  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && key(order[end]) == key(order[start])) ++end;
    const double shared_rank = (static_cast<double>(start) + static_cast<double>(end - 1)) / 2;
    const double bonus =
        n <= 1 ? 0.0 : settings.bonus_scale * (0.5 - shared_rank / static_cast<double>(n - 1));
    for (std::size_t k = start; k < end; ++k) ranks[order[k]] = {shared_rank, bonus};
    start = end;
  }
  return ranks;
}

std::vector<SpeedRank> speed_bonuses(const std::vector<SpeedEstimate>& estimates, const SpeedBonusSettings& settings) {
  std::vector<double> speeds(estimates.size());
  for (std::size_t i = 0; i < estimates.size(); ++i) speeds[i] = estimates[i].speed;
  std::vector<SpeedRank> ranks = speed_ranks(speeds, settings);
  if (settings.rule == SpeedBonusRule::rank) return ranks;

  for (auto& r : ranks) r.bonus = 0;
  if (estimates.size() <= 1) return ranks;
  // The task's typical speed: the median m_h (NaN and negative count as 0, as in the percentile).
  for (double& s : speeds)
    if (!(s > 0) || !std::isfinite(s)) s = 0;
  std::vector<double> sorted = speeds;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t mid = sorted.size() / 2;
  const double median = sorted.size() % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  if (!(median > 0) || !std::isfinite(median)) return ranks;  // nothing measurable to compare with

  const double full = settings.octaves_for_full_bonus > 0 ? settings.octaves_for_full_bonus : 1;
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    const SpeedEstimate& e = estimates[i];
    if (e.answers < settings.min_answers) continue;  // too little evidence either way
    double excess = 0;  // octaves beyond what uncertainty and the dead band explain; signed
    if (!(speeds[i] > 0)) {
      excess = -INFINITY;  // no answer with a measurable speed at the percentile: the slowest there is
    } else {
      const double octaves = std::log2(speeds[i] / median);
      // A low end of 0 (some answers without a measurable speed) leaves the interval unbounded.
      const double uncertainty =
          e.low > 0 && std::isfinite(e.high) ? (std::log2(e.high) - std::log2(e.low)) / 2 : INFINITY;
      const double beyond = std::fabs(octaves) - uncertainty - settings.dead_band_octaves;
      if (beyond > 0) excess = octaves > 0 ? beyond : -beyond;
    }
    ranks[i].bonus = settings.bonus_scale / 2 * std::clamp(excess / full, -1.0, 1.0);
  }
  return ranks;
}

}  // namespace nineteen::scoring
