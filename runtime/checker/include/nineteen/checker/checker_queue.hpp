// The checking engine: a bounded queue of answers in front of the plugins' `check`, N worker
// threads, batching of one task's answers into one call, retries, and results kept until read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nineteen/checker/check_service.hpp"
#include "nineteen/checker/checker_metrics.hpp"

namespace nineteen::plugin_host {
class PluginHost;
}

namespace nineteen::checker {

struct CheckerSettings {
  int workers = 1;                 // threads calling plugins' check at once
  size_t max_queued_items = 1024;  // answers queued or being checked; beyond it submit is refused (busy)
  size_t max_batch = 16;           // answers of one task per check call
  int max_attempts = 3;            // a failed check call is tried this often in all
  std::chrono::seconds result_ttl{3600};  // how long a finished job waits to be read
  std::chrono::milliseconds retry_delay{100};  // before the 2nd attempt; doubled for each later one
  // The clock that result_ttl is measured on; empty means std::chrono::steady_clock::now (tests
  // inject one to see results expire without waiting an hour).
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class CheckerQueue : public CheckService {
 public:
  // Starts the workers. Throws std::invalid_argument for settings out of range (each named).
  CheckerQueue(std::shared_ptr<plugin_host::PluginHost> host, CheckerSettings settings);
  ~CheckerQueue() override;  // stop()
  CheckerQueue(const CheckerQueue&) = delete;
  CheckerQueue& operator=(const CheckerQueue&) = delete;

  // Completed by the worker that settles the job's last answer: no polling. Falls back to
  // CheckService::check (which waits and retries) when the queue is full or stopping.
  std::future<std::vector<CheckResult>> check(std::vector<CheckItem> items, CheckStop stop = nullptr) override;
  std::string submit(const std::vector<CheckItem>& items) override;
  JobStatus poll(const std::string& job_id) override;

  // Lets each worker finish its current call, then joins them. Jobs still queued stay pending.
  // Safe to call more than once.
  void stop();

  // Answers queued or being checked now.
  size_t queued_items() const;
  const CheckerSettings& settings() const { return settings_; }
  CheckerCounts counts() const { return metrics_.counts(); }
  std::string prometheus_text() const;

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Job;
  // One answer waiting in its task's line.
  struct Unit {
    std::shared_ptr<Job> job;
    size_t index = 0;
  };
  struct Batch {
    std::string task;
    std::vector<Unit> units;
  };
  struct CallResult {
    bool ok = false;
    bool stopped = false;  // the checker stopped before the call could be retried: not the answers' fault
    std::vector<CheckOutcome> outcomes;
    std::string error;
  };
  struct UnitResult {
    bool ok = false;
    bool stopped = false;  // left unsettled: its job stays pending
    CheckOutcome outcome;
    std::string error;
  };

  TimePoint now() const;
  void worker_loop();
  // Takes up to max_batch units of the next task in turn; false when stopping. Needs mutex_ held.
  bool take_batch(std::unique_lock<std::mutex>& lock, Batch& batch);
  CallResult call_check(const std::string& task, const std::vector<CheckItem>& items);
  CallResult check_with_retries(const std::string& task, const std::vector<CheckItem>& items);
  std::vector<UnitResult> check_batch(const Batch& batch, const std::vector<CheckItem>& items);
  void settle(const Batch& batch, const std::vector<UnitResult>& results);
  using Completion = std::shared_ptr<std::promise<std::vector<CheckResult>>>;
  // Validates and queues a batch; `completion`, when given, is kept with the job (under mutex_).
  std::string queue_job(const std::vector<CheckItem>& items, Completion completion);
  // A finished job with a completion is handed out to it (and forgotten) instead of waiting for a poll.
  void complete_if_finished(const std::shared_ptr<Job>& job);
  JobStatus status_of(const Job& job) const;
  void fail_job(const std::shared_ptr<Job>& job, const std::string& error);
  void finish_job(const std::shared_ptr<Job>& job);
  void drop_expired();
  double retry_after_estimate() const;
  std::string new_job_id();

  std::shared_ptr<plugin_host::PluginHost> host_;
  CheckerSettings settings_;
  CheckerMetrics metrics_;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Job>> jobs_;   // by id: pending, and finished until read
  std::map<std::string, std::deque<Unit>> lines_;      // waiting answers, by task
  std::string last_task_;                              // the task served last (round-robin)
  size_t queued_items_ = 0;                            // waiting + being checked
  std::deque<std::pair<TimePoint, std::string>> expiries_;  // finished jobs in finishing order
  double seconds_per_item_ = 0.05;                     // running estimate, for Retry-After
  std::mt19937_64 id_rng_;
  std::mutex stop_mutex_;  // one stop() joins the workers
  std::vector<std::thread> workers_;
};

// The engine as a CheckService, for a validator configured with checker = "inline".
std::unique_ptr<CheckService> make_inline_checker(std::shared_ptr<plugin_host::PluginHost> host,
                                                  CheckerSettings settings);

}  // namespace nineteen::checker
