// The checker's counters (items checked by task, check calls, time spent, refusals) and their
// Prometheus text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace nineteen::checker {

struct TaskCheckCounts {
  uint64_t check_calls = 0;         // plugin check calls that returned
  uint64_t failed_check_calls = 0;  // plugin check calls that threw or returned a bad quality
  uint64_t items_checked = 0;       // answers that got a quality
  double check_seconds = 0;         // time inside successful and failed check calls
  double quality_sum = 0;           // over items_checked
};

struct CheckerCounts {
  std::map<std::string, TaskCheckCounts> by_task;
  uint64_t jobs_done = 0, jobs_failed = 0, jobs_expired = 0;
  uint64_t busy_refusals = 0;  // batches refused because the queue was full
};

// Thread-safe.
class CheckerMetrics {
 public:
  void check_call(const std::string& task, size_t items, double seconds, bool ok, double quality_sum);
  void job_finished(bool done);
  void jobs_expired(uint64_t count);
  void busy_refusal();

  CheckerCounts counts() const;
  // `queued_items` and `queue_capacity` are the queue's gauges at the moment of the scrape.
  std::string prometheus_text(size_t queued_items, size_t queue_capacity) const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,   1,    2.5,   5,    10};
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  CheckerCounts counts_;
  std::map<std::string, Histogram> call_seconds_;  // per check call, by task
};

}  // namespace nineteen::checker
