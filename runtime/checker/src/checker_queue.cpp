// The checking engine: bounded per-task lines of answers, workers that batch one task's answers
// into one plugin call, retries, isolation of a poisoned answer, results kept until read or expired.
#include "nineteen/checker/checker_queue.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "nineteen/plugin_host/plugin_host.hpp"

namespace nineteen::checker {

const char* job_state_name(JobState state) {
  switch (state) {
    case JobState::pending: return "pending";
    case JobState::done: return "done";
    case JobState::failed: return "failed";
    case JobState::unknown: return "unknown";
  }
  return "unknown";
}

struct CheckerQueue::Job {
  std::string id;
  std::vector<CheckItem> items;  // cleared once the job is finished
  std::vector<CheckOutcome> outcomes;
  std::vector<std::string> answer_errors;  // per answer, set for one that failed alone
  std::vector<char> has_outcome;           // per answer, set once it has a quality (kept when the job fails)
  size_t remaining = 0;
  JobState state = JobState::pending;
  std::string error;
  std::shared_ptr<std::promise<std::vector<CheckResult>>> completion;  // check()'s, when it came that way
};

CheckerQueue::CheckerQueue(std::shared_ptr<plugin_host::PluginHost> host, CheckerSettings settings)
    : host_(std::move(host)), settings_(std::move(settings)) {
  if (!host_) throw std::invalid_argument("checker: no plugin host given");
  if (settings_.workers < 1 || settings_.workers > 1024) {
    throw std::invalid_argument("checker setting \"workers\": expected 1 to 1024, got " +
                                std::to_string(settings_.workers));
  }
  if (settings_.max_queued_items < 1) throw std::invalid_argument("checker setting \"max_queued_items\": expected >= 1");
  if (settings_.max_batch < 1) throw std::invalid_argument("checker setting \"max_batch\": expected >= 1");
  if (settings_.max_attempts < 1) {
    throw std::invalid_argument("checker setting \"max_attempts\": expected >= 1, got " +
                                std::to_string(settings_.max_attempts));
  }
  if (settings_.result_ttl.count() < 0) throw std::invalid_argument("checker setting \"result_ttl\": expected >= 0 s");
  std::random_device seed;
  id_rng_.seed((static_cast<uint64_t>(seed()) << 32) ^ seed());
  for (int i = 0; i < settings_.workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

CheckerQueue::~CheckerQueue() { stop(); }

void CheckerQueue::stop() {
  std::lock_guard<std::mutex> stopping(stop_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  // A check() whose job will not finish now hears so, rather than a broken promise.
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, job] : jobs_) {
    if (!job->completion) continue;
    CheckResult r;
    r.why = "the checker stopped before checking it";
    job->completion->set_value(std::vector<CheckResult>(job->answer_errors.size(), r));
    job->completion.reset();
  }
}

CheckerQueue::TimePoint CheckerQueue::now() const {
  return settings_.clock ? settings_.clock() : std::chrono::steady_clock::now();
}

std::string CheckerQueue::new_job_id() {
  // Random, not a counter: an id says nothing about other jobs and cannot be guessed.
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(id_rng_()),
                static_cast<unsigned long long>(id_rng_()));
  return text;
}

size_t CheckerQueue::queued_items() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queued_items_;
}

std::string CheckerQueue::prometheus_text() const {
  return metrics_.prometheus_text(queued_items(), settings_.max_queued_items);
}

double CheckerQueue::retry_after_estimate() const {
  // The time the workers need to drain what is queued now, within sane bounds.
  double seconds = seconds_per_item_ * static_cast<double>(queued_items_) / settings_.workers;
  return std::clamp(std::ceil(seconds), 1.0, 60.0);
}

std::string CheckerQueue::submit(const std::vector<CheckItem>& items) { return queue_job(items, nullptr); }

std::future<std::vector<CheckResult>> CheckerQueue::check(std::vector<CheckItem> items, CheckStop stop) {
  if (items.empty()) {
    std::promise<std::vector<CheckResult>> none;
    none.set_value({});
    return none.get_future();
  }
  auto completion = std::make_shared<std::promise<std::vector<CheckResult>>>();
  std::future<std::vector<CheckResult>> result = completion->get_future();
  try {
    queue_job(items, completion);
    return result;
  } catch (const BatchRejected& e) {
    spdlog::error("checker refused a batch of {}: {}", items.front().task, e.what());
    CheckResult r;
    r.kind = CheckResult::Kind::failed;
    r.why = std::string("the checker refused the batch: ") + e.what();
    completion->set_value(std::vector<CheckResult>(items.size(), r));
    return result;
  } catch (const std::exception&) {
    // Full or stopping: the general path waits for room, and for the caller's stop.
    return CheckService::check(std::move(items), std::move(stop));
  }
}

std::string CheckerQueue::queue_job(const std::vector<CheckItem>& items, Completion completion) {
  if (items.empty()) throw BatchRejected("a check batch needs at least one item");
  if (items.size() > settings_.max_queued_items) {
    throw BatchRejected("a batch of " + std::to_string(items.size()) +
                             " answers is larger than the checker's whole queue (max_queued_items = " +
                             std::to_string(settings_.max_queued_items) + "): send at most that many per batch");
  }
  std::set<std::string> checked_tasks;
  for (size_t i = 0; i < items.size(); ++i) {
    if (checked_tasks.count(items[i].task)) continue;
    if (!host_->task(items[i].task)) {
      std::string known;
      for (const auto& s : host_->statuses()) {
        if (s.state == plugin_host::TaskState::ready) known += (known.empty() ? "" : ", ") + s.name;
      }
      throw BatchRejected("item " + std::to_string(i) + ": unknown task \"" + items[i].task +
                               "\"; this checker checks: " + (known.empty() ? "(no task loaded)" : known));
    }
    checked_tasks.insert(items[i].task);
  }

  std::string id;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) throw std::runtime_error("the checker is stopping; submit to another one or retry after its restart");
    drop_expired();
    if (queued_items_ + items.size() > settings_.max_queued_items) {
      metrics_.busy_refusal();
      double retry_after = retry_after_estimate();
      CheckerBusy busy("the checker's queue is full (" + std::to_string(queued_items_) + " of " +
                       std::to_string(settings_.max_queued_items) + " answers queued, " +
                       std::to_string(items.size()) + " more asked); nothing was queued: retry in " +
                       std::to_string(static_cast<int>(retry_after)) + " s");
      busy.retry_after_s = retry_after;
      throw busy;
    }
    auto job = std::make_shared<Job>();
    do {
      id = new_job_id();
    } while (jobs_.count(id));
    job->id = id;
    job->items = items;
    job->outcomes.resize(items.size());
    job->answer_errors.resize(items.size());
    job->has_outcome.resize(items.size());
    job->remaining = items.size();
    job->completion = std::move(completion);
    jobs_[id] = job;
    for (size_t i = 0; i < items.size(); ++i) lines_[items[i].task].push_back(Unit{job, i});
    queued_items_ += items.size();
  }
  work_ready_.notify_all();
  return id;
}

JobStatus CheckerQueue::poll(const std::string& job_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  drop_expired();
  JobStatus status;
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) {
    status.state = JobState::unknown;
    status.error = "no check job \"" + job_id + "\": never submitted here, already read, or expired (results wait " +
                   std::to_string(settings_.result_ttl.count()) + " s to be read)";
    return status;
  }
  status = status_of(*it->second);
  if (status.state != JobState::pending) jobs_.erase(it);  // handed out once
  return status;
}

JobStatus CheckerQueue::status_of(const Job& job) const {
  JobStatus status;
  status.state = job.state;
  if (job.state == JobState::pending) return status;
  status.error = job.error;
  if (job.state == JobState::done) status.outcomes = job.outcomes;
  if (job.state == JobState::failed) status.answer_errors = job.answer_errors;
  return status;
}

void CheckerQueue::complete_if_finished(const std::shared_ptr<Job>& job) {
  if (!job->completion || job->state == JobState::pending) return;
  std::vector<CheckResult> results = results_of(status_of(*job), job->answer_errors.size());
  // In-process, the answers of a failed job that were checked (alone) keep their qualities.
  for (size_t i = 0; i < results.size(); ++i) {
    if (!job->has_outcome[i] || !job->answer_errors[i].empty()) continue;
    results[i].kind = CheckResult::Kind::checked;
    results[i].outcome = job->outcomes[i];
    results[i].why.clear();
  }
  job->completion->set_value(std::move(results));
  job->completion.reset();
  jobs_.erase(job->id);  // handed out to its check()
}

void CheckerQueue::drop_expired() {
  const TimePoint t = now();
  uint64_t expired = 0;
  while (!expiries_.empty() && expiries_.front().first <= t) {
    auto it = jobs_.find(expiries_.front().second);
    if (it != jobs_.end() && it->second->state != JobState::pending) {
      jobs_.erase(it);
      ++expired;
    }
    expiries_.pop_front();
  }
  if (expired) metrics_.jobs_expired(expired);
}

bool CheckerQueue::take_batch(std::unique_lock<std::mutex>& lock, Batch& batch) {
  while (!stopping_) {
    if (!lines_.empty()) {
      // Tasks take turns, so one busy task cannot starve the others.
      auto it = lines_.upper_bound(last_task_);
      if (it == lines_.end()) it = lines_.begin();
      batch.task = it->first;
      batch.units.clear();
      std::deque<Unit>& line = it->second;
      while (!line.empty() && batch.units.size() < settings_.max_batch) {
        batch.units.push_back(std::move(line.front()));
        line.pop_front();
      }
      last_task_ = it->first;
      if (line.empty()) lines_.erase(it);
      return true;
    }
    work_ready_.wait(lock);
  }
  return false;
}

void CheckerQueue::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  Batch batch;
  while (take_batch(lock, batch)) {
    std::vector<CheckItem> items;
    items.reserve(batch.units.size());
    for (const Unit& u : batch.units) items.push_back(u.job->items[u.index]);
    lock.unlock();
    std::vector<UnitResult> results = check_batch(batch, items);
    lock.lock();
    settle(batch, results);
  }
}

CheckerQueue::CallResult CheckerQueue::call_check(const std::string& task, const std::vector<CheckItem>& items) {
  CallResult r;
  std::shared_ptr<plugin_host::LiveTask> live = host_->task(task);
  if (!live) {
    r.error = "task \"" + task + "\" is no longer loaded in this checker";
    return r;
  }
  std::vector<std::string> requests, responses;
  requests.reserve(items.size());
  responses.reserve(items.size());
  for (const CheckItem& item : items) {
    requests.push_back(item.request);
    responses.push_back(item.response);
  }
  const auto started = std::chrono::steady_clock::now();
  double quality_sum = 0;
  try {
    std::vector<plugin_host::CheckOutcome> got = live->check(requests, responses);
    if (got.size() != items.size()) {
      r.error = "task \"" + task + "\" check returned " + std::to_string(got.size()) + " qualities for " +
                std::to_string(items.size()) + " answers";
    } else {
      r.ok = true;
      for (size_t i = 0; i < got.size() && r.ok; ++i) {
        const double q = got[i].quality;
        // The ABI's range (penalties included, MECHANISM.md §6's -10 for an early stop). A NaN or a
        // value outside it would poison the scores downstream: treat it as a failed call.
        static_assert(NT_QUALITY_MIN == -10.0 && NT_QUALITY_MAX == 1.0, "the message below names the range");
        if (!std::isfinite(q) || q < NT_QUALITY_MIN || q > NT_QUALITY_MAX) {
          r.ok = false;
          r.error = "task \"" + task + "\" check gave quality " + std::to_string(q) + " for answer " +
                    std::to_string(i) + " of its batch; expected a number in [-10, 1] (NT_QUALITY_MIN and NT_QUALITY_MAX of plugin_api.h)";
          break;
        }
        quality_sum += q;
        r.outcomes.push_back(CheckOutcome{q, std::move(got[i].reason)});
      }
    }
  } catch (const plugin_host::TaskCallError& e) {
    r.error = "task \"" + task + "\" check failed (" + plugin_host::code_name(e.code()) + "): " + e.what();
  } catch (const std::exception& e) {
    r.error = "task \"" + task + "\" check failed: " + e.what();
  }
  if (!r.ok) r.outcomes.clear();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.check_call(task, items.size(), seconds, r.ok, quality_sum);
  if (r.ok) {
    std::lock_guard<std::mutex> lock(mutex_);
    seconds_per_item_ = 0.8 * seconds_per_item_ + 0.2 * seconds / static_cast<double>(items.size());
  }
  return r;
}

CheckerQueue::CallResult CheckerQueue::check_with_retries(const std::string& task,
                                                          const std::vector<CheckItem>& items) {
  CallResult r;
  std::chrono::milliseconds delay = settings_.retry_delay;
  for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
    r = call_check(task, items);
    if (r.ok) return r;
    spdlog::warn("checker: attempt {} of {} for {} answers of task {} failed: {}", attempt, settings_.max_attempts,
                 items.size(), task, r.error);
    if (attempt == settings_.max_attempts) break;
    std::unique_lock<std::mutex> lock(mutex_);
    if (work_ready_.wait_for(lock, delay, [this] { return stopping_; })) {
      r.error = "the checker stopped before a retry; last error: " + r.error;
      r.stopped = true;
      return r;
    }
    delay *= 2;
  }
  r.error = "check failed after " + std::to_string(settings_.max_attempts) + " attempt" +
            (settings_.max_attempts == 1 ? "" : "s") + ": " + r.error;
  return r;
}

std::vector<CheckerQueue::UnitResult> CheckerQueue::check_batch(const Batch& batch,
                                                                const std::vector<CheckItem>& items) {
  std::vector<UnitResult> results(items.size());
  CallResult whole = check_with_retries(batch.task, items);
  if (whole.ok) {
    for (size_t i = 0; i < items.size(); ++i) {
      results[i].ok = true;
      results[i].outcome = std::move(whole.outcomes[i]);
    }
    return results;
  }
  if (whole.stopped || items.size() < 2) {
    for (auto& r : results) {
      r.error = whole.error;
      r.stopped = whole.stopped;
    }
    return results;
  }
  // The one rule for a failed batch (the validator has none of its own): one answer the plugin
  // cannot take must not fail its neighbours. Each answer is checked alone, once; only those that
  // still fail fail, named in their job's status (JobStatus::answer_errors).
  for (size_t i = 0; i < items.size(); ++i) {
    CallResult alone = call_check(batch.task, {items[i]});
    results[i].ok = alone.ok;
    if (alone.ok) {
      results[i].outcome = std::move(alone.outcomes[0]);
    } else {
      results[i].error = whole.error + "; checked alone: " + alone.error;
    }
  }
  return results;
}

void CheckerQueue::settle(const Batch& batch, const std::vector<UnitResult>& results) {
  for (size_t i = 0; i < batch.units.size(); ++i) {
    const Unit& unit = batch.units[i];
    queued_items_ -= 1;
    if (results[i].stopped) continue;  // the checker is stopping: its job stays pending
    if (!results[i].ok) {
      const std::string error =
          "answer " + std::to_string(unit.index) + " (task \"" + batch.task + "\"): " + results[i].error;
      unit.job->answer_errors[unit.index] = error;  // also when its job failed already: it failed alone too
      if (unit.job->state == JobState::pending) fail_job(unit.job, error);
      continue;
    }
    unit.job->outcomes[unit.index] = results[i].outcome;
    unit.job->has_outcome[unit.index] = 1;
    if (unit.job->state != JobState::pending) continue;  // failed meanwhile by another answer
    if (--unit.job->remaining == 0) finish_job(unit.job);
  }
  // Handed out once every answer of this batch is settled, so each that failed alone is named.
  for (const Unit& unit : batch.units) complete_if_finished(unit.job);
}

void CheckerQueue::finish_job(const std::shared_ptr<Job>& job) {
  job->state = JobState::done;
  job->items.clear();
  job->items.shrink_to_fit();
  expiries_.emplace_back(now() + settings_.result_ttl, job->id);
  metrics_.job_finished(true);
}

void CheckerQueue::fail_job(const std::shared_ptr<Job>& job, const std::string& error) {
  job->state = JobState::failed;
  job->error = error;
  // Its answers still waiting would only be wasted work: take them out of the queue now.
  for (auto it = lines_.begin(); it != lines_.end();) {
    auto& line = it->second;
    const size_t before = line.size();
    line.erase(std::remove_if(line.begin(), line.end(), [&](const Unit& u) { return u.job == job; }), line.end());
    queued_items_ -= before - line.size();
    it = line.empty() ? lines_.erase(it) : std::next(it);
  }
  job->items.clear();
  job->items.shrink_to_fit();
  expiries_.emplace_back(now() + settings_.result_ttl, job->id);
  metrics_.job_finished(false);
}

std::unique_ptr<CheckService> make_inline_checker(std::shared_ptr<plugin_host::PluginHost> host,
                                                  CheckerSettings settings) {
  return std::make_unique<CheckerQueue>(std::move(host), std::move(settings));
}

}  // namespace nineteen::checker
