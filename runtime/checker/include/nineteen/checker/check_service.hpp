// What a validator uses to have answers checked: submit a batch, poll for its qualities. The same
// interface in-process (the checker queue) and over HTTP (a `nineteen checker` server).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace nineteen::checker {

// One answer to check: the task's name, the request sent to the miner and the miner's answer (the
// JSON array of chunks that the plugin's check takes), both as JSON text.
struct CheckItem {
  std::string task;
  std::string request;
  std::string response;
};

struct CheckOutcome {
  double quality = 0;  // in [0, 1]
  std::string reason;  // the plugin's rule that decided the quality
};

enum class JobState { pending, done, failed, unknown };

const char* job_state_name(JobState state);  // "pending", "done", "failed", "unknown"

struct JobStatus {
  JobState state = JobState::unknown;
  std::vector<CheckOutcome> outcomes;  // one per submitted item, in order, when done
  std::string error;                   // when failed (after retries) or unknown
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

// Thread-safe.
class CheckService {
 public:
  virtual ~CheckService() = default;
  // Queues a batch (items may mix tasks); returns its job id. Throws CheckerBusy when the queue is
  // full, BatchRejected for an unknown task, an empty batch or a batch larger than the whole queue,
  // and std::runtime_error (with a clear message) for a checker that cannot be reached or stopping.
  virtual std::string submit(const std::vector<CheckItem>& items) = 0;
  // The job's state. A finished job (done or failed) is handed out once: the poll that returns it
  // forgets it, and later polls say `unknown`. Unread results are forgotten after the result TTL.
  // Throws std::runtime_error only when a remote checker cannot be reached (the job may still exist:
  // poll again later).
  virtual JobStatus poll(const std::string& job_id) = 0;
};

}  // namespace nineteen::checker
