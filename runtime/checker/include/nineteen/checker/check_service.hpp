// What a validator uses to have answers checked. The contract is `check(items)`: a future of one
// result per answer (checked with a quality, failed alone, or not checked now and to be sent again).
// Under it are the job primitives, submit and poll, the same in-process (the checker queue) and over
// HTTP (a `nineteen checker` server); `check` hides them, and the retries of a busy or unreachable
// checker, from its callers.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "nineteen/plugin_host/live_task.hpp"

namespace nineteen::checker {

// One answer to check: the task's name, the request sent to the miner and the miner's answer (the
// JSON array of chunks that the plugin's check takes), both as JSON text.
struct CheckItem {
  std::string task;
  std::string request;
  std::string response;
};

// The plugin's verdict on one answer: its quality and the rule that decided it. One type from the
// plugin's check through the checker's queue and wire to the validator's store.
using plugin_host::CheckOutcome;

// What became of one answer given to CheckService::check.
struct CheckResult {
  enum class Kind {
    checked,      // `outcome` holds its quality
    failed,       // the checker failed on this answer alone (after its retries): record it unchecked
    not_checked,  // for a reason of the checker's own (stopping, lost the job, no result in time): keep
                  // the answer and send it again later
  };
  Kind kind = Kind::not_checked;
  CheckOutcome outcome;  // when checked
  std::string why;       // when failed or not_checked
};

// Set to stop a check() in progress: its future then completes promptly, every answer not checked.
using CheckStop = std::shared_ptr<const std::atomic<bool>>;

enum class JobState { pending, done, failed, unknown };

const char* job_state_name(JobState state);  // "pending", "done", "failed", "unknown"

struct JobStatus {
  JobState state = JobState::unknown;
  std::vector<CheckOutcome> outcomes;  // one per submitted item, in order, when done
  std::string error;                   // when failed (after retries) or unknown
  // When failed: one per submitted item, in order: the answer's own error when it failed alone
  // (checked alone after its batch failed), empty for an answer that was not the cause.
  std::vector<std::string> answer_errors;
};

// The queue is full: nothing was queued; submit the same batch again after `retry_after_s`.
class CheckerBusy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  double retry_after_s = 1;
};

// A batch that can never be accepted as it is (an unknown task, no items, more items than the whole
// queue, a malformed body): fix or split it rather than retry it.
class BatchRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How check() waits on a checker.
struct CheckPacing {
  std::chrono::milliseconds poll_every{50};
  std::chrono::milliseconds unreachable_pause{2000};  // before submitting again to a checker out of reach
  std::chrono::seconds give_up_after{600};            // a job with no result by then: not checked
};

// Thread-safe.
class CheckService {
 public:
  virtual ~CheckService() = default;

  // Has `items` (which may mix tasks) checked; the future holds one result per item, in order, and
  // never an exception. A busy checker is waited for (its Retry-After) and one out of reach is tried
  // again, until `stop` is set. The splitting of a failed batch into single answers is the checker's
  // (CheckerQueue): an answer is `failed` only when it failed alone. A job the checker lost (unknown
  // after a restart, or expired) leaves its answers `not_checked`; a refused batch (an unknown task)
  // fails each of its answers with the reason. This default runs submit and poll on a thread of its
  // own; the future's destructor waits for it, which `stop` makes prompt.
  virtual std::future<std::vector<CheckResult>> check(std::vector<CheckItem> items, CheckStop stop = nullptr);

  // The job primitives under check().
  // Queues a batch (items may mix tasks); returns its job id. Throws CheckerBusy when the queue is
  // full, BatchRejected for an unknown task, an empty batch or a batch larger than the whole queue,
  // and std::runtime_error (with a clear message) for a checker that cannot be reached or stopping.
  virtual std::string submit(const std::vector<CheckItem>& items) = 0;
  // The job's state. A finished job (done or failed) is handed out once: the poll that returns it
  // forgets it, and later polls say `unknown`. Unread results are forgotten after the result TTL.
  // Throws std::runtime_error only when a remote checker cannot be reached (the job may still exist:
  // poll again later).
  virtual JobStatus poll(const std::string& job_id) = 0;

  // Before the first check(): not synchronised with one in progress.
  void set_pacing(const CheckPacing& pacing) { pacing_ = pacing; }

 protected:
  // Runs one check() to its end on the calling thread (submit with retries, then poll).
  std::vector<CheckResult> run_check(const std::vector<CheckItem>& items, const CheckStop& stop);
  // What a finished job's status says of each of its `count` answers.
  static std::vector<CheckResult> results_of(const JobStatus& status, size_t count);

  CheckPacing pacing_;
};

}  // namespace nineteen::checker
