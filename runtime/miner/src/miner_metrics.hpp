// The miner's Prometheus counters: requests by task and status, in flight, latency, work served.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>

namespace nineteen::miner {

class MinerMetrics {
 public:
  void record(const std::string& task, int status, double seconds, double work);
  void in_flight_changed(const std::string& task, int delta);
  std::string prometheus_text() const;

 private:
  static constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                      0.5,   1,    2.5,   5,    10,  30};
  struct Latency {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Latency> latency_;
  std::map<std::string, double> work_;
  std::map<std::string, long> in_flight_;
};

}  // namespace nineteen::miner
