// Prometheus text exposition of the checker's counters.
#include "nineteen/checker/checker_metrics.hpp"

#include <sstream>

namespace nineteen::checker {

void CheckerMetrics::check_call(const std::string& task, size_t items, double seconds, bool ok, double quality_sum) {
  std::lock_guard<std::mutex> lock(mutex_);
  TaskCheckCounts& c = counts_.by_task[task];
  c.check_seconds += seconds;
  if (ok) {
    c.check_calls += 1;
    c.items_checked += items;
    c.quality_sum += quality_sum;
  } else {
    c.failed_check_calls += 1;
  }
  Histogram& h = call_seconds_[task];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) h.buckets[i] += 1;
  }
  h.count += 1;
  h.sum += seconds;
}

void CheckerMetrics::job_finished(bool done) {
  std::lock_guard<std::mutex> lock(mutex_);
  (done ? counts_.jobs_done : counts_.jobs_failed) += 1;
}

void CheckerMetrics::jobs_expired(uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_.jobs_expired += count;
}

void CheckerMetrics::busy_refusal() {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_.busy_refusals += 1;
}

CheckerCounts CheckerMetrics::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

std::string CheckerMetrics::prometheus_text(size_t queued_items, size_t queue_capacity) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP nineteen_checker_items_checked_total Answers given a quality, by task.\n"
      << "# TYPE nineteen_checker_items_checked_total counter\n";
  for (const auto& [task, c] : counts_.by_task) {
    out << "nineteen_checker_items_checked_total{task=\"" << task << "\"} " << c.items_checked << "\n";
  }
  out << "# HELP nineteen_checker_quality_sum Sum of the qualities given, by task (divide by items checked).\n"
      << "# TYPE nineteen_checker_quality_sum counter\n";
  for (const auto& [task, c] : counts_.by_task) {
    out << "nineteen_checker_quality_sum{task=\"" << task << "\"} " << c.quality_sum << "\n";
  }
  out << "# HELP nineteen_checker_check_calls_total Plugin check calls, by task and outcome.\n"
      << "# TYPE nineteen_checker_check_calls_total counter\n";
  for (const auto& [task, c] : counts_.by_task) {
    out << "nineteen_checker_check_calls_total{task=\"" << task << "\",outcome=\"ok\"} " << c.check_calls << "\n"
        << "nineteen_checker_check_calls_total{task=\"" << task << "\",outcome=\"error\"} " << c.failed_check_calls
        << "\n";
  }
  out << "# HELP nineteen_checker_check_seconds Time of one plugin check call (a batch), by task.\n"
      << "# TYPE nineteen_checker_check_seconds histogram\n";
  for (const auto& [task, h] : call_seconds_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "nineteen_checker_check_seconds_bucket{task=\"" << task << "\",le=\"" << kBuckets[i] << "\"} "
          << h.buckets[i] << "\n";
    }
    out << "nineteen_checker_check_seconds_bucket{task=\"" << task << "\",le=\"+Inf\"} " << h.count << "\n"
        << "nineteen_checker_check_seconds_sum{task=\"" << task << "\"} " << h.sum << "\n"
        << "nineteen_checker_check_seconds_count{task=\"" << task << "\"} " << h.count << "\n";
  }
  out << "# HELP nineteen_checker_queue_items Answers queued or being checked.\n"
      << "# TYPE nineteen_checker_queue_items gauge\n"
      << "nineteen_checker_queue_items " << queued_items << "\n"
      << "# HELP nineteen_checker_queue_capacity The most answers the queue holds (max_queued_items).\n"
      << "# TYPE nineteen_checker_queue_capacity gauge\n"
      << "nineteen_checker_queue_capacity " << queue_capacity << "\n"
      << "# HELP nineteen_checker_jobs_total Jobs finished, by status; expired ones were never read.\n"
      << "# TYPE nineteen_checker_jobs_total counter\n"
      << "nineteen_checker_jobs_total{status=\"done\"} " << counts_.jobs_done << "\n"
      << "nineteen_checker_jobs_total{status=\"failed\"} " << counts_.jobs_failed << "\n"
      << "nineteen_checker_jobs_total{status=\"expired\"} " << counts_.jobs_expired << "\n"
      << "# HELP nineteen_checker_busy_refusals_total Batches refused with 503 because the queue was full.\n"
      << "# TYPE nineteen_checker_busy_refusals_total counter\n"
      << "nineteen_checker_busy_refusals_total " << counts_.busy_refusals << "\n";
  return out.str();
}

}  // namespace nineteen::checker
