// The gateway's counters in Prometheus text: requests by task, status and key; latency to the first
// byte and in total; miner attempts and retries.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace nineteen::gateway {

// One task's organic traffic since the gateway started, for the status page.
struct OrganicSummary {
  std::string task;
  std::uint64_t requests = 0, answered = 0, refused = 0, failed = 0;  // 2xx, 4xx, 5xx
  // Upper bounds of the histogram buckets holding the median and the 99th percentile of the answered
  // requests' total time; -1 when none was answered, +inf past the last bucket.
  double p50_at_most_s = -1, p99_at_most_s = -1;
};

class GatewayMetrics {
 public:
  // `task` and `key_name` are "-" when unknown (e.g. a request refused before its key or model was read).
  void request_done(const std::string& task, int status, const std::string& key_name);
  void latency(const std::string& task, double first_byte_s, double total_s);
  void attempt(const std::string& task, const std::string& result);  // "answered", "retried", "refused", "cut", "failed"
  void retries(const std::string& task, std::uint64_t n);
  std::string prometheus_text() const;
  // Per task, in task order; requests refused before a task was read ("-") are left out.
  std::vector<OrganicSummary> organic_summaries() const;

  static constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,    0.25,  0.5,    1,     2.5,   5,    10};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
    void add(double seconds);
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, int, std::string>, std::uint64_t> requests_;
  std::map<std::string, Histogram> first_byte_, total_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> attempts_;
  std::map<std::string, std::uint64_t> retries_;
};

// A Prometheus label value with \, " and newlines escaped.
std::string prometheus_label(const std::string& value);

}  // namespace nineteen::gateway
