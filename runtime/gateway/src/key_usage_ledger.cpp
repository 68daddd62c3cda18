// In-memory usage tallies per key, written to the validator store in batches.
#include "nineteen/gateway/key_usage_ledger.hpp"

#include <ctime>

#include "nineteen/store/validator_store.hpp"

namespace nineteen::gateway {

std::string utc_day(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

double seconds_to_utc_midnight(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  long long into_day = ((secs % 86400) + 86400) % 86400;
  return static_cast<double>(86400 - into_day);
}

KeyUsageLedger::KeyUsageLedger(std::shared_ptr<store::ValidatorStore> store) : store_(std::move(store)) {}

void KeyUsageLedger::add(std::int64_t key_id, const std::string& task, const std::string& day, std::uint64_t requests,
                         double work) {
  if (!(work >= 0)) work = 0;  // NaN or negative: nothing to bill
  std::lock_guard<std::mutex> lock(mutex_);
  Pending& p = pending_[Row{key_id, task, day}];
  p.requests += requests;
  p.work += work;
  auto it = day_work_.find({key_id, day});
  if (it != day_work_.end()) it->second += work;  // else the first work_on reads the store, pending included
}

double KeyUsageLedger::work_on(std::int64_t key_id, const std::string& day) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = day_work_.find({key_id, day});
    if (it != day_work_.end()) return it->second;
  }
  double stored = 0;
  for (const store::ApiKeyUsage& u : store_->api_key_usage(key_id, day)) stored += u.work;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = day_work_.find({key_id, day});
  if (it != day_work_.end()) return it->second;  // another thread read it meanwhile
  double pending = 0;
  for (const auto& [row, p] : pending_) {
    if (std::get<0>(row) == key_id && std::get<2>(row) == day) pending += p.work;
  }
  // Forget other days of this key so the map does not grow for ever.
  for (auto d = day_work_.lower_bound({key_id, ""}); d != day_work_.end() && d->first.first == key_id;) {
    d = d->first.second != day ? day_work_.erase(d) : std::next(d);
  }
  day_work_[{key_id, day}] = stored + pending;
  return stored + pending;
}

void KeyUsageLedger::flush() {
  std::map<Row, Pending> batch;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch.swap(pending_);
  }
  for (auto it = batch.begin(); it != batch.end();) {
    try {
      store_->add_api_key_usage(std::get<0>(it->first), std::get<1>(it->first), std::get<2>(it->first),
                                it->second.requests, it->second.work);
      it = batch.erase(it);
    } catch (...) {
      // Put back what was not written, so the next flush tries again.
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [row, p] : batch) {
        Pending& back = pending_[row];
        back.requests += p.requests;
        back.work += p.work;
      }
      throw;
    }
  }
}

bool KeyUsageLedger::has_pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !pending_.empty();
}

}  // namespace nineteen::gateway
