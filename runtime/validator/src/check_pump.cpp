// The check pump: kept answers to the checker (every task's organic answers before any synthetic
// one), their qualities to the store and the board; the checker's CheckService::check does the rest.
#include <algorithm>
#include <future>

#include <spdlog/spdlog.h>

#include "nineteen/checker/check_service.hpp"
#include "validator_loops.hpp"

namespace nineteen::validator::loops {

void CheckPump::start() { thread_ = std::thread([this] { run(); }); }

void CheckPump::join() {
  if (thread_.joinable()) thread_.join();
}

void CheckPump::run() {
  while (!stopping) {
    try {
      pump_once();
    } catch (const std::exception& e) {
      // The store cannot take the results (a full disk): the answers stay kept and are checked again.
      spdlog::error("checking: {} (retrying in 2 s)", e.what());
      std::unique_lock<std::mutex> lock(board.mutex);
      board.changed.wait_for(lock, std::chrono::seconds(2), [&] { return stopping.load(); });
    }
  }
}

// One round of the check pump: a batch of some task's answers checked, or a short wait when none is kept.
void CheckPump::pump_once() {
  {
    bool worked = false;
    // Two passes: every task's organic answers, then (only when none is waiting) synthetic ones,
    // task by task. Users' answers are what a validator sells: they are checked first.
    for (const bool organic_pass : {true, false}) {
      for (const std::string& task : core.served_tasks()) {
        if (stopping) break;
        // Organic answers first, then each miner's in random order (the store's rule).
        std::vector<store::KeptAnswer> answers = parts.store->next_answers_to_check(task, config.check_batch);
        if (organic_pass) {
          auto synthetic = std::find_if(answers.begin(), answers.end(), [](const store::KeptAnswer& a) { return a.synthetic; });
          answers.erase(synthetic, answers.end());
        }
        if (answers.empty()) continue;
        worked = true;
        check_answers(answers);
      }
      if (worked) break;
    }
    if (!worked) {
      std::unique_lock<std::mutex> lock(board.mutex);
      board.changed.wait_for(lock, std::chrono::milliseconds(300), [&] { return stopping.load(); });
    }
  }
}

// Has `answers` checked and records what became of each: its quality; or, for an answer the
// checker failed on alone (its rule: a failed batch is split into single answers there, not here),
// unchecked with the checker's reason. An answer the checker did not check for a reason of its own
// (stopping, a lost job) stays kept and comes back next round; so do all of them when we stop.
void CheckPump::check_answers(const std::vector<store::KeptAnswer>& answers) {
  std::vector<checker::CheckItem> items;
  for (const store::KeptAnswer& a : answers) items.push_back(checker::CheckItem{a.task, a.request, a.response});
  std::future<std::vector<checker::CheckResult>> pending = parts.checker->check(std::move(items), check_stop_);
  while (pending.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    if (stopping) return;  // check_stop_ ends the check promptly; the answers stay kept
  }
  std::vector<checker::CheckResult> results;
  try {
    results = pending.get();
  } catch (const std::exception& e) {
    spdlog::error("checking: the check of {} answers ended without results ({}); they stay kept", answers.size(),
                  e.what());
    return;
  }
  const auto now = SystemClock::now();
  std::vector<std::pair<ContenderKey, double>> checked;
  for (size_t i = 0; i < answers.size() && i < results.size(); ++i) {
    const store::KeptAnswer& a = answers[i];
    const checker::CheckResult& r = results[i];
    switch (r.kind) {
      case checker::CheckResult::Kind::checked:
        parts.store->record_check(a.id, r.outcome.quality, r.outcome.reason, now);
        checked.emplace_back(ContenderKey{a.task, a.miner_hotkey}, r.outcome.quality);
        break;
      case checker::CheckResult::Kind::failed:
        spdlog::error("kept answer {} of {} from {} stays unchecked: the checker failed on it: {}", a.id, a.task,
                      a.miner_hotkey, r.why);
        parts.store->record_unchecked(a.id, "the checker failed on it: " + r.why, now);
        break;
      case checker::CheckResult::Kind::not_checked:
        break;  // kept: sent again next round
    }
  }
  board.note_checks(checked);
}

}  // namespace nineteen::validator::loops
