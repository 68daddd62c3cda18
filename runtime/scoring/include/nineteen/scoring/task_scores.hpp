// MECHANISM.md §7 (per task): from contenders' checked answers and period history to task scores,
// with every intermediate figure kept so the validator can store why a miner got what it got.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nineteen/scoring/period_history.hpp"
#include "nineteen/scoring/speed_bonus.hpp"

namespace nineteen::scoring {

// One answer the checker scored (this task's only, from the scoring window).
struct CheckedAnswer {
  double quality = 0;          // q from the checker; negative is a penalty
  double work = 0;             // the answer's work, in the task's unit
  double response_time_s = 0;  // how long the miner took
};

// What the validator knows about one miner in one task. uids are expected to be unique in a task.
struct ContenderRecord {
  std::uint16_t uid = 0;
  double capacity = 0;  // the clamped declared capacity (clamp_capacity)
  std::vector<CheckedAnswer> checked_answers;
  std::vector<ScoredPeriod> periods_newest_first;
  // It answered 429 ("full") in the last period while its declared volume was not used up (u > 0). Its
  // answers' speed was then measured at a load it turned away, so it gets no positive speed bonus
  // ([ours]; README "Organic load and the full miner"). A negative bonus still applies.
  bool refused_below_capacity = false;
};

struct TaskScoreSettings {
  double quality_exponent = 1.5;        // Q_h = mean(sign(q)·|q|^this)
  double concentration_exponent = 3.0;  // s_h = E_h^this / Σ E^this
  // [ours] E_h counts the declared capacity times the share of it the miner showed it serves
  // (PeriodHistory::served_share): a miner that declares volume and then refuses (429) or fails
  // requests while that volume is unused is paid for the volume it serves, not the volume it claims.
  // false: the reference's E_h = CQ_h · P_h · capacity.
  bool credit_served_share = true;
  SpeedBonusSettings speed;
  PeriodHistorySettings history;
};

// Every figure behind one miner's score in one task.
struct ContenderBreakdown {
  std::uint16_t uid = 0;
  std::size_t checked_answers = 0;  // answers with a finite quality; 0 means the miner scores 0 here
  double quality = 0;               // Q_h
  double speed = 0;                 // m_h: the percentile of work/response_time
  SpeedEstimate speed_estimate;     // m_h with its confidence interval
  double speed_rank = -1;           // 0 = fastest; −1 when not ranked (no checked answers)
  double speed_bonus = 0;
  bool speed_bonus_withheld = false;  // a positive bonus set to 0: refused_below_capacity
  double combined_quality = 0;     // CQ_h = max(Q_h, 0)·(1 + bonus)
  std::size_t scored_periods = 0;  // periods used for P_h
  double period_history = 0;       // P_h, μ included
  double served_share = 1;         // the share of its declared volume it served (credit_served_share)
  double capacity = 0;
  double effective_volume = 0;  // E_h = CQ_h · P_h · capacity · served_share
  double task_score = 0;        // s_h = E_h³ / Σ E³; all 0 when every E is 0
};

// Scores one task; result[i] belongs to contenders[i]. Allocates only per contender, never per answer.
// All outputs are finite whatever the input: non-finite qualities are skipped (not counted as
// checked), non-finite or negative capacity counts as 0.
std::vector<ContenderBreakdown> score_task(const std::vector<ContenderRecord>& contenders,
                                           const TaskScoreSettings& settings = {});

}  // namespace nineteen::scoring
