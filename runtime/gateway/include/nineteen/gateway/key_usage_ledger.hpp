// Usage per API key, task and UTC day: counted in memory as answers finish (so the daily work limit
// sees them at once) and written to the store in batches, off the request path.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

namespace nineteen::store {
class ValidatorStore;
}

namespace nineteen::gateway {

// "2025-01-31" for a moment, in UTC.
std::string utc_day(std::chrono::system_clock::time_point t);
// Seconds from `t` to the next UTC midnight (≥ 1).
double seconds_to_utc_midnight(std::chrono::system_clock::time_point t);

class KeyUsageLedger {
 public:
  explicit KeyUsageLedger(std::shared_ptr<store::ValidatorStore> store);

  // Adds one request's use. Thread-safe.
  void add(std::int64_t key_id, const std::string& task, const std::string& day, std::uint64_t requests, double work);
  // The work used by `key_id` on `day` over all tasks: what the store holds (read once per key and
  // day) plus what is not written yet.
  double work_on(std::int64_t key_id, const std::string& day);
  // Writes what is pending to the store. On a store error the rows stay pending for the next try
  // and the error is rethrown.
  void flush();
  bool has_pending() const;

 private:
  using Row = std::tuple<std::int64_t, std::string, std::string>;  // key, task, day
  struct Pending {
    std::uint64_t requests = 0;
    double work = 0;
  };
  std::shared_ptr<store::ValidatorStore> store_;
  mutable std::mutex mutex_;
  std::map<Row, Pending> pending_;
  std::map<std::pair<std::int64_t, std::string>, double> day_work_;  // (key, day) → work, store + pending
};

}  // namespace nineteen::gateway
