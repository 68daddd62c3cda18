// Weights from stored history and checked answers, and their printed breakdown.
#include "nineteen/validator/weight_report.hpp"

#include <cstdio>
#include <sstream>

namespace nineteen::validator {

std::vector<scoring::TaskInput> task_inputs(store::ValidatorStore& store, const std::vector<TaskToScore>& tasks,
                                            std::int64_t period_id, store::TimePoint now,
                                            std::size_t history_periods, std::chrono::seconds window) {
  std::vector<store::PeriodContender> contenders = store.contenders(period_id);
  std::vector<scoring::TaskInput> inputs;
  for (const TaskToScore& task : tasks) {
    scoring::TaskInput input;
    input.name = task.name;
    input.weight = task.weight;
    auto checked = store.checked_answers_for_scoring(task.name, now, window);
    for (const store::PeriodContender& c : contenders) {
      if (c.task != task.name) continue;
      scoring::ContenderRecord record;
      record.uid = c.uid;
      record.capacity = c.capacity;
      record.refused_below_capacity = c.counts.rate_limited > 0 && c.counts.consumed < c.capacity;
      auto it = checked.find(c.miner_hotkey);
      if (it != checked.end()) record.checked_answers = it->second;
      record.periods_newest_first = store.scored_periods(task.name, c.miner_hotkey, history_periods);
      input.contenders.push_back(std::move(record));
    }
    inputs.push_back(std::move(input));
  }
  return inputs;
}

namespace {

std::string short_key(const std::string& hotkey) {
  return hotkey.size() > 10 ? hotkey.substr(0, 6) + "…" + hotkey.substr(hotkey.size() - 4) : hotkey;
}

}  // namespace

std::string format_weight_tables(const scoring::WeightsResult& result, const std::map<std::uint16_t, std::string>& hotkey_of,
                                 const std::map<std::uint16_t, std::string>& label_of) {
  std::map<std::uint16_t, double> final_weight;
  for (const auto& m : result.miners) final_weight[m.uid] = m.weight;
  auto name = [&](std::uint16_t uid) {
    auto label = label_of.find(uid);
    auto key = hotkey_of.find(uid);
    std::string s = "uid " + std::to_string(uid) + " " + (key == hotkey_of.end() ? "?" : short_key(key->second));
    if (label != label_of.end()) s += " " + label->second;
    return s;
  };
  std::ostringstream out;
  char line[512];
  for (const auto& task : result.tasks) {
    std::snprintf(line, sizeof line, "task %s (weight %.3f)\n", task.name.c_str(), task.weight);
    out << line;
    std::snprintf(line, sizeof line, "  %-34s %10s %8s %8s %8s %8s %10s %8s %8s %8s\n", "miner", "capacity", "answers",
                  "period", "served", "quality", "speed+", "eff.vol", "share", "weight");
    out << line;
    for (const auto& c : task.contenders) {
      std::snprintf(line, sizeof line, "  %-34s %10.1f %8zu %8.3f %8.3f %8.3f %+8.3f %10.1f %8.3f %8.3f\n",
                    name(c.uid).c_str(), c.capacity, c.checked_answers, c.period_history, c.served_share, c.quality,
                    c.speed_bonus, c.effective_volume, c.task_score, final_weight[c.uid]);
      out << line;
    }
  }
  out << "overall\n";
  std::snprintf(line, sizeof line, "  %-34s %10s %8s\n", "miner", "score", "weight");
  out << line;
  for (const auto& m : result.miners) {
    std::snprintf(line, sizeof line, "  %-34s %10.4f %8.4f\n", name(m.uid).c_str(), m.total_score, m.weight);
    out << line;
  }
  return out.str();
}

std::string format_check_tallies(const std::vector<store::AnswerTally>& tallies) {
  std::ostringstream out;
  char line[256];
  out << "checking since the last weights (kept = checked + unchecked + waiting)\n";
  std::snprintf(line, sizeof line, "  %-24s %-14s %8s %8s %9s %8s %8s\n", "task", "miner", "kept", "checked", "(organic)",
                "unchecked", "waiting");
  out << line;
  std::uint64_t kept = 0, checked = 0;
  for (const store::AnswerTally& t : tallies) {
    std::snprintf(line, sizeof line, "  %-24s %-14s %8llu %8llu %9llu %8llu %8llu\n", t.task.c_str(),
                  short_key(t.miner_hotkey).c_str(), static_cast<unsigned long long>(t.kept()),
                  static_cast<unsigned long long>(t.checked), static_cast<unsigned long long>(t.organic_checked),
                  static_cast<unsigned long long>(t.unchecked), static_cast<unsigned long long>(t.pending));
    out << line;
    kept += t.kept();
    checked += t.checked;
  }
  std::snprintf(line, sizeof line, "  checked %llu of %llu kept answers (%.1f%%)\n", static_cast<unsigned long long>(checked),
                static_cast<unsigned long long>(kept), kept ? 100.0 * static_cast<double>(checked) / static_cast<double>(kept) : 100.0);
  out << line;
  return out.str();
}

std::vector<store::WeightBreakdownRecord> breakdown_rows(const scoring::WeightsResult& result,
                                                         const std::map<std::uint16_t, std::string>& hotkey_of) {
  std::map<std::uint16_t, const scoring::MinerWeight*> by_uid;
  for (const auto& m : result.miners) by_uid[m.uid] = &m;
  std::vector<store::WeightBreakdownRecord> rows;
  for (const auto& task : result.tasks) {
    for (const auto& c : task.contenders) {
      store::WeightBreakdownRecord r;
      auto key = hotkey_of.find(c.uid);
      r.miner_hotkey = key == hotkey_of.end() ? "uid:" + std::to_string(c.uid) : key->second;
      r.task = task.name;
      r.task_weight = task.weight;
      r.figures = c;
      if (by_uid.count(c.uid)) {
        r.total_score = by_uid[c.uid]->total_score;
        r.final_weight = by_uid[c.uid]->weight;
      }
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace nineteen::validator
