// MECHANISM.md §7 (speed): per-answer speed, a miner's speed percentile, and its rank bonus in a task.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace nineteen::scoring {

// How m_h becomes a bonus.
enum class SpeedBonusRule {
  // MECHANISM.md §7 as written: rank among the task's miners, bonus = scale·(0.5 − rank/(N − 1)).
  // Two miners a hair apart get ±scale/2, so among near-identical latencies noise becomes weight
  // (issue 18: identical honest miners got 17 % and 23 %).
  rank,
  // Ours (the default): the bonus follows the measured speed against the task's median m_h, in
  // octaves (log2), after taking off the miner's own uncertainty (the confidence interval of its
  // percentile) and a dead band. Equal miners get 0; one at half the speed gets a clear minus.
  measured,
};

struct SpeedBonusSettings {
  double percentile = 0.30;  // m_h is this percentile (as a fraction) of the miner's answer speeds
  double bonus_scale = 0.5;  // the bonus stays within ±scale/2
  SpeedBonusRule rule = SpeedBonusRule::measured;
  // measured: |log2(m_h / median)| up to (the miner's interval half-width + this) earns nothing.
  double dead_band_octaves = 0.2;  // 0.2 octave ≈ 15 %
  double octaves_for_full_bonus = 1.0;  // beyond the band, this many octaves reach ±scale/2
  double confidence_z = 1.96;           // the interval around m_h: about 95 %
  std::size_t min_answers = 5;          // fewer checked answers: too little evidence, bonus 0
};

// m_h with the distribution-free confidence interval of a percentile: the order statistics at ranks
// (n−1)·p ∓ z·sqrt(n·p·(1−p)), clamped to the sample (so few answers give a wide interval).
struct SpeedEstimate {
  double speed = 0;  // m_h
  double low = 0;
  double high = 0;
  std::size_t answers = 0;
};

// Like speed_percentile (reorders the values, NaN counts as 0), plus the interval.
SpeedEstimate speed_estimate(double* values, std::size_t count, double fraction, double confidence_z);

// work / response_time. An answer without a measurable time (≤ 0 or not finite) or with negative or
// non-finite work earns no speed credit: 0, never infinity. Inline: it runs once per checked answer.
inline double answer_speed(double work, double response_time_s) {
  if (!(response_time_s > 0) || !std::isfinite(response_time_s) || !(work >= 0) || !std::isfinite(work))
    return 0;
  const double speed = work / response_time_s;
  return std::isfinite(speed) ? speed : 0;  // a subnormal time could still overflow
}

// The `fraction` percentile of values[0..count), by linear interpolation between the closest ranks:
// position h = (count − 1)·fraction in ascending order, result = v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋])
// (numpy.percentile's default, SQL PERCENTILE_CONT, Hyndman–Fan type 7). Reorders the values
// (quickselect, linear time, no allocation); NaN values count as 0. 0 when count is 0; fraction is
// clamped to [0, 1].
double speed_percentile(double* values, std::size_t count, double fraction);

struct SpeedRank {
  double rank = 0;   // 0 = fastest; tied miners share the mean of the ranks they span
  double bonus = 0;  // scale · (0.5 − rank/(N − 1)); 0 when N ≤ 1
};

// Ranks the miners' m_h descending and gives each its bonus by the rank rule (whatever
// settings.rule says); result[i] belongs to speeds[i]. Averaging tied ranks keeps equal speeds at
// equal bonus and the bonuses summing to 0.
std::vector<SpeedRank> speed_ranks(const std::vector<double>& speeds,
                                   const SpeedBonusSettings& settings = {});

// The rank of each miner (shown either way) and its bonus by settings.rule.
std::vector<SpeedRank> speed_bonuses(const std::vector<SpeedEstimate>& estimates,
                                     const SpeedBonusSettings& settings = {});

}  // namespace nineteen::scoring
