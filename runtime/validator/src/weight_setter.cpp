// The weight setter: the task votes published at start, and weights computed from the store and set
// on the chain after each period (or every weights_every_s), retried until the chain takes them.
#include <sstream>

#include <spdlog/spdlog.h>

#include "nineteen/chain/chain.hpp"
#include "nineteen/plugin_host/plugin_host.hpp"
#include "nineteen/validator/weight_report.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator::loops {

// The catalogue as the task vote sees it: each served task's weight and bounds.
std::vector<scoring::TaskWeightBounds> WeightSetter::task_bounds() const {
  std::vector<scoring::TaskWeightBounds> out;
  for (const std::string& name : core.served_tasks()) {
    const config::TaskEntry* e = parts.host->catalog().find(name);
    out.push_back(scoring::TaskWeightBounds{name, e->weight, e->weight_min, e->weight_max});
  }
  return out;
}
scoring::EffectiveTaskWeights WeightSetter::effective_task_weights(std::string* note) const {
  const std::vector<scoring::TaskWeightBounds> bounds = task_bounds();
  std::vector<scoring::TaskVote> votes;
  try {
    std::map<std::string, double> stake_of;
    for (const chain::Neuron& n : parts.chain->metagraph())
      if (n.role == chain::NodeRole::validator) stake_of[n.hotkey] = n.stake;
    for (const chain::Commitment& c : parts.chain->commitments()) {
      auto stake = stake_of.find(c.hotkey);
      if (stake == stake_of.end()) continue;
      if (auto decoded = scoring::decode_task_votes(c.data)) votes.push_back({c.hotkey, stake->second, *decoded});
    }
  } catch (const std::exception& e) {
    if (note) *note = std::string("task votes could not be read (the catalogue's weights are used): ") + e.what();
    votes.clear();
  }
  return scoring::effective_task_weights(bounds, votes);
}

void WeightSetter::tick(SystemClock::time_point now) {
  if (config.weights_every_s > 0 && last_closed_period_ != 0 &&
      now - last_weights_set_ >= std::chrono::duration<double>(config.weights_every_s)) {
    weights_pending_ = true;
  }
  if (weights_pending_ && now >= next_weights_try_) try_set_weights();
}

void WeightSetter::period_closed(std::int64_t id) {
  last_closed_period_ = id;
  if (config.weights_every_s <= 0) {
    weights_pending_ = true;
    next_weights_try_ = SystemClock::now();
  }
}

void WeightSetter::load_figures() {
  auto latest = parts.store->latest_weight_setting();
  if (!latest) return;
  std::lock_guard<std::mutex> lock(board.mutex);
  for (const store::WeightBreakdownRecord& r : parts.store->weight_breakdowns(*latest)) {
    board.figures[{r.task, r.miner_hotkey}] =
        Figures{r.figures.quality, r.figures.period_history, r.figures.speed_bonus, r.final_weight};
  }
}

void WeightSetter::publish_task_votes() {
  if (config.task_votes.empty()) return;
  const std::string text = scoring::encode_task_votes(config.task_votes);
  try {
    for (const chain::Commitment& c : parts.chain->commitments()) {
      if (c.hotkey == core.hotkey.ss58_address() && c.data == text) {
        core.info("task votes already on the chain: " + text);
        return;
      }
    }
    chain::WriteResult r = parts.chain->set_commitment(core.hotkey.ss58_address(), text);
    if (r.accepted) {
      core.info("task votes published at block " + std::to_string(r.block) + ": " + text);
    } else {
      core.info("task votes were refused by the chain: " + r.reason + " (the validator scores on without them)");
    }
  } catch (const std::exception& e) {
    core.info(std::string("task votes could not be published: ") + e.what() + " (the validator scores on without them)");
  }
}

void WeightSetter::try_set_weights() {
  const auto now = SystemClock::now();
  std::vector<TaskToScore> tasks;
  std::string votes_note;
  const scoring::EffectiveTaskWeights task_weights = effective_task_weights(&votes_note);
  for (const std::string& name : core.served_tasks()) {
    auto w = task_weights.weight.find(name);
    tasks.push_back(TaskToScore{name, w == task_weights.weight.end() ? 0.0 : w->second});
  }
  std::vector<scoring::TaskInput> inputs =
      task_inputs(*parts.store, tasks, last_closed_period_, now, config.history_periods);
  scoring::WeightsResult result = scoring::compute_weights(inputs, config.mechanism.task_scores);
  std::map<std::uint16_t, std::string> hotkey_of;
  for (const store::PeriodContender& c : parts.store->contenders(last_closed_period_)) hotkey_of[c.uid] = c.miner_hotkey;
  scoring::ChainWeights vector = scoring::to_chain_weights(result.miners);
  {
    std::map<std::uint16_t, double> weight_of;
    for (const auto& m : result.miners) weight_of[m.uid] = m.weight;
    std::lock_guard<std::mutex> lock(board.mutex);
    for (const auto& task : result.tasks) {
      for (const auto& c : task.contenders) {
        if (!hotkey_of.count(c.uid)) continue;
        board.figures[{task.name, hotkey_of[c.uid]}] = Figures{c.quality, c.period_history, c.speed_bonus, weight_of[c.uid]};
      }
    }
  }

  std::ostringstream report;
  report << "weights after period " << last_closed_period_ << "\n";
  report << "task weights (" << (task_weights.from_votes
                                     ? "stake-weighted median of " + std::to_string(task_weights.votes_counted) +
                                           " validators' votes, clipped to the catalogue's bounds"
                                     : std::string("the catalogue's; no validator voted"))
         << "):";
  for (const auto& [task, w] : task_weights.weight) report << " " << task << "=" << w;
  report << "\n";
  if (!votes_note.empty()) report << votes_note << "\n";
  report << format_weight_tables(result, hotkey_of);
  try {
    report << format_check_tallies(parts.store->answer_tallies(last_weights_set_));
  } catch (const std::exception& e) {
    report << "checking: the tallies could not be read: " << e.what() << "\n";
  }
  if (vector.uids.empty()) {
    report << "nothing to set: no miner has a weight yet\n";
    weights_pending_ = false;
    last_weights_set_ = now;
    if (core.events.weights_set) core.events.weights_set(report.str());
    spdlog::debug("{}", report.str());
    return;
  }
  const std::int64_t setting = parts.store->record_weight_setting(now, breakdown_rows(result, hotkey_of));
  chain::WriteResult written = parts.chain->set_weights(core.hotkey.ss58_address(), vector.uids, vector.values,
                                                        config.version_key);
  store::WeightSubmissionRecord submission;
  submission.weight_setting_id = setting;
  submission.submitted_at = now;
  submission.uids = vector.uids;
  submission.values = vector.values;
  submission.block = written.block;
  submission.version_key = config.version_key;
  submission.accepted = written.accepted;
  submission.result = written.accepted ? "accepted" : written.reason;
  parts.store->record_weight_submission(submission);

  report << "vector (uid:u16):";
  for (size_t i = 0; i < vector.uids.size(); ++i) report << " " << vector.uids[i] << ":" << vector.values[i];
  report << "\n" << (written.accepted ? "accepted at block " + std::to_string(written.block)
                                      : "refused by the chain: " + written.reason + " (retrying)")
         << "\n";
  if (written.accepted) {
    weights_pending_ = false;
    last_weights_set_ = now;
  } else {
    next_weights_try_ = now + std::chrono::seconds(5);
  }
  if (core.events.weights_set) core.events.weights_set(report.str());
  spdlog::debug("{}", report.str());
}

}  // namespace nineteen::validator::loops
