// Prometheus text exposition of the gateway's counters and latency histograms.
#include "nineteen/gateway/gateway_metrics.hpp"

#include <limits>
#include <sstream>

namespace nineteen::gateway {

std::string prometheus_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void GatewayMetrics::Histogram::add(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) buckets[i]++;
  }
  count++;
  sum += seconds;
}

void GatewayMetrics::request_done(const std::string& task, int status, const std::string& key_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_[{task, status, key_name}]++;
}

void GatewayMetrics::latency(const std::string& task, double first_byte_s, double total_s) {
  std::lock_guard<std::mutex> lock(mutex_);
  first_byte_[task].add(first_byte_s);
  total_[task].add(total_s);
}

void GatewayMetrics::attempt(const std::string& task, const std::string& result) {
  std::lock_guard<std::mutex> lock(mutex_);
  attempts_[{task, result}]++;
}

void GatewayMetrics::retries(const std::string& task, std::uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  retries_[task] += n;
}

std::vector<OrganicSummary> GatewayMetrics::organic_summaries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, OrganicSummary> by_task;
  for (const auto& [key, n] : requests_) {
    const auto& [task, status, key_name] = key;
    if (task == "-") continue;
    OrganicSummary& s = by_task[task];
    s.requests += n;
    if (status >= 200 && status < 300) s.answered += n;
    if (status >= 400 && status < 500) s.refused += n;
    if (status >= 500) s.failed += n;
  }
  // The bucket where the cumulative count first reaches the rank.
  auto bound = [](const Histogram& h, double fraction) {
    const double rank = fraction * static_cast<double>(h.count);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      if (static_cast<double>(h.buckets[i]) >= rank) return kBuckets[i];
    }
    return std::numeric_limits<double>::infinity();
  };
  std::vector<OrganicSummary> out;
  for (auto& [task, s] : by_task) {
    s.task = task;
    auto h = total_.find(task);
    if (h != total_.end() && h->second.count > 0) {
      s.p50_at_most_s = bound(h->second, 0.5);
      s.p99_at_most_s = bound(h->second, 0.99);
    }
    out.push_back(s);
  }
  return out;
}

std::string GatewayMetrics::prometheus_text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP nineteen_gateway_requests_total Organic API requests answered, by task, HTTP status and API key name.\n"
      << "# TYPE nineteen_gateway_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out << "nineteen_gateway_requests_total{task=\"" << prometheus_label(std::get<0>(key)) << "\",status=\""
        << std::get<1>(key) << "\",key=\"" << prometheus_label(std::get<2>(key)) << "\"} " << n << "\n";
  }
  auto histogram = [&](const char* name, const char* help, const std::map<std::string, Histogram>& by_task) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
    for (const auto& [task, h] : by_task) {
      const std::string label = prometheus_label(task);
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out << name << "_bucket{task=\"" << label << "\",le=\"" << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
      }
      out << name << "_bucket{task=\"" << label << "\",le=\"+Inf\"} " << h.count << "\n";
      out << name << "_sum{task=\"" << label << "\"} " << h.sum << "\n";
      out << name << "_count{task=\"" << label << "\"} " << h.count << "\n";
    }
  };
  histogram("nineteen_gateway_first_byte_seconds",
            "From the request's arrival to the first byte of its answer going to the user (successes).", first_byte_);
  histogram("nineteen_gateway_request_seconds", "From the request's arrival to the end of its answer (successes).",
            total_);
  out << "# HELP nineteen_gateway_miner_attempts_total Attempts at miners, by task and how each ended "
         "(answered, retried, refused, cut, failed).\n"
      << "# TYPE nineteen_gateway_miner_attempts_total counter\n";
  for (const auto& [key, n] : attempts_) {
    out << "nineteen_gateway_miner_attempts_total{task=\"" << prometheus_label(key.first) << "\",result=\""
        << prometheus_label(key.second) << "\"} " << n << "\n";
  }
  out << "# HELP nineteen_gateway_miner_retries_total Requests sent on to a next contender after one failed.\n"
      << "# TYPE nineteen_gateway_miner_retries_total counter\n";
  for (const auto& [task, n] : retries_) {
    out << "nineteen_gateway_miner_retries_total{task=\"" << prometheus_label(task) << "\"} " << n << "\n";
  }
  return out.str();
}

}  // namespace nineteen::gateway
