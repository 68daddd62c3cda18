// check(): a batch to results, over the job primitives (submit, then poll), with the waits for a busy
// checker and the retries for one out of reach.
#include "nineteen/checker/check_service.hpp"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

namespace nineteen::checker {
namespace {

bool stopped(const CheckStop& stop) { return stop && stop->load(); }

// Sleeps up to `pause`, waking early (within 20 ms) when `stop` is set; false when stopped.
bool pause_unless_stopped(std::chrono::steady_clock::duration pause, const CheckStop& stop) {
  const auto until = std::chrono::steady_clock::now() + pause;
  while (!stopped(stop)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= until) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(until - now, std::chrono::milliseconds(20)));
  }
  return false;
}

std::vector<CheckResult> all(size_t count, CheckResult::Kind kind, const std::string& why) {
  CheckResult r;
  r.kind = kind;
  r.why = why;
  return std::vector<CheckResult>(count, r);
}

}  // namespace

std::future<std::vector<CheckResult>> CheckService::check(std::vector<CheckItem> items, CheckStop stop) {
  return std::async(std::launch::async,
                    [this, items = std::move(items), stop = std::move(stop)] { return run_check(items, stop); });
}

std::vector<CheckResult> CheckService::results_of(const JobStatus& status, size_t count) {
  switch (status.state) {
    case JobState::done: {
      std::vector<CheckResult> out = all(count, CheckResult::Kind::not_checked,
                                         "the checker gave " + std::to_string(status.outcomes.size()) +
                                             " results for " + std::to_string(count) + " answers");
      for (size_t i = 0; i < count && i < status.outcomes.size(); ++i) {
        out[i].kind = CheckResult::Kind::checked;
        out[i].outcome = status.outcomes[i];
        out[i].why.clear();
      }
      return out;
    }
    case JobState::failed: {
      // The checker names each answer that failed alone; the others were not the cause and come again.
      // A checker that names none (one from before the rule) failed the batch as a whole.
      if (status.answer_errors.empty()) return all(count, CheckResult::Kind::failed, status.error);
      std::vector<CheckResult> out = all(count, CheckResult::Kind::not_checked,
                                         "another answer of its batch failed: " + status.error);
      for (size_t i = 0; i < count && i < status.answer_errors.size(); ++i) {
        if (status.answer_errors[i].empty()) continue;
        out[i].kind = CheckResult::Kind::failed;
        out[i].why = status.answer_errors[i];
      }
      return out;
    }
    case JobState::unknown:
      // Lost by the checker (restarted, or its results expired unread): not the answers' fault.
      return all(count, CheckResult::Kind::not_checked, "the checker lost the job: " + status.error);
    case JobState::pending:
      break;
  }
  return all(count, CheckResult::Kind::not_checked, "the job is still pending");
}

std::vector<CheckResult> CheckService::run_check(const std::vector<CheckItem>& items, const CheckStop& stop) {
  if (items.empty()) return {};
  const std::string stopping = "the check was stopped; the answers wait for the next one";
  std::string job;
  while (true) {
    if (stopped(stop)) return all(items.size(), CheckResult::Kind::not_checked, stopping);
    try {
      job = submit(items);
      break;
    } catch (const BatchRejected& e) {
      spdlog::error("checker refused a batch of {}: {}", items.front().task, e.what());
      return all(items.size(), CheckResult::Kind::failed, std::string("the checker refused the batch: ") + e.what());
    } catch (const CheckerBusy& busy) {
      if (!pause_unless_stopped(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(std::max(0.1, busy.retry_after_s))),
                                stop)) {
        return all(items.size(), CheckResult::Kind::not_checked, stopping);
      }
    } catch (const std::exception& e) {
      spdlog::error("checker: {} (retrying in {} s)", e.what(), pacing_.unreachable_pause.count() / 1000.0);
      if (!pause_unless_stopped(pacing_.unreachable_pause, stop)) {
        return all(items.size(), CheckResult::Kind::not_checked, stopping);
      }
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + pacing_.give_up_after;
  while (std::chrono::steady_clock::now() < deadline) {
    JobStatus status;
    try {
      status = poll(job);
    } catch (const std::exception& e) {
      status.state = JobState::pending;  // a remote checker out of reach: the job may still be there
      spdlog::warn("checker poll: {}", e.what());
    }
    if (status.state != JobState::pending) {
      if (status.state == JobState::unknown) {
        spdlog::warn("check job {} is unknown to the checker ({}); its {} answers stay kept and are sent again", job,
                     status.error, items.size());
      } else if (status.state == JobState::failed) {
        spdlog::warn("check job {} failed: {}", job, status.error);
      }
      return results_of(status, items.size());
    }
    if (!pause_unless_stopped(pacing_.poll_every, stop)) {
      return all(items.size(), CheckResult::Kind::not_checked, stopping);
    }
  }
  return all(items.size(), CheckResult::Kind::not_checked,
             "check job " + job + " had no result after " + std::to_string(pacing_.give_up_after.count()) + " s");
}

}  // namespace nineteen::checker
