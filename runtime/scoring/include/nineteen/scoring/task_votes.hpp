// Stake-weighted task votes (issue 18 item 2): each validator may publish its task weights on the chain
// (a commitment); the effective task weights are the stake-weighted median of the published votes, clipped
// to the catalogue's bounds. Pure functions over plain data.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nineteen::scoring {

// One task of the catalogue as the vote sees it: its default weight (tasks.toml `weight`, raw) and the
// bounds of its normalised share (tasks.toml `weight_min`, `weight_max`; 0 and 1 when not set).
struct TaskWeightBounds {
  std::string task;
  double weight = 1;
  double min = 0;
  double max = 1;
};

// One validator's published vote: task → weight (raw; normalised over the catalogue here).
struct TaskVote {
  std::string validator;  // hotkey, for reports
  double stake = 0;
  std::map<std::string, double> weights;
};

struct EffectiveTaskWeights {
  std::map<std::string, double> weight;  // task → normalised share (sums to 1 over the catalogue)
  std::map<std::string, double> median;  // task → the stake-weighted median before normalising and clipping
  std::size_t votes_counted = 0;         // votes with stake and at least one catalogue task
  double stake_counted = 0;              // their stake
  bool from_votes = false;               // false: no vote counted, the catalogue's own weights
};

// The rule (README "Task votes"):
//  1. A vote is read over the catalogue's tasks: a task it does not name keeps the catalogue's default
//     share (saying nothing is not voting 0); names outside the catalogue are ignored; the vote is then
//     normalised to sum 1. Votes with no stake, or naming no catalogue task, do not count.
//  2. Per task, the stake-weighted median of the votes' shares: sorted by value, the first value at which
//     the cumulative stake reaches half the counted stake. With stakes 60/30/10 the 60 % validator
//     decides; a validator under half the stake cannot move a task by voting an extreme value (with a
//     mean, a 10 % validator voting 1.0 would move a task by 0.1·(1 − w)). Yuma's consensus uses the same
//     median for the same reason.
//  3. The medians are normalised to sum 1, then clipped to [min, max] with the excess or shortfall shared
//     among the tasks not at a bound in proportion to their share (so the result sums to 1 and stays in
//     bounds whenever Σ min ≤ 1 ≤ Σ max).
// No counted vote: the catalogue's defaults (normalised, clipped the same way).
EffectiveTaskWeights effective_task_weights(const std::vector<TaskWeightBounds>& catalogue,
                                            const std::vector<TaskVote>& votes);

// The stake-weighted median of `values` (same length as `stakes`; stakes ≤ 0 are ignored); 0 when empty.
double stake_weighted_median(const std::vector<double>& values, const std::vector<double>& stakes);

// Normalises `shares` to sum 1 and clips each to its [min, max] (water-filling); keys of `bounds` only.
std::map<std::string, double> clip_to_bounds(const std::map<std::string, double>& shares,
                                             const std::vector<TaskWeightBounds>& bounds);

// What a validator publishes: "tv1 chat-tiny-llama=0.6 reverse-words=0.1" (a version tag, then name=value
// pairs separated by spaces, in name order, values with at most 4 significant digits). Short enough that
// a catalogue of a dozen tasks fits one chain commitment (3 × 128 bytes).
std::string encode_task_votes(const std::map<std::string, double>& weights);
// nullopt (with `error` set) when the text is not a task vote: wrong tag, a pair without '=', a value that
// is not a finite number ≥ 0, a name twice.
std::optional<std::map<std::string, double>> decode_task_votes(const std::string& text, std::string* error = nullptr);

}  // namespace nineteen::scoring
