// MECHANISM.md §7 (per task): quality, speed bonus, history, effective volume, task score.
#include "nineteen/scoring/task_scores.hpp"

#include <algorithm>
#include <cmath>

namespace nineteen::scoring {

namespace {

// sign(q)·|q|^exponent, with the default 1.5 done as |q|·sqrt|q| (pow dominates the cost otherwise).
double signed_power(double q, double exponent) {
  const double magnitude = std::fabs(q);
  const double powered = exponent == 1.5 ? magnitude * std::sqrt(magnitude) : std::pow(magnitude, exponent);
  return q < 0 ? -powered : powered;
}

double power(double x, double exponent) {
  return exponent == 3.0 ? x * x * x : std::pow(x, exponent);
}

// Q_h and m_h of one contender; `speeds` is scratch space reused across contenders.
void measure_answers(const ContenderRecord& contender, const TaskScoreSettings& settings,
                     std::vector<double>& speeds, ContenderBreakdown& out) {
  speeds.resize(contender.checked_answers.size());  // capacity is reserved: no allocation here
  std::size_t checked = 0;
  double quality_sum = 0;
  for (const auto& answer : contender.checked_answers) {
    if (!std::isfinite(answer.quality)) continue;  // the checker gave no verdict: not a checked answer
    quality_sum += signed_power(answer.quality, settings.quality_exponent);
    speeds[checked++] = answer_speed(answer.work, answer.response_time_s);
  }
  out.checked_answers = checked;
  if (checked == 0) return;
  const double quality = quality_sum / static_cast<double>(checked);
  out.quality = std::isfinite(quality) ? quality : 0;
  out.speed_estimate = speed_estimate(speeds.data(), checked, settings.speed.percentile, settings.speed.confidence_z);
  out.speed = out.speed_estimate.speed;
}

}  // namespace

std::vector<ContenderBreakdown> score_task(const std::vector<ContenderRecord>& contenders,
                                           const TaskScoreSettings& settings) {
  const std::size_t n = contenders.size();
  std::vector<ContenderBreakdown> result(n);

  std::size_t most_answers = 0;
  for (const auto& c : contenders) most_answers = std::max(most_answers, c.checked_answers.size());
  std::vector<double> speeds;
  speeds.reserve(most_answers);

  std::vector<std::size_t> ranked;  // contenders with checked answers: only they are ranked by speed
  std::vector<SpeedEstimate> ranked_speeds;
  ranked.reserve(n);
  ranked_speeds.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& out = result[i];
    out.uid = contenders[i].uid;
    const double capacity = contenders[i].capacity;
    out.capacity = std::isfinite(capacity) && capacity > 0 ? capacity : 0;
    measure_answers(contenders[i], settings, speeds, out);
    if (out.checked_answers > 0) {
      ranked.push_back(i);
      ranked_speeds.push_back(out.speed_estimate);
    }
  }

  const std::vector<SpeedRank> ranks = speed_bonuses(ranked_speeds, settings.speed);
  double largest = 0;
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    auto& out = result[ranked[k]];
    const auto& contender = contenders[ranked[k]];
    out.speed_rank = ranks[k].rank;
    out.speed_bonus = ranks[k].bonus;
    if (contender.refused_below_capacity && out.speed_bonus > 0) {
      out.speed_bonus = 0;
      out.speed_bonus_withheld = true;
    }
    out.combined_quality = std::max(out.quality, 0.0) * std::max(1 + out.speed_bonus, 0.0);
    const PeriodHistory history = period_history_score(contender.periods_newest_first, settings.history);
    out.scored_periods = history.scored_periods;
    out.period_history = history.score;
    out.served_share = settings.credit_served_share ? history.served_share : 1.0;
    const double effective = out.combined_quality * out.period_history * out.capacity * out.served_share;
    out.effective_volume = std::isfinite(effective) ? effective : 0;
    largest = std::max(largest, out.effective_volume);
  }

  // Scale by the largest E before powering: same ratios, and no overflow to infinity for huge volumes.
  if (!(largest > 0)) return result;
  double total = 0;
  for (std::size_t i : ranked) {
    result[i].task_score = power(result[i].effective_volume / largest, settings.concentration_exponent);
    total += result[i].task_score;
  }
  for (std::size_t i : ranked) result[i].task_score = total > 0 ? result[i].task_score / total : 0;
  return result;
}

}  // namespace nineteen::scoring
