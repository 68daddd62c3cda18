// Prometheus text exposition of the miner's counters.
#include "miner_metrics.hpp"

#include <sstream>

namespace nineteen::miner {

void MinerMetrics::record(const std::string& task, int status, double seconds, double work) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_[{task, status}] += 1;
  Latency& l = latency_[task];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) l.buckets[i] += 1;
  }
  l.count += 1;
  l.sum += seconds;
  work_[task] += work;
}

void MinerMetrics::in_flight_changed(const std::string& task, int delta) {
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_[task] += delta;
}

std::string MinerMetrics::prometheus_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP nineteen_miner_requests_total Requests answered, by task and HTTP status.\n"
      << "# TYPE nineteen_miner_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "nineteen_miner_requests_total{task=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  }
  out << "# HELP nineteen_miner_in_flight Requests being served now.\n# TYPE nineteen_miner_in_flight gauge\n";
  for (const auto& [task, n] : in_flight_) out << "nineteen_miner_in_flight{task=\"" << task << "\"} " << n << "\n";
  out << "# HELP nineteen_miner_request_seconds Time from request to last byte.\n"
      << "# TYPE nineteen_miner_request_seconds histogram\n";
  for (const auto& [task, l] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "nineteen_miner_request_seconds_bucket{task=\"" << task << "\",le=\"" << kBuckets[i] << "\"} "
          << l.buckets[i] << "\n";
    }
    out << "nineteen_miner_request_seconds_bucket{task=\"" << task << "\",le=\"+Inf\"} " << l.count << "\n"
        << "nineteen_miner_request_seconds_sum{task=\"" << task << "\"} " << l.sum << "\n"
        << "nineteen_miner_request_seconds_count{task=\"" << task << "\"} " << l.count << "\n";
  }
  out << "# HELP nineteen_miner_work_served_total Work served (tokens, steps, ...), by task.\n"
      << "# TYPE nineteen_miner_work_served_total counter\n";
  for (const auto& [task, w] : work_) out << "nineteen_miner_work_served_total{task=\"" << task << "\"} " << w << "\n";
  return out.str();
}

}  // namespace nineteen::miner
