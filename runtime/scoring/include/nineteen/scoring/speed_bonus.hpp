// MECHANISM.md §7 (speed): per-answer speed, a miner's speed percentile, and its rank bonus in a task.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace nineteen::scoring {

struct SpeedBonusSettings {
  double percentile = 0.30;  // m_h is this percentile (as a fraction) of the miner's answer speeds
  double bonus_scale = 0.5;  // bonus = scale · (0.5 − rank/(N − 1)), so ±scale/2
};

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

// Ranks the miners' m_h descending and gives each its bonus; result[i] belongs to speeds[i].
// Averaging tied ranks keeps equal speeds at equal bonus and the bonuses summing to 0.
std::vector<SpeedRank> speed_ranks(const std::vector<double>& speeds,
                                   const SpeedBonusSettings& settings = {});

}  // namespace nineteen::scoring
