// Reads what the status pages show from the store and the routing; the rendering stays pure.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "nineteen/chain/chain.hpp"
#include "nineteen/gateway/status_page.hpp"
#include "nineteen/scoring/speed_bonus.hpp"
#include "nineteen/store/validator_store.hpp"

namespace nineteen::gateway {
namespace {

// Weight settings are numbered 1, 2, 3, …: the last `history` of them end at the newest.
std::vector<WeightSettingRows> read_weight_history(store::ValidatorStore& store, std::int64_t newest,
                                                   std::size_t history) {
  std::vector<WeightSettingRows> out;
  for (std::int64_t id = newest; id >= 1 && out.size() < history; --id) {
    out.push_back(WeightSettingRows{id, store.weight_breakdowns(id)});
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

StatusPageData read_status_page_data(store::ValidatorStore& store, validator::OrganicRouting& routing,
                                     std::size_t history) {
  StatusPageData data;
  data.tasks = routing.organic_tasks();
  data.contenders = routing.contender_status();
  try {
    data.weight_setting_id = store.latest_weight_setting();
    if (data.weight_setting_id) {
      data.weight_history = read_weight_history(store, *data.weight_setting_id, history);
      data.weights = data.weight_history.back().rows;
    }
    std::vector<store::WeightSubmissionRecord> submissions = store.weight_submissions(1);
    if (!submissions.empty()) data.last_submission = submissions.front();
    if (std::optional<store::PeriodRecord> open = store.open_period()) {
      for (std::int64_t id = open->id; id >= 1 && data.recent_periods.size() < history; --id) {
        data.recent_periods.push_back(PeriodCounts{id, store.contenders(id)});
      }
      std::reverse(data.recent_periods.begin(), data.recent_periods.end());
    }
    // Answer times over the last day of checked answers, per task and miner.
    const auto now = std::chrono::system_clock::now();
    for (const auto& task : data.tasks) {
      std::map<std::string, std::pair<std::uint16_t, std::vector<double>>> times;
      for (const auto& a : store.checked_answers(task.name, now - std::chrono::hours(24), now)) {
        auto& entry = times[a.miner_hotkey];
        entry.first = a.uid;
        if (std::isfinite(a.response_time_s)) entry.second.push_back(a.response_time_s);
      }
      for (auto& [hotkey, entry] : times) {
        data.answer_times.push_back(AnswerTimes{task.name, hotkey, entry.first, entry.second.size(),
                                                scoring::speed_percentile(entry.second.data(), entry.second.size(), 0.5),
                                                scoring::speed_percentile(entry.second.data(), entry.second.size(), 0.99)});
      }
    }
  } catch (const std::exception& e) {
    data.weights_error = e.what();
  }
  return data;
}

std::optional<MinerPageData> read_miner_page_data(store::ValidatorStore& store, validator::OrganicRouting& routing,
                                                  const std::string& miner_hotkey, std::size_t history) {
  MinerPageData data;
  data.miner_hotkey = miner_hotkey;
  for (const auto& c : routing.contender_status()) {
    if (c.miner_hotkey == miner_hotkey) data.now.push_back(c);
  }
  bool known = !data.now.empty();
  if (std::optional<std::int64_t> newest = store.latest_weight_setting()) {
    std::vector<WeightSettingRows> all = read_weight_history(store, *newest, history);
    data.last_setting_all_miners = all.back().rows;
    for (auto& setting : all) {
      WeightSettingRows mine{setting.id, {}};
      for (auto& row : setting.rows) {
        if (row.miner_hotkey == miner_hotkey) mine.rows.push_back(std::move(row));
      }
      known = known || !mine.rows.empty();
      data.weight_history.push_back(std::move(mine));
    }
    std::vector<store::WeightSubmissionRecord> submissions = store.weight_submissions(1);
    if (!submissions.empty()) data.last_submission = submissions.front();
  }
  if (!known) return std::nullopt;
  std::vector<std::string> tasks;
  for (const auto& c : data.now) tasks.push_back(c.task);
  for (const auto& row : data.last_setting_all_miners) {
    if (row.miner_hotkey == miner_hotkey) tasks.push_back(row.task);
  }
  std::sort(tasks.begin(), tasks.end());
  tasks.erase(std::unique(tasks.begin(), tasks.end()), tasks.end());
  for (const std::string& task : tasks) {
    for (auto& p : store.period_scores(task, miner_hotkey, history)) data.period_scores.push_back(std::move(p));
  }
  return data;
}

}  // namespace nineteen::gateway
