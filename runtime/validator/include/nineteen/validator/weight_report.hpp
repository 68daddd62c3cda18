// From the store to weights (MECHANISM.md §7) and the table the validator prints at each setting.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "nineteen/scoring/chain_weights.hpp"
#include "nineteen/scoring/weights.hpp"
#include "nineteen/store/validator_store.hpp"

namespace nineteen::validator {

struct TaskToScore {
  std::string name;
  double weight = 0;  // the catalogue's weight (normalised by compute_weights)
};

// The contenders of each task in `period_id` with their checked answers (the window before `now`)
// and their scored history, in the scoring library's form.
std::vector<scoring::TaskInput> task_inputs(store::ValidatorStore& store, const std::vector<TaskToScore>& tasks,
                                            std::int64_t period_id, store::TimePoint now,
                                            std::size_t history_periods,
                                            std::chrono::seconds window = std::chrono::hours(72));

// One table per task (miner, capacity, period score, quality, speed bonus, effective volume, task
// share, final weight) and an overall one. `hotkey_of` names miners by uid.
std::string format_weight_tables(const scoring::WeightsResult& result, const std::map<std::uint16_t, std::string>& hotkey_of,
                                 const std::map<std::uint16_t, std::string>& label_of = {});

// What checking did with each contender's answers since the last weight setting: checked (of them
// organic), unchecked (with the fraction of the kept answers that were checked), waiting.
std::string format_check_tallies(const std::vector<store::AnswerTally>& tallies);

// The breakdown rows stored for one weight setting.
std::vector<store::WeightBreakdownRecord> breakdown_rows(const scoring::WeightsResult& result,
                                                         const std::map<std::uint16_t, std::string>& hotkey_of);

}  // namespace nineteen::validator
